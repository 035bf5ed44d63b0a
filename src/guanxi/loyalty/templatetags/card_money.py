"""Template helpers of the member card's money pages: ``{% load card_money %}``."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.core.permissions import has_capability
from guanxi.loyalty.choices import CardStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def card_money_actions(context: Any, card: Any) -> dict[str, bool]:
    """Which money pages the signed-in staff member may open for ``card`` in its state: top up
    (an active card), refund paid value (any card but a replaced one), use a package session
    (an active card with a package that still has a session and has not expired; read from the
    card page's ``packages``)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    active = card.status == CardStatus.ACTIVE
    packages = context.get("packages") or []
    sessions_left = any(not item["expired"] and not item["used_up"] for item in packages)
    return {
        "topup": active and has_capability(user, "loyalty.topup"),
        "refund": card.status != CardStatus.REPLACED and has_capability(user, "loyalty.refund"),
        "package_session": active and sessions_left and has_capability(user, "loyalty.redeem"),
    }
