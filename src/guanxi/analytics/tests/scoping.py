"""Permission-matrix declarations of the analytics pages and API (tests/test_permission_matrix.py),
and the shop the page tests share: customers of two stores with orders made at the till
(``orders.tests.factories``), analysed by the engine itself (``analytics_refresh``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from guanxi.analytics.services import analytics_refresh, audience_create
from guanxi.core.permissions import Role
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.orders.tests.factories import make_order
from guanxi.staff.tests.factories import UserFactory


def buy(customer: Any, store: Any, seller: Any, *, days_ago: int, price: str = "100.00") -> None:
    """One sale to ``customer`` ``days_ago`` days ago (at noon, so never on another day)."""
    at = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    make_order(
        store,
        seller,
        price=price,
        customer=customer,
        ordered_at=at - datetime.timedelta(days=days_ago),
    )


@dataclass
class Shop:
    store_a: Any
    store_b: Any
    fan_a: Any  # four recent purchases in store A
    newcomer_a: Any  # one purchase yesterday in store A
    lapsed_a: Any  # two purchases long ago in store A
    fan_b: Any  # store B's best customer


def shop_with_orders(
    store_a: Any, store_b: Any, *, label: str = "", forecasts: bool = False
) -> Shop:
    """Customers of stores A and B with a purchase history, then a refresh of the figures
    (with the forecasts, which take a moment, only when asked)."""
    seller_a = UserFactory(role=Role.SALES, stores=[store_a])
    seller_b = UserFactory(role=Role.SALES, stores=[store_b])
    fan_a = CustomerFactory(home_store=store_a, full_name=f"Fanatic Alpha{label}")
    newcomer_a = CustomerFactory(home_store=store_a, full_name=f"Newcomer Alpha{label}")
    lapsed_a = CustomerFactory(home_store=store_a, full_name=f"Lapsed Alpha{label}")
    fan_b = CustomerFactory(home_store=store_b, full_name=f"Outofscope Bravo{label}")
    for days in (200, 150, 100, 60, 30, 5):
        buy(fan_a, store_a, seller_a, days_ago=days, price="300.00")
    buy(newcomer_a, store_a, seller_a, days_ago=1, price="80.00")
    for days in (700, 650):
        buy(lapsed_a, store_a, seller_a, days_ago=days, price="50.00")
    for days in (300, 240, 180, 120, 90, 40, 10, 2):
        buy(fan_b, store_b, seller_b, days_ago=days, price="500.00")
    analytics_refresh(actor=None, forecasts=forecasts)
    return Shop(store_a, store_b, fan_a, newcomer_a, lapsed_a, fan_b)


def analysed_customer_of(store: Any) -> Any:
    """A customer of ``store`` with orders, analysed by a refresh: listed by the analytics
    customer lists and API."""
    seller = UserFactory(role=Role.SALES, stores=[store])
    customer = CustomerFactory(home_store=store, full_name=f"Outofscope Analysed {store.code}")
    for days in (90, 30, 3):
        buy(customer, store, seller, days_ago=days, price="120.00")
    analytics_refresh(actor=None, forecasts=False)
    return customer


def audience_of(store: Any) -> Any:
    """An audience saved by a store manager of ``store``, for that store."""
    analysed_customer_of(store)
    manager = UserFactory(role=Role.STORE_MANAGER, stores=[store])
    return audience_create(
        actor=manager,
        name=f"Outofscope audience {store.code}",
        definition={"store": store.pk},
        store_id=store.pk,
    )


def customer_of(store: Any) -> dict[str, Any]:
    return {"pk": analysed_customer_of(store).pk}


SCOPED_URLS = {
    "analytics:audience-detail": audience_of,
    "api-analytics-audience-detail": audience_of,
    "api-analytics-customer-figures": customer_of,
}

LIST_URLS = {
    "analytics:customer-list": analysed_customer_of,
    "analytics:customer-export": analysed_customer_of,
    "analytics:audience-list": audience_of,
    "api-analytics-customer-list": analysed_customer_of,
    "api-analytics-audience-list": audience_of,
}
