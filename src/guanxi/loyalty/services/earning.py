"""Points earned on a purchase, points as payment, and the owner's earning rules.

**How many points a line earns.** The exact points of a line are

    amount × base rate × tier multiplier × category multiplier × promotion multiplier

- *base rate*: ``LoyaltySettings.points_per_currency_unit`` (points per yuan paid);
- *tier multiplier*: the member's tier (an empty tier is the lowest rung of the ladder);
- *category multiplier*: the highest ``CategoryMultiplier`` found on the line's category or on
  any of its parent categories (a rule on "Cosmetics" covers "Cosmetics › Skin care"); 1 when
  there is none;
- *promotion multiplier*: the highest multiplier of the active promotions whose dates include
  the purchase's local date (``TIME_ZONE``, Asia/Shanghai by default), whose store is empty or
  the purchase's store, and whose category is empty or covers the line's category; 1 when none.

Multipliers of one kind never add up: the highest applies. Kinds multiply.

**The one rounding rule.** The exact points of all lines are summed, the sum is rounded down to
a whole point, and that total is spread over the lines by largest remainder: each line gets its
exact points rounded down, and the points still missing go one each to the lines with the
largest fractions (the earlier line first on a tie). So the lines always add up to
``floor(sum of exact points)`` and no line is more than one point away from its exact points.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.catalog.selectors import category_list
from guanxi.core.errors import ApplicationError
from guanxi.core.money import CENT
from guanxi.core.services import model_create, model_delete, model_update
from guanxi.loyalty.models import (
    SETTINGS_PK,
    CategoryMultiplier,
    LoyaltySettings,
    Membership,
    Promotion,
    TierLevel,
)
from guanxi.loyalty.selectors import loyalty_settings_get

ONE = Decimal(1)


@dataclass(frozen=True)
class EarnLine:
    """A line of a purchase as earning sees it: its category and the amount paid for it."""

    category_id: int | None
    amount: Decimal


@dataclass(frozen=True)
class LineRate:
    """What a line's points were multiplied by (for receipts and the rules page)."""

    base: Decimal
    tier: Decimal
    category: Decimal
    promotion: Decimal

    @property
    def total(self) -> Decimal:
        return self.base * self.tier * self.category * self.promotion


def _tier_multiplier(membership: Membership) -> Decimal:
    if membership.tier_id:
        level = TierLevel.objects.filter(pk=membership.tier_id).first()
    else:
        level = TierLevel.objects.order_by("rank").first()
    return Decimal(level.points_multiplier) if level is not None else ONE


def _ancestry(category_ids: Iterable[int | None]) -> dict[int, list[int]]:
    """Each category with its parents, nearest first (cycles are cut)."""
    wanted = {pk for pk in category_ids if pk is not None}
    if not wanted:
        return {}
    parents: dict[int, int | None] = dict(category_list().values_list("pk", "parent_id"))
    chains: dict[int, list[int]] = {}
    for pk in wanted:
        chain: list[int] = []
        current: int | None = pk
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        chains[pk] = chain
    return chains


def _promotions_on(day: datetime.date, store_id: int | None) -> list[Promotion]:
    store_match = (
        Q(store__isnull=True) | Q(store_id=store_id) if store_id else Q(store__isnull=True)
    )
    return list(
        Promotion.objects.filter(store_match, is_active=True, starts_on__lte=day, ends_on__gte=day)
    )


def earning_rates(
    *,
    membership: Membership | None,
    category_ids: Sequence[int | None],
    store_id: int | None,
    at: datetime.datetime,
) -> list[LineRate]:
    """The multipliers of each category's line, in order (see the module's docstring)."""
    if membership is None:
        return [LineRate(Decimal(0), ONE, ONE, ONE) for _pk in category_ids]
    base = Decimal(loyalty_settings_get().points_per_currency_unit)
    tier = _tier_multiplier(membership)
    chains = _ancestry(category_ids)
    all_ids = {pk for chain in chains.values() for pk in chain}
    category_rules = dict(
        CategoryMultiplier.objects.filter(category_id__in=all_ids).values_list(
            "category_id", "multiplier"
        )
    )
    promotions = _promotions_on(timezone.localdate(at), store_id)
    rates = []
    for category_id in category_ids:
        chain = chains.get(category_id, []) if category_id is not None else []
        found = [Decimal(category_rules[pk]) for pk in chain if pk in category_rules]
        promotion = [
            Decimal(p.multiplier)
            for p in promotions
            if p.category_id is None or p.category_id in chain
        ]
        rates.append(
            LineRate(
                base=base,
                tier=tier,
                category=max(found) if found else ONE,
                promotion=max(promotion) if promotion else ONE,
            )
        )
    return rates


def points_spread(exact: Sequence[Decimal]) -> list[int]:
    """The one rounding rule: floor of the exact total, spread by largest remainder."""
    if any(value < 0 for value in exact):
        raise ValueError("exact points are never negative")
    total = int(sum(exact, Decimal(0)).to_integral_value(rounding=ROUND_FLOOR))
    floors = [int(value.to_integral_value(rounding=ROUND_FLOOR)) for value in exact]
    missing = total - sum(floors)
    by_fraction = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in by_fraction[:missing]:
        floors[index] += 1
    return floors


def points_for_purchase(
    *,
    membership: Membership | None,
    lines: Sequence[EarnLine],
    store_id: int,
    at: datetime.datetime,
) -> list[int]:
    """Points earned per line (same order), by the one rounding rule; zeros without a
    membership. Refused for a negative amount."""
    for line in lines:
        if isinstance(line.amount, float):
            raise TypeError("money is never a float")
        if line.amount < 0:
            raise ApplicationError(
                _("An amount earning points cannot be negative."), code="invalid_amount"
            )
    if membership is None or not lines:
        return [0] * len(lines)
    rates = earning_rates(
        membership=membership,
        category_ids=[line.category_id for line in lines],
        store_id=store_id,
        at=at,
    )
    exact = [Decimal(line.amount) * rate.total for line, rate in zip(lines, rates, strict=True)]
    return points_spread(exact)


def points_value(points: int) -> Decimal:
    """The money that ``points`` pay for at the till (rounded down to the cent)."""
    if points < 0:
        raise ValueError("points are never negative")
    rate = loyalty_settings_get().points_redeem_rate
    return (Decimal(points) / Decimal(rate)).quantize(CENT, rounding=ROUND_DOWN)


def points_for_amount(amount: Decimal) -> int:
    """The points needed to pay ``amount`` at the till (rounded up to a whole point)."""
    if isinstance(amount, float):
        raise TypeError("money is never a float")
    if amount < 0:
        raise ValueError("amounts paid are never negative")
    rate = loyalty_settings_get().points_redeem_rate
    return int((Decimal(amount) * rate).to_integral_value(rounding=ROUND_CEILING))


# --- The owner's rules -------------------------------------------------------------------------


@transaction.atomic
def earning_rates_update(*, data: dict[str, Any], actor: Any) -> LoyaltySettings:
    """Set the base earning rate and the redemption rate (the loyalty settings row)."""
    allowed = {"points_per_currency_unit", "points_redeem_rate"}
    if set(data) - allowed:
        raise ValueError(f"unexpected fields: {sorted(set(data) - allowed)}")
    loyalty_settings_get()
    config = LoyaltySettings.objects.select_for_update().get(pk=SETTINGS_PK)
    config, _changed = model_update(instance=config, data=data, actor=actor)
    return config


@transaction.atomic
def category_multiplier_set(
    *, category: Any, multiplier: Decimal, actor: Any
) -> CategoryMultiplier:
    """Create or change the points multiplier of a category (and its subcategories)."""
    found = CategoryMultiplier.objects.select_for_update().filter(category=category).first()
    if found is None:
        return model_create(
            instance=CategoryMultiplier(category=category, multiplier=multiplier), actor=actor
        )
    found, _changed = model_update(instance=found, data={"multiplier": multiplier}, actor=actor)
    return found


@transaction.atomic
def category_multiplier_delete(*, rule: CategoryMultiplier, actor: Any) -> None:
    """Remove a category's multiplier: its points go back to the parent's rule or to 1."""
    model_delete(instance=rule, actor=actor)


@transaction.atomic
def promotion_create(*, actor: Any, **data: Any) -> Promotion:
    return model_create(instance=Promotion(**data), actor=actor)


@transaction.atomic
def promotion_update(*, promotion: Promotion, data: dict[str, Any], actor: Any) -> Promotion:
    promotion, _changed = model_update(instance=promotion, data=data, actor=actor)
    return promotion


@transaction.atomic
def promotion_delete(*, promotion: Promotion, actor: Any) -> None:
    model_delete(instance=promotion, actor=actor)
