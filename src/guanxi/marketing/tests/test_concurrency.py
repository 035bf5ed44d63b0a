"""The capacity of an event holds when many tills register at the same moment, each on its own
database connection (PostgreSQL row lock on the event; SQLite's BEGIN IMMEDIATE)."""

import pytest

from guanxi.core.errors import ApplicationError
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.tests.threads import in_thread, run_concurrently, separate_connections
from guanxi.marketing.models import EventRegistration
from guanxi.marketing.services import event_register
from guanxi.marketing.tests.factories import MemberEventFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


def _outcome(call):
    try:
        _registration, created = call()
    except ApplicationError as error:
        return error.code
    return "created" if created else "existing"


def test_20_concurrent_registrations_for_5_places(store_a, sales_a):
    # given an event with 5 places and 20 customers
    event = MemberEventFactory(store=store_a, capacity=5)
    customers = [CustomerFactory(home_store=store_a) for _ in range(20)]
    with separate_connections():
        # when all 20 are registered at once
        outcomes = run_concurrently(
            lambda i: _outcome(
                lambda: event_register(event=event, customer=customers[i], actor=sales_a)
            ),
            20,
        )
        live = in_thread(
            lambda: EventRegistration.objects.filter(event=event, status="registered").count()
        )
    # then exactly 5 get a place, 15 are told the event is full, and nothing else happens
    assert sorted(set(map(str, outcomes))) == ["created", "event_full"]
    assert outcomes.count("created") == 5
    assert outcomes.count("event_full") == 15
    assert live == 5


def test_one_customer_registered_10_times_at_once_holds_one_place(store_a, sales_a):
    event = MemberEventFactory(store=store_a, capacity=5)
    customer = CustomerFactory(home_store=store_a)
    with separate_connections():
        outcomes = run_concurrently(
            lambda _i: _outcome(
                lambda: event_register(event=event, customer=customer, actor=sales_a)
            ),
            10,
            threads=10,
        )
        live = in_thread(lambda: EventRegistration.objects.filter(event=event).count())
    assert sorted(outcomes) == ["created"] + ["existing"] * 9
    assert live == 1
