"""The demo's orders are the same for the same seed (in a module of their own: the other
seeding tests share one seed in an open transaction)."""

import datetime
import hashlib
import os
from unittest import mock

import pytest
from django.db import transaction

import guanxi.catalog.seeding
import guanxi.customers.seeding
import guanxi.orders.seeding
import guanxi.staff.seeding  # noqa: F401 - the seeders the orders need, registered
from guanxi.core.seeding import seed_run
from guanxi.loyalty.models import LedgerAccount
from guanxi.orders.models import Order

TODAY = datetime.date(2026, 3, 15)


def digest():
    """The orders, their lines, payments and returns and every card's balances, by natural
    keys (phones, SKUs, usernames, times), so that primary keys do not matter."""
    rows = []
    orders = Order.objects.select_related("customer", "store").order_by(
        "ordered_at", "customer__phone"
    )
    for order in orders.prefetch_related("lines__staff", "lines__product", "payments", "returns"):
        rows.append(
            (
                order.customer.phone if order.customer else "",
                order.store.code,
                order.ordered_at,
                order.total,
                order.tier_discount,
                order.points_earned,
                order.returned_total,
                [
                    (line.kind, line.sku, line.quantity, line.amount, line.staff.username)
                    for line in order.lines.all()
                ],
                [(p.method, p.amount, p.points, p.refunded) for p in order.payments.all()],
                [(r.amount, r.reason, r.created_at) for r in order.returns.all()],
            )
        )
    rows += list(
        LedgerAccount.objects.filter(is_system=False)
        .order_by("membership__cards__number", "kind", "balance")
        .values_list("membership__cards__number", "kind", "balance")
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def seeded_digest(seed_number):
    threshold = {"GUANXI_SEED_BULK_THRESHOLD": "1000000"}  # through the services
    with mock.patch.dict(os.environ, threshold), transaction.atomic():
        seed_run(customers=30, seed=seed_number, store_count=2, today=TODAY)
        result = digest()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_orders():
    first = seeded_digest(7)
    second = seeded_digest(7)

    assert first == second
    assert Order.objects.count() == 0  # both seeds were rolled back
