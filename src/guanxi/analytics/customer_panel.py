"""Registers the "Customer intelligence" panel of the customer page (``profile_panels``): the
customer's segment and R×F cell with its recommended action, the probability that they are still
active, their expected purchases and lifetime value (as of the last refresh), their first and last
purchase and totals (live, from the orders), and the "often bought together" and "likely next
purchase" suggestions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from guanxi.analytics.selectors import (
    customer_metrics_get,
    customer_purchase_totals,
    customer_suggestions,
    grid_cell_actions,
)
from guanxi.core.permissions import has_capability
from guanxi.customers.profile_panels import profile_panel_register


def analytics_panel(request: HttpRequest, customer: Any) -> dict[str, Any] | None:
    """The panel's context; nothing for a user without the capability or an erased customer."""
    if not has_capability(request.user, "analytics.view") or customer.erased_at is not None:
        return None
    metrics = customer_metrics_get(customer)
    totals = customer_purchase_totals(customer)
    suggestions = customer_suggestions(customer)
    cell = metrics.cell if metrics is not None else ""
    return {
        "metrics": metrics,
        "totals": totals,
        "cell": cell,
        "cell_action": grid_cell_actions().get(cell, "") if cell else "",
        "often_bought_together": list(suggestions.get("often_bought_together", []))[:5],
        "likely_next": list(suggestions.get("likely_next", []))[:5],
        "can_view_analytics": has_capability(request.user, "analytics.reports"),
    }


profile_panel_register(
    "analytics.customer",
    "analytics/partials/_customer_panel.html",
    analytics_panel,
    order=20,
)
