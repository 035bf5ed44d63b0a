"""Creating and changing events: audited, limited to the stores one manages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.core.models import AuditEvent
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.marketing.models import MemberEvent
from guanxi.marketing.services import event_create, event_register, event_update

pytestmark = pytest.mark.django_db

STARTS = timezone.make_aware(datetime.datetime(2030, 3, 8, 14, 0))


def _data(**overrides):
    return {
        "title": "3.8 Women's Day tea",
        "place": "Store A lounge",
        "starts_at": STARTS,
        "ends_at": STARTS + datetime.timedelta(hours=2),
        "capacity": 40,
        **overrides,
    }


def test_a_marketer_creates_an_event_of_their_store(marketer_a, store_a):
    event = event_create(actor=marketer_a, **_data(store=store_a))

    assert (event.title, event.store_id, event.created_by_id) == (
        "3.8 Women's Day tea",
        store_a.pk,
        marketer_a.pk,
    )
    audit = AuditEvent.objects.get(object_type="marketing.memberevent", object_pk=str(event.pk))
    assert (audit.action, audit.store_id, audit.changes["capacity"]) == (
        "create",
        store_a.pk,
        [None, 40],
    )


def test_only_the_owner_creates_an_event_of_every_store(marketer_a, owner):
    with pytest.raises(PermissionDenied):
        event_create(actor=marketer_a, **_data(store=None))

    event = event_create(actor=owner, **_data(store=None))

    assert MemberEvent.objects.get().pk == event.pk


def test_a_manager_cannot_create_an_event_of_another_store(manager_a, store_b):
    with pytest.raises(PermissionDenied):
        event_create(actor=manager_a, **_data(store=store_b))
    assert MemberEvent.objects.count() == 0


def test_sales_staff_cannot_create_events(sales_a, store_a):
    with pytest.raises(PermissionDenied):
        event_create(actor=sales_a, **_data(store=store_a))


def test_an_event_cannot_end_before_it_starts(marketer_a, store_a):
    with pytest.raises(ValidationError) as caught:
        event_create(
            actor=marketer_a, **_data(store=store_a, ends_at=STARTS - datetime.timedelta(hours=1))
        )
    assert caught.value.message_dict == {"ends_at": ["The event cannot end before it starts."]}


def test_a_spend_period_needs_a_minimum_and_only_one_kind(marketer_a, store_a):
    with pytest.raises(ValidationError) as caught:
        event_create(
            actor=marketer_a,
            **_data(store=store_a, spend_since=datetime.date(2030, 1, 1), spend_days=30),
        )
    assert caught.value.message_dict == {
        "spend_days": ["Count the spend from a day or over some days, not both."],
        "minimum_spend": ["A spend period needs a minimum spend."],
    }


def test_update_is_audited_and_capacity_stays_above_the_registered(marketer_a, sales_a, store_a):
    # given an event with 2 customers registered
    event = event_create(actor=marketer_a, **_data(store=store_a))
    for _ in range(2):
        event_register(event=event, customer=CustomerFactory(home_store=store_a), actor=sales_a)

    # when the capacity is lowered to 1, then to 2
    with pytest.raises(ValidationError) as caught:
        event_update(event=event, data={"capacity": 1}, actor=marketer_a)
    updated = event_update(event=event, data={"capacity": 2, "place": "Hall"}, actor=marketer_a)

    # then 1 is refused, 2 is saved and audited
    assert caught.value.message_dict == {
        "capacity": ["2 customers are registered: the capacity cannot be lower."]
    }
    assert (updated.capacity, updated.place) == (2, "Hall")
    audit = AuditEvent.objects.filter(
        object_type="marketing.memberevent", object_pk=str(event.pk), action="update"
    ).get()
    assert audit.changes == {"capacity": [40, 2], "place": ["Store A lounge", "Hall"]}
