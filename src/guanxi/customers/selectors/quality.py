"""Reads of the data-quality page: completeness per store and per responsible staff member, the
distribution of scores, the "fill these in" list and the likely duplicates.

Everything is computed in SQL over the customers ``user`` may see (``customer_list``), so an
owner reads every store and a store manager their own stores.

The "fill these in" list ranks the customers that most need attention. Until the orders domain
exists, "valuable" means "has a responsible staff member, most recently registered first". A
domain that knows what a customer is worth joins the ranking with ``customer_value_register``:

    customer_value_register(
        "orders.spend",
        lambda: Coalesce(
            Subquery(order_totals_by_customer, output_field=DecimalField()), Value(Decimal(0))
        ),
    )

The callable returns an expression over ``Customer`` (higher is more valuable); the list is then
ordered by completeness (lowest first), then by each registered value (highest first, in the
order of registration), then newest first.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet

from guanxi.customers.models import Customer
from guanxi.customers.selectors.customer import customer_list
from guanxi.customers.services.completeness import (
    completeness_field_label,
    completeness_missing,
    completeness_weights,
)
from guanxi.staff.selectors import store_list

ONE_DECIMAL = Decimal("0.1")
# Score bands of the histogram: 0–9, 10–19 … 80–89, 90–100.
BANDS: tuple[tuple[int, int], ...] = (*((low, low + 9) for low in range(0, 90, 10)), (90, 100))

# key -> callable returning an annotation over Customer: higher is more valuable.
CUSTOMER_VALUE_SOURCES: dict[str, Callable[[], Any]] = {}


def customer_value_register(key: str, annotation: Callable[[], Any]) -> None:
    """Let a domain (orders, loyalty) say which customers are worth the most; see the module
    docstring. Registering the same key again replaces the callable."""
    CUSTOMER_VALUE_SOURCES[key] = annotation


def _average(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _customers(user: Any, store_id: int | None) -> QuerySet[Customer]:
    customers = customer_list(user=user).select_related(None).order_by()
    if store_id is not None:
        customers = customers.filter(home_store_id=store_id)
    return customers


# --- Averages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreCompleteness:
    store_id: int
    store_name: str
    customers: int
    average: Decimal | None  # None: the store has no customers


@dataclass(frozen=True)
class StaffCompleteness:
    staff_id: int | None  # None: customers nobody is responsible for
    staff_name: str
    customers: int
    average: Decimal


def completeness_by_store(*, user: Any, store_id: int | None = None) -> list[StoreCompleteness]:
    """The average completeness of each store's customers, for the stores ``user`` may see,
    in store order. Scoping is by home store, so a visible store's customers are all visible."""
    stores = store_list(user=user)
    if store_id is not None:
        stores = stores.filter(pk=store_id)
    rows = stores.annotate(
        customer_count=Count("customers"), average=Avg("customers__completeness")
    ).order_by("name", "pk")
    return [
        StoreCompleteness(
            store_id=store.pk,
            store_name=store.name,
            customers=store.customer_count,
            average=_average(store.average),
        )
        for store in rows
    ]


def completeness_by_staff(*, user: Any, store_id: int | None = None) -> list[StaffCompleteness]:
    """The average completeness of each responsible staff member's customers (the data-quality
    KPI of the staff scorecards), over the customers ``user`` may see; best first, then by name.
    Customers with no responsible staff member come last, as one row with ``staff_id=None``."""
    rows = (
        _customers(user, store_id)
        .values(
            "responsible_staff_id",
            "responsible_staff__full_name",
            "responsible_staff__username",
        )
        .annotate(customer_count=Count("pk"), average=Avg("completeness"))
    )
    result = [
        StaffCompleteness(
            staff_id=row["responsible_staff_id"],
            staff_name=(
                row["responsible_staff__full_name"] or row["responsible_staff__username"] or ""
            ),
            customers=row["customer_count"],
            average=_average(row["average"]) or Decimal("0.0"),
        )
        for row in rows
    ]
    return sorted(
        result, key=lambda r: (r.staff_id is None, -r.average, r.staff_name, r.staff_id or 0)
    )


# --- Distribution -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletenessBand:
    low: int
    high: int
    customers: int

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}"


def completeness_distribution(*, user: Any, store_id: int | None = None) -> list[CompletenessBand]:
    """How many customers fall in each score band (0–9 … 90–100), in one query."""
    counts = _customers(user, store_id).aggregate(
        **{
            f"band_{low}": Count("pk", filter=Q(completeness__gte=low, completeness__lte=high))
            for low, high in BANDS
        }
    )
    return [
        CompletenessBand(low=low, high=high, customers=counts[f"band_{low}"]) for low, high in BANDS
    ]


# --- "Fill these in" ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FillInRow:
    customer: Customer
    missing: list[str]  # field names, most valuable first
    missing_labels: list[str]


def customer_fill_in_list(*, user: Any, store_id: int | None = None) -> QuerySet[Customer]:
    """The customers with a responsible staff member and an incomplete record, the least
    complete first, then the most valuable (registered value sources), then the newest."""
    customers = (
        customer_list(user=user)
        .filter(responsible_staff__isnull=False, completeness__lt=100, erased_at__isnull=True)
        .annotate(has_tags=Exists(Customer.tags.through.objects.filter(customer_id=OuterRef("pk"))))
    )
    if store_id is not None:
        customers = customers.filter(home_store_id=store_id)
    ordering: list[Any] = ["completeness"]
    for number, (_key, annotation) in enumerate(sorted(CUSTOMER_VALUE_SOURCES.items())):
        name = f"value_{number}"
        customers = customers.annotate(**{name: annotation()})
        ordering.append(F(name).desc(nulls_last=True))
    return customers.order_by(*ordering, "-created_at", "-pk")


def fill_in_rows(
    customers: Iterable[Customer], weights: Mapping[str, int] | None = None
) -> list[FillInRow]:
    """The missing fields of each customer of a page of ``customer_fill_in_list``."""
    weights = weights if weights is not None else completeness_weights()
    rows = []
    for customer in customers:
        tag_count = int(customer.has_tags) if hasattr(customer, "has_tags") else None
        missing = completeness_missing(customer, weights, tag_count=tag_count)
        rows.append(
            FillInRow(
                customer=customer,
                missing=missing,
                missing_labels=[completeness_field_label(f) for f in missing],
            )
        )
    return rows


# --- Duplicates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateGroup:
    name_key: str
    birthday: datetime.date
    customers: list[Customer]


def duplicate_group_list(*, user: Any, store_id: int | None = None) -> QuerySet[Any]:
    """Likely duplicates among the customers ``user`` may see: the same name (simplified and
    traditional forms count as one) and the same birthday. One row per group, as
    ``{"name_key", "birthday", "size"}``, in name order; paginate it, then load the members of
    a page with ``duplicate_groups_load``. Uses the (name_key, birthday) index."""
    return (
        _customers(user, store_id)
        .filter(birthday__isnull=False, erased_at__isnull=True)
        .exclude(name_key="")
        .values("name_key", "birthday")
        .annotate(size=Count("pk"))
        .filter(size__gt=1)
        .order_by("name_key", "birthday")
    )


def duplicate_groups_load(
    *, user: Any, groups: Iterable[Mapping[str, Any]], store_id: int | None = None
) -> list[DuplicateGroup]:
    """The customers of each group of a page of ``duplicate_group_list``, in one query,
    oldest record first (usually the one to keep)."""
    groups = list(groups)
    if not groups:
        return []
    match = Q()
    for group in groups:
        match |= Q(name_key=group["name_key"], birthday=group["birthday"])
    members: dict[tuple[str, datetime.date], list[Customer]] = {
        (g["name_key"], g["birthday"]): [] for g in groups
    }
    customers = (
        customer_list(user=user).filter(match, erased_at__isnull=True).order_by("created_at", "pk")
    )
    if store_id is not None:
        customers = customers.filter(home_store_id=store_id)
    for customer in customers:
        if customer.birthday is not None:
            members[(customer.name_key, customer.birthday)].append(customer)
    return [
        DuplicateGroup(name_key=key[0], birthday=key[1], customers=found)
        for key, found in members.items()
    ]
