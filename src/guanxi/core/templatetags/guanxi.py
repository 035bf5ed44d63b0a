"""Template helpers every domain uses: ``{% load guanxi %}``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from guanxi.core.money import format_money

register = template.Library()


@register.filter
def money(amount: object, currency: str | None = None) -> str:
    """``{{ order.total|money }}`` → ``¥1,234.50`` in the active language and the configured
    currency (``GUANXI_CURRENCY``); ``{{ amount|money:"HKD" }}`` for another currency."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    return format_money(value, currency)
