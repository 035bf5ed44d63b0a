"""Registers the "Orders" panel of the customer page (``profile_panels``): the customer's last
orders in the user's stores, with a link to each, to all of them and to a new sale."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from guanxi.core.permissions import has_capability
from guanxi.customers.profile_panels import profile_panel_register
from guanxi.orders.selectors import order_history_for_customer

PANEL_ORDERS = 10


def order_panel(request: HttpRequest, customer: Any) -> dict[str, Any] | None:
    """The panel's context; nothing for a user who may not see orders."""
    if not has_capability(request.user, "orders.view"):
        return None
    orders = list(order_history_for_customer(user=request.user, customer=customer)[:PANEL_ORDERS])
    can_checkout = has_capability(request.user, "orders.checkout") and customer.erased_at is None
    if not orders and not can_checkout:
        return None
    return {"orders": orders, "more": len(orders) == PANEL_ORDERS, "can_checkout": can_checkout}


profile_panel_register("orders.orders", "orders/partials/_order_panel.html", order_panel, order=15)
