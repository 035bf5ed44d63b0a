import pytest
from django.core.exceptions import ValidationError

from guanxi.core.models import AuditEvent
from guanxi.customers.models import Tag
from guanxi.customers.services.completeness import completeness_score
from guanxi.customers.services.tags import (
    customer_tag_add,
    customer_tag_remove,
    tag_create,
    tag_delete,
    tag_update,
)
from guanxi.customers.tests.factories import CustomerFactory, TagFactory


def test_create_rename_and_recolour_are_audited(owner):
    tag = tag_create(name=" VIP ", colour="danger", actor=owner)
    tag_update(tag=tag, data={"name": "VIP gold", "colour": "warning"}, actor=owner)

    tag.refresh_from_db()
    assert (tag.name, tag.colour) == ("VIP gold", "warning")
    assert list(
        AuditEvent.objects.filter(object_type="customers.tag")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["create", "update"]


def test_a_name_taken_in_another_case_is_refused(owner):
    TagFactory(name="VIP")

    with pytest.raises(ValidationError):
        tag_create(name="vip", actor=owner)

    assert Tag.objects.count() == 1


def test_tagging_updates_the_audit_and_completeness(store_a, sales_a):
    # given an untagged customer
    customer = CustomerFactory(home_store=store_a)
    tag = TagFactory(name="VIP")

    # when tagged, then untagged
    customer_tag_add(customer=customer, tag=tag, actor=sales_a)
    customer.refresh_from_db()
    tagged_score = customer.completeness
    customer_tag_add(customer=customer, tag=tag, actor=sales_a)  # already there: no-op
    customer_tag_remove(customer=customer, tag=tag, actor=sales_a)
    customer.refresh_from_db()

    # then both changes were audited, and the "tags" weight came and went
    changes = list(
        AuditEvent.objects.filter(object_type="customers.customer", object_pk=str(customer.pk))
        .order_by("pk")
        .values_list("changes", flat=True)
    )
    assert changes == [{"tags": [[], [tag.pk]]}, {"tags": [[tag.pk], []]}]
    assert tagged_score > customer.completeness
    assert customer.completeness == completeness_score(customer)


def test_delete_takes_the_tag_off_everyone_and_rescores_them(store_a, owner):
    vip = TagFactory(name="VIP")
    other = TagFactory(name="Sensitive skin")
    only_vip = CustomerFactory(home_store=store_a, tags=[vip])
    both = CustomerFactory(home_store=store_a, tags=[vip, other])
    for customer in (only_vip, both):
        customer.completeness = completeness_score(customer)
        customer.save(update_fields=["completeness"])
    both_before = both.completeness

    count = tag_delete(tag=vip, actor=owner)

    only_vip.refresh_from_db()
    both.refresh_from_db()
    assert count == 2
    assert list(both.tags.values_list("name", flat=True)) == ["Sensitive skin"]
    assert only_vip.completeness == completeness_score(only_vip)
    assert both.completeness == both_before
    assert AuditEvent.objects.filter(object_type="customers.tag", action="delete").count() == 1
