"""Reads of the loyalty domain: <entity>_list / <entity>_get functions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db.models import F, Min, Q, QuerySet, Sum
from django.utils import timezone

from guanxi.core.permissions import has_capability, role_of, scope, store_ids
from guanxi.loyalty.choices import AccountKind, TierBasis
from guanxi.loyalty.models import (
    LIVE_CARD_STATUSES,
    SETTINGS_PK,
    BonusRule,
    LedgerAccount,
    LedgerTransaction,
    LoyaltySettings,
    MemberCard,
    Membership,
    PointLot,
    ServicePackage,
    TierChange,
    TierLevel,
)


def loyalty_settings_get() -> LoyaltySettings:
    """The loyalty settings row, created with the defaults the first time."""
    found, _created = LoyaltySettings.objects.get_or_create(pk=SETTINGS_PK)
    return found


def card_for_customer(customer: Any) -> MemberCard | None:
    """The customer's live card: their household's when they have one, else their own."""
    cards = MemberCard.objects.select_related("membership", "membership__tier").filter(
        status__in=LIVE_CARD_STATUSES
    )
    if customer.household_id:
        return cards.filter(membership__household_id=customer.household_id).first()
    return cards.filter(membership__customer_id=customer.pk).first()


def card_list(*, user: Any) -> QuerySet[MemberCard]:
    return scope(MemberCard.objects.select_related("membership"), user)


def card_history(card: MemberCard) -> QuerySet[MemberCard]:
    """Every card the card's membership ever had, newest first."""
    return MemberCard.objects.filter(membership_id=card.membership_id).order_by(
        "-created_at", "-pk"
    )


def card_balances(card: MemberCard) -> dict[str, Decimal]:
    """Points, paid stored value and bonus stored value of the card's membership."""
    rows = LedgerAccount.objects.filter(
        membership_id=card.membership_id,
        kind__in=[
            AccountKind.POINTS,
            AccountKind.STORED_VALUE_PRINCIPAL,
            AccountKind.STORED_VALUE_BONUS,
        ],
    ).values_list("kind", "balance")
    balances: dict[str, Decimal] = {
        kind: Decimal(0)
        for kind in (
            AccountKind.POINTS,
            AccountKind.STORED_VALUE_PRINCIPAL,
            AccountKind.STORED_VALUE_BONUS,
        )
    }
    balances.update(dict(rows))
    return balances


def transaction_list(*, card: MemberCard) -> QuerySet[LedgerTransaction]:
    """The membership's ledger, newest first, with its entries."""
    return (
        LedgerTransaction.objects.filter(membership_id=card.membership_id)
        .select_related("created_by")
        .prefetch_related("entries__account")
    )


def package_list(*, card: MemberCard) -> QuerySet[ServicePackage]:
    return ServicePackage.objects.filter(membership_id=card.membership_id).select_related("account")


def tier_level_list() -> QuerySet[TierLevel]:
    """The tier ladder, lowest rank first."""
    return TierLevel.objects.order_by("rank")


def tier_level_get(*, pk: Any) -> TierLevel | None:
    return TierLevel.objects.filter(pk=pk).first()


def tier_history(membership: Membership) -> QuerySet[TierChange]:
    """Every move of the membership on the ladder, newest first."""
    return (
        TierChange.objects.filter(membership_id=membership.pk)
        .select_related("from_level", "to_level", "actor")
        .order_by("-created_at", "-pk")
    )


# --- The card panel: points about to expire, progress on the tier ladder ------------------------

POINTS_EXPIRY_HORIZON_DAYS = 60
ONE_MICROSECOND = datetime.timedelta(microseconds=1)


@dataclass(frozen=True)
class PointsExpiry:
    """Points of a membership that expire within ``horizon_days`` (points already past their
    date count too: the nightly expiry has not taken them yet)."""

    total: int
    first_date: datetime.date | None  # the last day on which the earliest of them are valid
    first_points: int  # how many points expire at the end of ``first_date``
    horizon_days: int


def _local_day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def points_expiring_soon(
    *,
    membership_id: int,
    days: int = POINTS_EXPIRY_HORIZON_DAYS,
    now: datetime.datetime | None = None,
) -> PointsExpiry:
    """The points expiring within ``days``, and the earliest date with its amount (two queries,
    whatever the number of lots).

    A lot's ``expires_at`` is the first instant it is no longer valid (midnight after
    31 December, say), so its date here is the day before when it falls on midnight.
    """
    now = now or timezone.now()
    lots = PointLot.objects.filter(
        account__membership_id=membership_id,
        account__kind=AccountKind.POINTS,
        remaining__gt=0,
        expires_at__isnull=False,
        expires_at__lte=now + datetime.timedelta(days=days),
    )
    summary = lots.aggregate(total=Sum("remaining"), first=Min("expires_at"))
    total = int(summary["total"] or 0)
    if not total:
        return PointsExpiry(total=0, first_date=None, first_points=0, horizon_days=days)
    first_date = timezone.localdate(summary["first"] - ONE_MICROSECOND)
    day_start = _local_day_start(first_date)
    next_day_start = _local_day_start(first_date + datetime.timedelta(days=1))
    # The lots whose last valid day is ``first_date``: they expire in (its start, the next start].
    first_points = lots.filter(expires_at__gt=day_start, expires_at__lte=next_day_start).aggregate(
        total=Sum("remaining")
    )["total"]
    return PointsExpiry(
        total=total,
        first_date=first_date,
        first_points=int(first_points or 0),
        horizon_days=days,
    )


@dataclass(frozen=True)
class TierProgress:
    """Where a membership stands on the tier ladder.

    ``spend`` is ``None`` while no spend source is registered (the orders domain registers
    one); then only the tier is known. ``reached`` is a level above ``level`` that the spend
    already reaches: the tier moves up at the next checkout or re-evaluation.
    """

    level: TierLevel
    next_level: TierLevel | None
    basis: str
    basis_label: str
    spend: Decimal | None
    remaining: Decimal | None
    percent: int | None
    reached: TierLevel | None


def tier_spend(
    *, membership: Membership, basis: str, now: datetime.datetime | None = None
) -> Decimal | None:
    """The membership's spend on ``basis``: the sum over the registered spend sources, ``None``
    when there is none."""
    # Imported here: the services import this module.
    from guanxi.loyalty.services.tiers import tier_spend_since, tier_spend_sources

    sources = tier_spend_sources()
    if not sources:
        return None
    since = tier_spend_since(basis=basis, now=now)
    total = sum((Decimal(fn(membership, since)) for fn in sources), Decimal(0))
    return total.quantize(Decimal("0.01"))


def tier_progress(
    *, membership: Membership, now: datetime.datetime | None = None
) -> TierProgress | None:
    """The membership's tier, the next one and how far the spend is from it; ``None`` with an
    empty ladder. One query for the ladder, one for the settings, plus the spend sources'."""
    ladder = list(tier_level_list())
    if not ladder:
        return None
    level = next((rung for rung in ladder if rung.pk == membership.tier_id), ladder[0])
    next_level = next((rung for rung in ladder if rung.rank > level.rank), None)
    basis = loyalty_settings_get().tier_basis
    spend = tier_spend(membership=membership, basis=basis, now=now)
    remaining = percent = reached = None
    if spend is not None:
        reachable = [rung for rung in ladder if rung.threshold <= spend]
        if reachable and reachable[-1].rank > level.rank:
            reached = reachable[-1]
        if next_level is not None:
            remaining = max(next_level.threshold - spend, Decimal("0.00"))
            share = (max(spend, Decimal(0)) * 100 / next_level.threshold).to_integral_value(
                rounding=ROUND_FLOOR
            )
            percent = min(int(share), 100)
    return TierProgress(
        level=level,
        next_level=next_level,
        basis=basis,
        basis_label=str(TierBasis(basis).label),
        spend=spend,
        remaining=remaining,
        percent=percent,
        reached=reached,
    )


# --- Stored-value bonus rules and the settings page ------------------------------------------

SETTINGS_CAPABILITY = "loyalty.settings"


def bonus_rule_list(*, user: Any) -> QuerySet[BonusRule]:
    """The bonus rules ``user`` may see: those of their stores and those of every store.
    Active rules first, then by store and the top-up they start at."""
    if role_of(user) is None:
        return BonusRule.objects.none()
    rules = BonusRule.objects.select_related("store")
    allowed = store_ids(user)
    if allowed is not None:
        rules = rules.filter(Q(store_id__in=allowed) | Q(store__isnull=True))
    return rules.order_by("-is_active", F("store__name").asc(nulls_first=True), "minimum_topup")


def bonus_rule_get(*, user: Any, pk: Any) -> BonusRule | None:
    return bonus_rule_list(user=user).filter(pk=pk).first()


def loyalty_settings_visible(*, user: Any) -> QuerySet[LoyaltySettings]:
    """The settings row for those who may change it (the History tab's source)."""
    if not has_capability(user, SETTINGS_CAPABILITY):
        return LoyaltySettings.objects.none()
    return LoyaltySettings.objects.all()
