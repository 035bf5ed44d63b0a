"""Money: one rounding rule, allocation with the remainder on the last line, locale formatting.

Amounts are ``Decimal`` with two places, never ``float``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency
from django.conf import settings
from django.db import models
from django.utils import translation

CENT = Decimal("0.01")
MAX_DIGITS = 14
DECIMAL_PLACES = 2

# Django language codes to Babel locales.
BABEL_LOCALES = {"en": "en_US", "zh-hans": "zh_Hans_CN", "zh-hant": "zh_Hant_TW"}


def money_round(amount: Decimal | int | str) -> Decimal:
    """The one rounding rule: to the cent, halves away from zero."""
    if isinstance(amount, float):
        raise TypeError("money is never a float")
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``; the last share takes the rounding remainder.

    The shares always add up to ``total`` exactly.
    """
    if not weights:
        return []
    total = money_round(total)
    weight_sum = sum(Decimal(w) for w in weights)
    if weight_sum == 0:
        shares = [Decimal("0.00")] * (len(weights) - 1)
    else:
        shares = [money_round(total * Decimal(w) / weight_sum) for w in weights[:-1]]
    shares.append(total - sum(shares, Decimal("0.00")))
    return shares


def currency() -> str:
    return str(settings.GUANXI_CURRENCY)


def format_money(amount: Decimal | int | None, currency_code: str | None = None) -> str:
    """Format an amount for the active language, e.g. ``¥1,234.50`` / ``CN¥1,234.50``."""
    if amount is None:
        return ""
    locale = BABEL_LOCALES.get(translation.get_language() or "en", "en_US")
    return format_currency(Decimal(amount), currency_code or currency(), locale=locale)


class MoneyField(models.DecimalField):
    """An amount of money: 14 digits, 2 decimal places."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, path, args, kwargs = super().deconstruct()
        return name, "guanxi.core.money.MoneyField", args, kwargs
