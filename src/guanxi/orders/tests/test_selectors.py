"""Reads: scoped lists and filters, one order, receipts, customers named by a POS."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.customers.selectors.quality import CUSTOMER_VALUE_SOURCES
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory
from guanxi.loyalty.services import points_award
from guanxi.loyalty.tests.factories import make_card
from guanxi.orders.choices import OrderSource
from guanxi.orders.selectors import (
    OrderFilters,
    customer_find,
    order_get,
    order_history_for_customer,
    order_lines_returnable,
    order_list,
    order_receipt,
)
from guanxi.orders.services import order_return
from guanxi.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db
D = Decimal


def test_staff_see_their_stores_orders_and_owners_all(store_a, store_b, sales_a, owner):
    mine, theirs = make_order(store_a, owner), make_order(store_b, owner)
    assert list(order_list(user=sales_a)) == [mine]
    assert list(order_list(user=owner)) == [theirs, mine]
    assert order_get(user=sales_a, pk=theirs.pk) is None
    assert order_get(user=sales_a, pk="nonsense") is None
    assert order_get(user=owner, pk=theirs.pk) == theirs


def test_filters(store_a, store_b, owner):
    customer = CustomerFactory(home_store=store_a)
    now = timezone.now()
    old = make_order(
        store_a,
        owner,
        customer=customer,
        ordered_at=now - datetime.timedelta(days=10),
        source=OrderSource.API,
        reference="POS-OLD-1",
    )
    new = make_order(store_a, owner, source=OrderSource.API, reference="POS-NEW-2")
    other = make_order(store_b, owner)
    today = timezone.localdate()

    def listed(**filters):
        return list(order_list(user=owner, filters=OrderFilters(**filters)))

    assert listed(store_id=store_b.pk) == [other]
    assert listed(customer_id=customer.pk) == [old]
    assert listed(date_from=today - datetime.timedelta(days=1)) == [other, new]
    assert listed(date_to=today - datetime.timedelta(days=1)) == [old]
    assert listed(q="pos-new") == [new]
    assert listed(q="POS-OLD-1") == [old]
    assert listed(q=f"{old.pk:08d}") == [old]
    assert order_list(user=owner, q=str(other.pk)).get() == other
    assert list(order_history_for_customer(user=owner, customer=customer)) == [old]


def test_the_receipt_shows_the_balances_now(store_a, card, owner, sales_a):
    points_award(card=card, points=40, reason="opening", actor=owner)
    order = make_order(store_a, sales_a, price="25.00", quantity=2, card=card)
    receipt = order_receipt(order=order_get(user=sales_a, pk=order.pk))
    assert [line.amount for line in receipt.lines] == [D("50.00")]
    assert [(p.method, p.amount) for p in receipt.payments] == [("cash", D("50.00"))]
    assert (receipt.total_discount, receipt.points_paid, receipt.points_balance) == (
        D("0.00"),
        0,
        90,
    )
    assert (receipt.stored_value_principal, receipt.stored_value_bonus) == (D("0"), D("0"))


def test_returnable_quantities(store_a, owner):
    order = make_order(store_a, owner, quantity=3)
    order_return(order=order, lines=[(order.lines.get(), 1)], actor=owner)
    assert [(line.pk, left) for line, left in order_lines_returnable(order=order)] == [
        (order.lines.get().pk, 2)
    ]


def test_a_pos_names_a_customer(store_a, sales_a, owner):
    card = make_card(store_a, actor=owner, phone="+8613912345678", external_id="CRM-9")
    customer = card.membership.customer
    assert customer_find(user=sales_a, phone="139 1234 5678") == (customer, None)
    assert customer_find(user=sales_a, external_id="CRM-9") == (customer, None)
    assert customer_find(user=sales_a, card_number=card.number.lower()) == (customer, card)
    assert customer_find(user=sales_a) == (None, None)
    for wrong in ({"phone": "12"}, {"phone": "+8613900000001"}, {"card_number": "GX1"}):
        with pytest.raises(LookupError):
            customer_find(user=sales_a, **wrong)


def test_a_household_card_names_no_single_customer(store_a, sales_a, owner):
    household = HouseholdFactory(store=store_a)
    card = make_card(store_a, actor=owner, household=household)
    assert customer_find(user=sales_a, card_number=card.number) == (None, card)


def test_customers_rank_by_spend(store_a, owner):
    big, small, none = (CustomerFactory(home_store=store_a) for _i in range(3))
    make_order(store_a, owner, price="500.00", customer=big)
    order = make_order(store_a, owner, price="80.00", quantity=2, customer=small)
    order_return(order=order, lines=[(order.lines.get(), 1)], actor=owner)
    spend = CUSTOMER_VALUE_SOURCES["orders.spend"]()
    ranked = dict(
        Customer.objects.filter(pk__in=[big.pk, small.pk, none.pk])
        .annotate(spend=spend)
        .values_list("pk", "spend")
    )
    assert ranked == {big.pk: D("500.00"), small.pk: D("80.00"), none.pk: D("0.00")}
