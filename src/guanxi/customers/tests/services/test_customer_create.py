import datetime

import pytest
from django.core.exceptions import ValidationError

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_create
from guanxi.customers.tests.factories import CustomerFactory


def test_creates_customer_with_normalised_phone_audit_row_and_timeline_event(store_a, sales_a):
    # when
    customer = customer_create(
        full_name="  王芳 ",
        phone="138-0013-8000",
        home_store=store_a,
        gender="female",
        birthday=datetime.date(1990, 5, 17),
        email="wang.fang@example.com",
        responsible_staff=sales_a,
        actor=sales_a,
    )

    # then
    customer.refresh_from_db()
    assert customer.full_name == "王芳"
    assert customer.phone == "+8613800138000"
    assert customer.home_store == store_a
    assert customer.responsible_staff == sales_a
    audit = AuditEvent.objects.get(object_type="customers.customer", object_pk=str(customer.pk))
    assert audit.action == AuditAction.CREATE
    assert audit.actor == sales_a
    assert audit.store_id == store_a.pk
    assert audit.changes["phone"] == [None, "+8613800138000"]
    event = TimelineEvent.objects.get(customer_id=customer.pk)
    assert (event.domain, event.kind) == ("customers", "created")
    assert event.title == "Became a member at Store A"
    assert event.store_id == store_a.pk
    assert event.actor_id == sales_a.pk
    assert (event.object_type, event.object_pk) == ("customers.customer", str(customer.pk))


def test_refuses_a_phone_already_registered(store_a, sales_a):
    # given
    CustomerFactory(home_store=store_a, phone="+8613800138000")

    # when
    with pytest.raises(ValidationError) as exc:
        customer_create(
            full_name="Zhang Wei", phone="138 0013 8000", home_store=store_a, actor=sales_a
        )

    # then
    assert "phone" in exc.value.message_dict
    assert Customer.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 0
    assert TimelineEvent.objects.count() == 0


def test_refuses_an_invalid_phone(store_a, sales_a):
    with pytest.raises(ValidationError):
        customer_create(full_name="Zhang Wei", phone="12345", home_store=store_a, actor=sales_a)

    assert Customer.objects.count() == 0


def test_refuses_a_store_the_actor_does_not_work_in(store_a, store_b, sales_a):
    with pytest.raises(ValidationError) as exc:
        customer_create(
            full_name="Zhang Wei", phone="13800138000", home_store=store_b, actor=sales_a
        )

    assert list(exc.value.message_dict) == ["home_store"]
    assert Customer.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_refuses_a_responsible_staff_member_of_another_store(store_a, store_b, make_staff, owner):
    # given
    sales_b = make_staff(role=Role.SALES, stores=[store_b])

    # when
    with pytest.raises(ValidationError) as exc:
        customer_create(
            full_name="Zhang Wei",
            phone="13800138000",
            home_store=store_a,
            responsible_staff=sales_b,
            actor=owner,
        )

    # then
    assert list(exc.value.message_dict) == ["responsible_staff"]
    assert Customer.objects.count() == 0


def test_owner_files_a_customer_in_any_store_and_may_be_responsible(store_b, owner):
    customer = customer_create(
        full_name="Zhang Wei",
        phone="13800138000",
        home_store=store_b,
        responsible_staff=owner,
        actor=owner,
    )

    assert customer.home_store == store_b
    assert customer.responsible_staff == owner
