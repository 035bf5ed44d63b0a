"""Benchmarks of the order pages on the seeded orders: the list, one order and its receipt."""

from __future__ import annotations

from benchmarks.measure import Bench


def _latest_order(user: object | None) -> int:
    """The newest order the user may see (the owner sees every store)."""
    from guanxi.orders.models import Order

    orders = Order.objects.order_by("-ordered_at", "-pk")
    if user is not None and getattr(user, "role", "") != "owner":
        orders = orders.filter(store__staff=user)
    pk = orders.values_list("pk", flat=True).first()
    return pk or 0


def order_list(bench: Bench) -> None:
    bench.get("Orders, page 1", "/orders/")


def order_detail(bench: Bench) -> None:
    bench.get("Order detail", lambda user: f"/orders/{_latest_order(user)}/")


def order_receipt(bench: Bench) -> None:
    bench.get("Order receipt", lambda user: f"/orders/{_latest_order(user)}/receipt/")


BENCHMARKS = [order_list, order_detail, order_receipt]
