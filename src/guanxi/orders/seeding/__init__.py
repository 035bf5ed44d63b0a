"""Demo and benchmark data of the orders domain: two years of sales, cards and balances.

``orders_seed`` (order 50, after staff, customers and the catalogue) plans every customer's
visits with the demand model (``demand.py``: loyal, lapsing, occasional and one-off customers;
the shopping calendar of ``calendar.py`` with Spring Festival, 3.8, 618 and Double 11; baskets
with category affinities), then writes them one of two ways:

- **Through the services** (``replay.py``) up to ``BULK_THRESHOLD`` customers — the demo: cards
  issued on joining, top-ups with bonus rules, checkouts with every kind of payment, packages
  sold and used, returns and the monthly points expiry, replayed in order of time. Everything
  is audited and ``guanxi ledger reconcile`` finds no drift.
- **In bulk** (``bulk.py``) above it — the benchmark scale (a million customers, ten million
  order lines): the same plans written with multi-row inserts (SQLite) or ``COPY``
  (PostgreSQL). Bulk orders are paid by mobile, bank card or cash only; the points they earn
  are posted per membership and calendar year as one ledger transaction with its entries and
  points lot (and the expiry of lots already past their date), so every balance still equals
  its entries. See ``bulk.py`` for what the bulk path leaves out.

``GUANXI_SEED_BULK_THRESHOLD`` (an environment variable of the seeding command, not a setting)
moves the threshold, e.g. to seed the checkout benchmark's database quickly.
"""

from __future__ import annotations

import os

from guanxi.core.seeding import SeedContext, seeder_register
from guanxi.customers.models import Customer
from guanxi.orders.seeding.common import Cast, assortment_load
from guanxi.orders.seeding.demand import DemandModel

BULK_THRESHOLD = 50_000
SEEDER_ORDER = 50


def bulk_threshold() -> int:
    """Above this many customers the orders are written in bulk."""
    return int(os.environ.get("GUANXI_SEED_BULK_THRESHOLD", "") or BULK_THRESHOLD)


def orders_seed(context: SeedContext) -> None:
    """Two years of orders for the customers of the earlier seeders (nothing without them)."""
    assortment = assortment_load()
    if not context.customers or not assortment.items:
        return
    model = DemandModel(context.rng("orders.demand"), assortment, context.today, context.timezone)
    cast = Cast(list(context.stores) or None)
    if context.customers > bulk_threshold():
        from guanxi.orders.seeding.bulk import orders_bulk

        orders_bulk(context, model, cast)
        return
    from guanxi.orders.seeding.replay import orders_replay

    customers = list(Customer.objects.filter(erased_at__isnull=True).order_by("pk"))
    stats = orders_replay(context, model, cast, customers)
    context.count("member cards", stats.cards)
    context.count("orders", stats.orders)
    context.count("order lines", stats.lines)
    context.count("top-ups", stats.topups)
    context.count("packages", stats.packages)
    context.count("package sessions", stats.sessions)
    context.count("returns", stats.returns)
    context.data["orders.stats"] = stats


seeder_register("orders", SEEDER_ORDER, orders_seed)
