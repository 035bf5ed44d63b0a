"""Member events in a customer's merge, "download my data" and erasure."""

import datetime

import pytest

from guanxi.core.registry import CUSTOMER_DATA
from guanxi.customers.services.merge import customer_merge
from guanxi.customers.services.rights import customer_erase
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.marketing.models import EventRegistration
from guanxi.marketing.services import event_register, lottery_draw, lottery_verify
from guanxi.marketing.tests.factories import MemberEventFactory

pytestmark = pytest.mark.django_db


def test_export_lists_registrations_and_prizes(event, owner, store_a):
    customer = CustomerFactory(home_store=store_a)
    registration, _ = event_register(event=event, customer=customer, actor=owner)
    lottery_draw(event=event, prize="Gift box", winners_count=1, actor=owner, seed=1)

    rows = CUSTOMER_DATA["marketing.events"].export(customer.pk)

    assert rows == [
        {
            "event": "Spring skin-care workshop",
            "starts_at": event.starts_at.astimezone(datetime.UTC).isoformat(),
            "registered_at": registration.created_at.isoformat(),
            "channel": "staff",
            "status": "registered",
            "prizes_won": "Gift box",
        }
    ]


def test_merge_moves_registrations_and_keeps_one_seat_per_event(owner, store_a, event):
    # given two records of one person, both registered for the same event, the source also
    # for another event, and a draw among them
    other = MemberEventFactory(store=store_a, title="Tea")
    source = CustomerFactory(home_store=store_a)
    target = CustomerFactory(home_store=store_a)
    duplicate, _ = event_register(event=event, customer=source, actor=owner)
    kept, _ = event_register(event=event, customer=target, actor=owner)
    moved, _ = event_register(event=other, customer=source, actor=owner)
    draw = lottery_draw(event=event, prize="Gift", winners_count=2, actor=owner, seed=4)

    # when the source is folded into the target
    customer_merge(source=source, target=target, actor=owner)

    # then every registration is the target's, one seat per event is live, the draw replays
    rows = {
        r.pk: (r.customer_id, r.status)
        for r in EventRegistration.objects.filter(pk__in=[duplicate.pk, kept.pk, moved.pk])
    }
    assert rows == {
        duplicate.pk: (target.pk, "cancelled"),
        kept.pk: (target.pk, "registered"),
        moved.pk: (target.pk, "registered"),
    }
    draw.refresh_from_db()
    assert lottery_verify(draw=draw).matches is True


def test_erasure_keeps_the_registrations(owner, store_a, event):
    customer = CustomerFactory(home_store=store_a)
    registration, _ = event_register(event=event, customer=customer, actor=owner)

    customer_erase(customer=customer, actor=owner, reason="request")

    assert EventRegistration.objects.get(pk=registration.pk).status == "registered"
