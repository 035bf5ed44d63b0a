"""Reads of the loyalty domain: <entity>_list / <entity>_get functions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from guanxi.core.permissions import scope
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import (
    LIVE_CARD_STATUSES,
    SETTINGS_PK,
    LedgerAccount,
    LedgerTransaction,
    LoyaltySettings,
    MemberCard,
    Membership,
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
    cards = MemberCard.objects.select_related("membership").filter(status__in=LIVE_CARD_STATUSES)
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
