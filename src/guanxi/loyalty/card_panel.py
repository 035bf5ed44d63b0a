"""Registers the member-card panel of the customer page (``profile_panels``): the card of the
customer's household (or their own) with its tier and the progress to the next tier, the points
(and those expiring soon), the stored value (paid and bonus), the packages and the last ledger
entries; or an "Issue card" button. Balances are read-only here; they move at the till and
through the card pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from guanxi.core.permissions import has_capability
from guanxi.customers.profile_panels import profile_panel_register
from guanxi.loyalty.selectors import card_for_customer
from guanxi.loyalty.views.cards import card_summary

PANEL_RECENT_ENTRIES = 5


def card_panel(request: HttpRequest, customer: Any) -> dict[str, Any] | None:
    """The panel's context; nothing for a user who may not see loyalty data."""
    if not has_capability(request.user, "loyalty.view"):
        return None
    card = card_for_customer(customer)
    context: dict[str, Any] = {
        "can_manage_cards": has_capability(request.user, "loyalty.cards"),
        "can_issue": customer.erased_at is None,
    }
    if card is not None:
        context.update(card_summary(card, recent=PANEL_RECENT_ENTRIES))
    return context


profile_panel_register("loyalty.card", "loyalty/partials/_card_panel.html", card_panel, order=10)
