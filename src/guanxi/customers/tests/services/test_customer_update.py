import datetime

import pytest
from django.core.exceptions import ValidationError

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.services import customer_update
from guanxi.customers.tests.factories import CustomerFactory


def test_updates_given_fields_and_audits_the_change(store_a, sales_a):
    # given
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")

    # when
    customer_update(
        customer=customer,
        data={"phone": "+86 139 0013 9000", "birthday": datetime.date(1988, 2, 29)},
        actor=sales_a,
    )

    # then
    customer.refresh_from_db()
    assert customer.phone == "+8613900139000"
    assert customer.birthday == datetime.date(1988, 2, 29)
    assert customer.full_name == "Wang Fang"
    audit = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert audit.changes == {
        "phone": ["+8613800138000", "+8613900139000"],
        "birthday": [None, "1988-02-29"],
    }
    assert audit.actor == sales_a


def test_an_update_that_changes_nothing_writes_nothing(store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, phone="+8613800138000")

    customer_update(customer=customer, data={"phone": "138 0013 8000"}, actor=sales_a)

    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 0


def test_refuses_moving_a_customer_to_a_store_the_actor_does_not_work_in(store_a, store_b, sales_a):
    customer = CustomerFactory(home_store=store_a)

    with pytest.raises(ValidationError) as exc:
        customer_update(customer=customer, data={"home_store": store_b}, actor=sales_a)

    customer.refresh_from_db()
    assert list(exc.value.message_dict) == ["home_store"]
    assert customer.home_store == store_a
    assert AuditEvent.objects.count() == 0


def test_refuses_a_responsible_staff_member_of_another_store(store_a, store_b, make_staff, owner):
    customer = CustomerFactory(home_store=store_a)
    sales_b = make_staff(role=Role.SALES, stores=[store_b])

    with pytest.raises(ValidationError):
        customer_update(customer=customer, data={"responsible_staff": sales_b}, actor=owner)

    customer.refresh_from_db()
    assert customer.responsible_staff is None


def test_refuses_unknown_fields(store_a, owner):
    customer = CustomerFactory(home_store=store_a)

    with pytest.raises(ValueError, match="created_at"):
        customer_update(customer=customer, data={"created_at": None}, actor=owner)


@pytest.mark.django_db
def test_household_of_another_store_is_refused(store_a, store_b, owner):
    from django.core.exceptions import ValidationError

    from guanxi.customers.tests.factories import HouseholdFactory

    customer = CustomerFactory(home_store=store_a)
    household = HouseholdFactory(store=store_b)

    with pytest.raises(ValidationError) as exc:
        customer_update(customer=customer, data={"household": household}, actor=owner)

    assert "household" in exc.value.message_dict
    customer.refresh_from_db()
    assert customer.household_id is None
