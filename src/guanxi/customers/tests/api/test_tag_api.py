import pytest
from django.urls import reverse

from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import Tag
from guanxi.customers.tests.factories import CustomerFactory, TagFactory

LIST = reverse("api-tag-list")


def detail(tag):
    return reverse("api-tag-detail", args=[tag.pk])


def tag_add(customer):
    return reverse("api-customer-tag-add", args=[customer.pk])


def tag_remove(customer, tag):
    return reverse("api-customer-tag-remove", args=[customer.pk, tag.pk])


def test_list_counts_only_the_users_customers(client, store_a, store_b, sales_a):
    # given a tag on one customer of store A and two of store B
    vip = TagFactory(name="VIP潜力", colour="danger")
    TagFactory(name="Referral")
    CustomerFactory(home_store=store_a, tags=[vip])
    CustomerFactory.create_batch(2, home_store=store_b, tags=[vip])
    client.force_login(sales_a)

    # when
    response = client.get(LIST)

    # then
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": Tag.objects.get(name="Referral").pk,
            "name": "Referral",
            "colour": "secondary",
            "customer_count": 0,
        },
        {"id": vip.pk, "name": "VIP潜力", "colour": "danger", "customer_count": 1},
    ]


def test_list_query_count_does_not_grow_with_rows(client, sales_a, django_assert_num_queries):
    TagFactory.create_batch(2)
    client.force_login(sales_a)
    # session, user, user's stores (counts), count, page, session save in a savepoint (3)
    with django_assert_num_queries(8):
        client.get(LIST)

    TagFactory.create_batch(20)

    with django_assert_num_queries(8):
        response = client.get(LIST)
    assert response.json()["count"] == 22


def test_manager_creates_renames_and_deletes(client, store_a, manager_a):
    client.force_login(manager_a)

    created = client.post(
        LIST, {"name": " 敏感肌 ", "colour": "warning"}, content_type="application/json"
    )
    tag = Tag.objects.get()
    renamed = client.patch(detail(tag), {"name": "Sensitive skin"}, content_type="application/json")
    deleted = client.delete(detail(tag))

    assert created.status_code == 201
    assert created.json() == {
        "id": tag.pk,
        "name": "敏感肌",
        "colour": "warning",
        "customer_count": 0,
    }
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Sensitive skin"
    assert deleted.status_code == 204
    assert Tag.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="customers.tag").count() == 3


def test_create_refuses_a_name_taken_in_another_case(client, manager_a):
    TagFactory(name="Referral")
    client.force_login(manager_a)

    response = client.post(LIST, {"name": "referral"}, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["name"]
    assert Tag.objects.count() == 1


@pytest.mark.parametrize("role", [Role.SALES, Role.SERVICE_AGENT, Role.MARKETER])
def test_only_owners_and_managers_keep_the_list(client, store_a, make_staff, role):
    tag = TagFactory(name="团购")
    client.force_login(make_staff(role=role, stores=[store_a]))

    created = client.post(LIST, {"name": "New"}, content_type="application/json")
    renamed = client.patch(detail(tag), {"name": "Changed"}, content_type="application/json")
    deleted = client.delete(detail(tag))
    read = client.get(detail(tag))

    assert (created.status_code, renamed.status_code, deleted.status_code) == (403, 403, 403)
    assert read.status_code == 200
    assert list(Tag.objects.values_list("name", flat=True)) == ["团购"]


def test_unknown_tag_is_not_found(client, manager_a):
    client.force_login(manager_a)

    response = client.patch(
        reverse("api-tag-detail", args=[999999]), {"name": "X"}, content_type="application/json"
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_sales_tags_and_untags_a_customer(client, store_a, sales_a):
    vip, referral = TagFactory(name="VIP"), TagFactory(name="Referral")
    customer = CustomerFactory(home_store=store_a, tags=[referral])
    client.force_login(sales_a)

    added = client.post(tag_add(customer), {"tag": vip.pk}, content_type="application/json")
    again = client.post(tag_add(customer), {"tag": vip.pk}, content_type="application/json")
    removed = client.delete(tag_remove(customer, referral))

    assert added.status_code == 200
    assert added.json() == {"customer": customer.pk, "tags": sorted([vip.pk, referral.pk])}
    assert again.json() == added.json()
    assert removed.status_code == 204
    assert list(customer.tags.values_list("name", flat=True)) == ["VIP"]
    customer.refresh_from_db()
    assert customer.completeness == 11  # gender and tags: 2 of 18


def test_tagging_refuses_an_unknown_tag(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    response = client.post(tag_add(customer), {"tag": 999999}, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["tag"]
    assert customer.tags.count() == 0


def test_untagging_a_tag_the_customer_lacks_is_not_found(client, store_a, sales_a):
    tag = TagFactory(name="VIP")
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    response = client.delete(tag_remove(customer, tag))

    assert response.status_code == 404
    assert Tag.objects.count() == 1


def test_marketer_may_not_tag(client, store_a, marketer_a):
    tag = TagFactory(name="VIP")
    customer = CustomerFactory(home_store=store_a)
    client.force_login(marketer_a)

    response = client.post(tag_add(customer), {"tag": tag.pk}, content_type="application/json")

    assert response.status_code == 403
    assert customer.tags.count() == 0


def test_tagging_another_stores_customer_is_not_found(client, store_b, manager_a):
    tag = TagFactory(name="VIP")
    customer = CustomerFactory(home_store=store_b)
    client.force_login(manager_a)

    response = client.post(tag_add(customer), {"tag": tag.pk}, content_type="application/json")

    assert response.status_code == 404
    assert customer.tags.count() == 0
