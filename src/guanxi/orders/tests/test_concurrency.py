"""Checkouts under concurrent requests, each on its own database connection (PostgreSQL row
locks; SQLite's BEGIN IMMEDIATE with the busy timeout)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from guanxi.core.errors import ApplicationError
from guanxi.core.permissions import Role
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import LedgerEntry, LedgerTransaction
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import ledger_reconcile, points_award, stored_value_topup
from guanxi.loyalty.tests.factories import make_card
from guanxi.loyalty.tests.threads import in_thread, run_concurrently, separate_connections
from guanxi.orders.choices import PaymentMethod
from guanxi.orders.models import Order, OrderLine, OrderReturn, Payment
from guanxi.orders.services import CheckoutPayment, checkout, order_return
from guanxi.orders.tests.factories import product, product_line, service

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_the_same_checkout_sent_20_times_at_once_is_written_once(store_a, owner, make_staff):
    # given a member with stored value and points, and a till that sends one checkout 20 times
    # at once with the same idempotency key
    card = make_card(store_a, actor=owner)
    stored_value_topup(card=card, amount=Decimal("500.00"), payment="cash", actor=owner)
    points_award(card=card, points=1000, reason="opening", actor=owner)
    sales = make_staff(role=Role.SALES, stores=[store_a])
    body = {
        "reference": "TILL7-0042",
        "customer": {"card_number": card.number},
        "lines": [
            {"sku": product("120.00").sku, "quantity": 2},
            {"kind": "service", "service": service("80.00").pk},
        ],
        "payments": [
            {"method": "stored_value", "amount": "300.00"},
            {"method": "points", "amount": "10.00"},
            {"method": "cash", "amount": "10.00"},
        ],
    }
    url = reverse("api-order-list")

    def send(_index):
        client = APIClient()
        client.force_authenticate(sales)
        response = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="till-7-42")
        return response.status_code, response.json()

    with separate_connections():
        responses = run_concurrently(send, 20)
        written = in_thread(
            lambda: (
                Order.objects.count(),
                OrderLine.objects.count(),
                Payment.objects.count(),
                sorted(
                    LedgerTransaction.objects.filter(reference__startswith="order:").values_list(
                        "kind", flat=True
                    )
                ),
                LedgerEntry.objects.count(),
                card_balances(card),
                ledger_reconcile(),
            )
        )

    # then every request got the same answer, and one order with one set of entries exists
    errors = [r for r in responses if isinstance(r, BaseException)]
    assert errors == []
    assert {status for status, _body in responses} == {201}
    assert all(body == responses[0][1] for _status, body in responses)
    orders, lines, payments, kinds, entries, balances, drift = written
    assert (orders, lines, payments) == (1, 2, 3)
    assert kinds == ["redemption", "sale", "spend"]
    # topup (2 entries) + award (2) + spend (2) + redemption (2) + points earned (2)
    assert entries == 10
    assert balances[AccountKind.STORED_VALUE_PRINCIPAL] == Decimal("200.00")
    # 1,000 points paid 10.00; 300.00 of paid stored value and 10.00 cash earn 310 points
    assert balances[AccountKind.POINTS] == 1000 - 1000 + 310
    assert drift == []
    assert responses[0][1]["points_earned"] == 310


def _outcome(call):
    try:
        call()
    except ApplicationError as error:
        return error.code
    return "ok"


def test_20_tills_spending_one_balance_at_once(store_a, owner):
    # given a card with 1,000.00 of stored value
    card = make_card(store_a, actor=owner)
    stored_value_topup(card=card, amount=Decimal("1000.00"), payment="cash", actor=owner)
    item = product("100.00")

    def sell(_index):
        return _outcome(
            lambda: checkout(
                store=store_a,
                actor=owner,
                card=card,
                lines=[product_line(item)],
                payments=[CheckoutPayment(PaymentMethod.STORED_VALUE, Decimal("100.00"))],
            )
        )

    with separate_connections():
        # when 20 tills sell 100.00 paid from it at the same moment
        outcomes = run_concurrently(sell, 20)
        orders, balances, drift = in_thread(
            lambda: (Order.objects.count(), card_balances(card), ledger_reconcile())
        )

    # then exactly 10 sales go through, 10 are refused clearly, nothing else goes wrong
    assert sorted(set(map(str, outcomes))) == ["insufficient_stored_value", "ok"]
    assert outcomes.count("ok") == 10
    assert orders == 10
    assert balances[AccountKind.STORED_VALUE_PRINCIPAL] == Decimal("0.00")
    assert balances[AccountKind.POINTS] == 1000
    assert drift == []


def test_returns_and_sales_on_one_card_at_once(store_a, owner):
    # given 10 cash sales that earned points, and a card with points to pay with
    card = make_card(store_a, actor=owner)
    points_award(card=card, points=1000, reason="opening", actor=owner)
    sold = [
        checkout(
            store=store_a,
            actor=owner,
            card=card,
            lines=[product_line(product("50.00"))],
            payments=[CheckoutPayment(PaymentMethod.CASH, Decimal("50.00"))],
        )
        for _i in range(10)
    ]
    item = product("20.00")

    def work(index):
        if index % 2:
            order = sold[index // 2]
            return _outcome(lambda: order_return(order=order, lines=[], actor=owner))
        return _outcome(
            lambda: checkout(
                store=store_a,
                actor=owner,
                card=card,
                lines=[product_line(item)],
                payments=[
                    CheckoutPayment(PaymentMethod.POINTS, Decimal("1.00")),
                    CheckoutPayment(PaymentMethod.CASH, Decimal("19.00")),
                ],
            )
        )

    with separate_connections():
        # when the 10 orders are returned while 10 more sales pay partly in points
        outcomes = run_concurrently(work, 20)
        balances, drift = in_thread(lambda: (card_balances(card), ledger_reconcile()))

    # then every one of them goes through, with no deadlock, and the points add up:
    # 1,000 + 10 × 50 earned − 10 × 50 taken back − 10 × 100 paid + 10 × 19 earned
    assert outcomes == ["ok"] * 20
    assert balances[AccountKind.POINTS] == 1000 + 500 - 500 - 1000 + 190
    assert drift == []


def test_one_line_returned_by_10_tills_at_once_comes_back_once(store_a, owner):
    order = checkout(
        store=store_a,
        actor=owner,
        lines=[product_line(product("80.00"))],
        payments=[CheckoutPayment(PaymentMethod.CASH, Decimal("80.00"))],
    )
    line = order.lines.get()
    with separate_connections():
        outcomes = run_concurrently(
            lambda _i: _outcome(lambda: order_return(order=order, lines=[(line, 1)], actor=owner)),
            10,
        )
        returns, refunded = in_thread(
            lambda: (OrderReturn.objects.count(), Order.objects.get(pk=order.pk).returned_total)
        )
    assert outcomes.count("ok") == 1
    assert outcomes.count("already_returned") == 9
    assert (returns, refunded) == (1, Decimal("80.00"))
