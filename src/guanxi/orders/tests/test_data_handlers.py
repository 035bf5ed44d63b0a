"""The orders entry in the customer-data registry: export, erase and merge."""

from decimal import Decimal

import pytest

from guanxi.core.models import AuditEvent
from guanxi.core.registry import customer_data_handlers
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.orders.data_handlers import orders_erase, orders_export, orders_merge
from guanxi.orders.models import Order
from guanxi.orders.services import CheckoutPayment, checkout, order_return
from guanxi.orders.tests.factories import product, product_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(store_a):
    return CustomerFactory(home_store=store_a)


@pytest.fixture
def order(store_a, owner, customer):
    placed = checkout(
        store=store_a,
        actor=owner,
        customer=customer,
        lines=[product_line(product("45.00", sku="LIP-1", name_en="Lip balm"), 2)],
        payments=[CheckoutPayment("bank_card", Decimal("90.00"), reference="VISA 4242")],
        note="Asked for gift wrapping, lives upstairs",
    )
    order_return(order=placed, lines=[(placed.lines.get(), 1)], actor=owner, reason="Allergy")
    return placed


def test_the_handler_is_registered_after_loyalty():
    keys = [handler.key for handler in customer_data_handlers()]
    assert keys.index("loyalty") < keys.index("orders")


def test_export_lists_lines_and_returns(order, customer):
    rows = orders_export(customer.pk)
    assert rows[0] | {"time": None} == {
        "order": order.number,
        "time": None,
        "store": "Store A",
        "status": "partly_returned",
        "item": "Lip balm",
        "sku": "LIP-1",
        "quantity": 2,
        "quantity_returned": 1,
        "unit_price": "45.00",
        "discount": "0.00",
        "amount": "90.00",
        "points_earned": 0,
        "order_total": "90.00",
        "payments": "bank_card 90.00",
    }
    assert (rows[1]["status"], rows[1]["amount"], rows[1]["reason"]) == (
        "return",
        "-45.00",
        "Allergy",
    )
    assert len(rows) == 2


def test_erase_blanks_what_staff_typed_and_keeps_the_books(order, customer, owner):
    assert orders_erase(customer.pk, owner) == 3
    kept = Order.objects.get(pk=order.pk)
    assert (kept.note, kept.customer, kept.total, kept.returned_total) == (
        "",
        customer,
        Decimal("90.00"),
        Decimal("45.00"),
    )
    assert kept.payments.get().reference == ""
    assert kept.returns.get().reason == ""
    assert orders_erase(customer.pk, owner) == 0


def test_merge_moves_the_orders_and_audits_each(order, customer, store_a, owner):
    kept = CustomerFactory(home_store=store_a)
    assert orders_merge(customer.pk, kept.pk, owner) == 1
    assert Order.objects.get(pk=order.pk).customer == kept
    event = (
        AuditEvent.objects.filter(object_type="orders.order", object_pk=str(order.pk))
        .order_by("pk")
        .last()
    )
    assert (event.changes, event.message) == (
        {"customer": [customer.pk, kept.pk]},
        "Order moved by a customer merge",
    )
    assert orders_merge(customer.pk, kept.pk, owner) == 0
