"""Demo-like data for the engine tests: the orders seeder's bulk path (the demand model with its
loyal, lapsing and one-off customers, seasons and festivals) on a few hundred customers."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings

import guanxi.catalog.seeding
import guanxi.customers.seeding
import guanxi.orders.seeding
import guanxi.staff.seeding  # noqa: F401 - the seeders the orders need, registered
from guanxi.core.seeding import seed_run
from guanxi.customers.models import Customer
from guanxi.orders.choices import OrderStatus
from guanxi.orders.models import Order

CUSTOMERS = 240


def seed_demo(customers: int = CUSTOMERS, seed: int = 3) -> Any:
    return seed_run(customers=customers, seed=seed, store_count=2)


def reference_metrics() -> dict[int, dict[str, Any]]:
    """Per customer, from the ORM and plain Python: what the engine must find."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    erased = set(Customer.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    found: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"days": set(), "spend": Decimal("0.00"), "orders": 0}
    )
    rows = (
        Order.objects.exclude(status=OrderStatus.RETURNED)
        .filter(customer__isnull=False)
        .values_list("customer_id", "ordered_at", "total", "returned_total")
    )
    for customer_id, ordered_at, total, returned in rows:
        if customer_id in erased:
            continue
        entry = found[customer_id]
        entry["days"].add(ordered_at.astimezone(zone).date())
        entry["spend"] += total - returned
        entry["orders"] += 1
    return {
        pk: {
            "purchases": len(entry["days"]),
            "first": min(entry["days"]),
            "last": max(entry["days"]),
            "spend": entry["spend"],
            "orders": entry["orders"],
        }
        for pk, entry in found.items()
    }


def local_today() -> datetime.date:
    return datetime.datetime.now(tz=zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
