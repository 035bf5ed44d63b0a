"""Reads of households: scoped by the household's store, like its members."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from guanxi.core.permissions import scope
from guanxi.customers.models import Customer, Household


def household_list(*, user: Any, search: str = "") -> QuerySet[Household]:
    """The households ``user`` may see, by name, with their member count."""
    households = scope(Household.objects.all(), user).select_related("store")
    search = search.strip()
    if search:
        households = households.filter(
            Q(name__icontains=search) | Q(members__full_name__icontains=search)
        ).distinct()
    return households.annotate(member_count=Count("members", distinct=True)).order_by("name", "pk")


def household_get(*, user: Any, pk: Any) -> Household | None:
    """One household ``user`` may see, or ``None``."""
    try:
        return household_list(user=user).get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError):
        return None


def household_members(*, household: Household) -> QuerySet[Customer]:
    """The members, oldest member first. They all belong to the household's store, so whoever
    sees the household sees them."""
    return household.members.select_related("responsible_staff").order_by("created_at", "pk")


@dataclass(frozen=True)
class HouseholdPurchases:
    orders: int
    total: Decimal
    currency: str


def household_purchases(*, household: Household) -> HouseholdPurchases | None:
    """The combined purchases of the household's members, or ``None`` when no purchase is
    recorded for any of them.

    Purchases are recorded by the orders domain, which is not built yet: until it is, no
    customer has a purchase and this is ``None``. The orders domain replaces this body with a
    sum over its orders of ``household_members``.
    """
    return None
