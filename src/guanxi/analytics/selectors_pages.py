"""Reads of the analytics pages: the aggregate tables the pages and the API show, scoped.

Counts and sums *per customer* (the R×F grid, the segments, the deciles, ABC classes and the
pyramid) are grouped live from the ``CustomerMetrics`` rows the engine wrote, limited to the
customers the user may see (``guanxi.core.permissions.scope``) and, when asked, to one store.
So a store manager sees the grid of their store's customers, and every number on the pages adds
up to the lists behind it.

Tables that only exist for the whole business (the margin concentration, the whale curve, the
ideal customer profile, the lifetime-value model, the rules, the cohorts, the forecasts of
categories and of the total) come from the last run's ``results`` and are shown only to staff
who work for every store (``sees_every_store``); figures per store (the KPI trees, the store
forecasts) are filtered to the user's stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import translation

from guanxi.analytics.choices import (
    AbcClass,
    FrequencyBand,
    PyramidLevel,
    RecencyBand,
    RfmSegment,
)
from guanxi.analytics.grid_actions import DEFAULT_GRID_ACTIONS
from guanxi.analytics.models import AnalyticsRun, CustomerMetrics, GridCellAction
from guanxi.analytics.selectors import customers_matching
from guanxi.catalog.selectors import category_list, product_list
from guanxi.core.choices import JobStatus
from guanxi.core.models import Job
from guanxi.core.permissions import role_of, scope, store_ids
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_list
from guanxi.staff.models import Store

ZERO = Decimal("0.00")


def sees_every_store(user: Any) -> bool:
    """Owners, and staff who belong to every open store (a head-office marketer)."""
    allowed = store_ids(user)
    if allowed is None:
        return True
    if role_of(user) is None:
        return False
    cached = getattr(user, "_guanxi_every_store", None)
    if cached is None:
        every = set(Store.objects.filter(is_active=True).values_list("pk", flat=True))
        cached = user._guanxi_every_store = bool(every) and every <= allowed
    return bool(cached)


def metrics_scoped(*, user: Any, store_id: int | None = None) -> QuerySet[CustomerMetrics]:
    """The metrics of the customers ``user`` may see (of ``store_id`` only when given)."""
    metrics = scope(CustomerMetrics.objects.all(), user).filter(customer__erased_at__isnull=True)
    if store_id is not None:
        metrics = metrics.filter(customer__home_store_id=store_id)
    return metrics


@dataclass(frozen=True)
class Group:
    """One group of customers (a cell, a segment, a decile, a class, a level)."""

    key: str
    customers: int
    revenue: Decimal
    margin: Decimal | None
    customer_share: float
    revenue_share: float


def _money(value: Any) -> Decimal | None:
    """A sum of money from the database as two-place decimals (SQLite drops the places)."""
    return None if value is None else Decimal(value).quantize(ZERO)


def _share(part: Decimal | int, whole: Decimal | int) -> float:
    return float(Decimal(part) / Decimal(whole)) if whole else 0.0


def _grouped(
    metrics: QuerySet[CustomerMetrics], fields: Sequence[str], keys: Iterable[tuple[str, ...]]
) -> list[Group]:
    """Customers, revenue and margin per value of ``fields``, one row per key of ``keys``
    (empty groups included, in that order)."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for row in metrics.values(*fields).annotate(
        n=Count("pk"), revenue=Sum("total_spend"), margin_sum=Sum("margin")
    ):
        found[tuple(str(row[f]) for f in fields)] = row
    rows = []
    for key in keys:
        row = found.get(key, {})
        rows.append(
            (
                "_".join(key),
                int(row.get("n") or 0),
                _money(row.get("revenue")) or ZERO,
                _money(row.get("margin_sum")),
            )
        )
    total_customers = sum(r[1] for r in rows)
    total_revenue = sum((r[2] for r in rows), ZERO)
    return [
        Group(
            key=key,
            customers=customers,
            revenue=revenue,
            margin=margin,
            customer_share=_share(customers, total_customers),
            revenue_share=_share(revenue, total_revenue),
        )
        for key, customers, revenue, margin in rows
    ]


def grid_groups(*, user: Any, store_id: int | None = None) -> list[Group]:
    """The 16 cells of the R×F grid, recency band major (``active_new`` … ``lost_fan``)."""
    keys = [(r.value, f.value) for r in RecencyBand for f in FrequencyBand]
    metrics = metrics_scoped(user=user, store_id=store_id).exclude(recency_band="")
    return _grouped(metrics, ("recency_band", "frequency_band"), keys)


def segment_groups(*, user: Any, store_id: int | None = None) -> list[Group]:
    """The eight RFM segments, in the order of ``RfmSegment``."""
    metrics = metrics_scoped(user=user, store_id=store_id).exclude(rfm_segment="")
    return _grouped(metrics, ("rfm_segment",), [(s.value,) for s in RfmSegment])


def decile_groups(*, user: Any, field: str, store_id: int | None = None) -> list[Group]:
    """Deciles 1 (the top tenth of the business) to 10 of ``monetary_decile`` or
    ``purchase_decile``, counted among the user's customers."""
    if field not in ("monetary_decile", "purchase_decile"):
        raise ValueError(field)
    metrics = metrics_scoped(user=user, store_id=store_id).exclude(**{f"{field}__isnull": True})
    return _grouped(metrics, (field,), [(str(d),) for d in range(1, 11)])


def abc_groups(*, user: Any, store_id: int | None = None) -> list[Group]:
    metrics = metrics_scoped(user=user, store_id=store_id).exclude(abc_class="")
    return _grouped(metrics, ("abc_class",), [(c.value,) for c in AbcClass])


def pyramid_groups(*, user: Any, store_id: int | None = None) -> list[Group]:
    metrics = metrics_scoped(user=user, store_id=store_id).exclude(pyramid_level="")
    return _grouped(metrics, ("pyramid_level",), [(p.value,) for p in PyramidLevel])


@dataclass(frozen=True)
class DealSummary:
    customers: int
    revenue: Decimal
    buyers: int


def deal_summary(*, user: Any, store_id: int | None = None) -> DealSummary:
    """Price-only "deal" customers among the user's buyers."""
    totals = (
        metrics_scoped(user=user, store_id=store_id)
        .filter(purchases__gt=0)
        .aggregate(
            buyers=Count("pk"),
            deal=Count("pk", filter=Q(deal_customer=True)),
            deal_revenue=Sum("total_spend", filter=Q(deal_customer=True)),
        )
    )
    return DealSummary(
        customers=int(totals["deal"] or 0),
        revenue=_money(totals["deal_revenue"]) or ZERO,
        buyers=int(totals["buyers"] or 0),
    )


def cumulative(groups: Sequence[Group]) -> list[tuple[float, float, float]]:
    """The running customer, revenue and margin shares over ``groups`` (the Pareto curve)."""
    total_customers = sum(g.customers for g in groups)
    total_revenue = sum((g.revenue for g in groups), ZERO)
    total_margin = sum((g.margin or ZERO for g in groups), ZERO)
    running: list[tuple[float, float, float]] = []
    customers, revenue, margin = 0, ZERO, ZERO
    for group in groups:
        customers += group.customers
        revenue += group.revenue
        margin += group.margin or ZERO
        running.append(
            (
                _share(customers, total_customers),
                _share(revenue, total_revenue),
                _share(margin, total_margin),
            )
        )
    return running


def run_results(run: AnalyticsRun | None, key: str) -> Any:
    """One aggregate table of a run's results (``None`` when there is no run or no such key)."""
    if run is None or not isinstance(run.results, Mapping):
        return None
    return run.results.get(key)


def rows_of_stores(rows: Iterable[Mapping[str, Any]], user: Any) -> list[Mapping[str, Any]]:
    """The rows of a per-store table the user may see: their stores' rows, and the all-stores
    row (``store_id`` null) only for who sees every store."""
    allowed = store_ids(user)
    every = sees_every_store(user)
    kept = []
    for row in rows:
        store = row.get("store_id")
        if store is None:
            if every:
                kept.append(row)
        elif allowed is None or store in allowed:
            kept.append(row)
    return kept


#: Bands of the probability of still being active: key, lower bound (inclusive), upper bound.
P_ALIVE_BANDS = (
    ("p0", 0.0, 0.25),
    ("p25", 0.25, 0.5),
    ("p50", 0.5, 0.75),
    ("p75", 0.75, 1.0),
)


def p_alive_groups(*, user: Any, store_id: int | None = None) -> list[Group]:
    """The user's buyers by probability of still being active; ``revenue`` holds the sum of
    their 12-month lifetime values."""
    metrics = metrics_scoped(user=user, store_id=store_id).filter(p_alive__isnull=False)
    aggregates: dict[str, Any] = {}
    for key, low, high in P_ALIVE_BANDS:
        band = Q(p_alive__gte=low) & (Q(p_alive__lte=high) if high >= 1.0 else Q(p_alive__lt=high))
        aggregates[f"{key}_n"] = Count("pk", filter=band)
        aggregates[f"{key}_clv"] = Sum("clv_12m", filter=band)
    totals = metrics.aggregate(**aggregates)
    counts = [int(totals[f"{key}_n"] or 0) for key, _low, _high in P_ALIVE_BANDS]
    values = [_money(totals[f"{key}_clv"]) or ZERO for key, _low, _high in P_ALIVE_BANDS]
    all_customers, all_value = sum(counts), sum(values, ZERO)
    return [
        Group(
            key=key,
            customers=n,
            revenue=value,
            margin=None,
            customer_share=_share(n, all_customers),
            revenue_share=_share(value, all_value),
        )
        for (key, _low, _high), n, value in zip(P_ALIVE_BANDS, counts, values, strict=True)
    ]


def customers_slipping(
    *, user: Any, store_id: int | None = None, limit: int = 20, below: float = 0.5
) -> list[Customer]:
    """The user's customers with the highest spend whose probability of still being active is
    below ``below``."""
    customers = customer_list(user=user).filter(erased_at__isnull=True, metrics__p_alive__lt=below)
    if store_id is not None:
        customers = customers.filter(home_store_id=store_id)
    return list(customers.select_related("metrics").order_by("-metrics__total_spend", "pk")[:limit])


def customers_of_definition(*, user: Any, definition: Mapping[str, Any]) -> QuerySet[Customer]:
    """The customers of ``definition`` that ``user`` may see (``customers_matching``); without
    any filter, every analysed customer (those with metrics) the user may see."""
    if definition:
        return customers_matching(user=user, definition=definition)
    return customer_list(user=user).filter(metrics__isnull=False, erased_at__isnull=True)


LANGUAGES = {"action_en": "en", "action_zh_hans": "zh-hans", "action_zh_hant": "zh-hant"}


def grid_action_initial(*, recency_band: str, frequency_band: str) -> dict[str, str]:
    """The texts of one cell's recommended action in the three languages: the owner's where
    written, else the default in each language."""
    row = GridCellAction.objects.filter(
        recency_band=recency_band, frequency_band=frequency_band
    ).first()
    if row is not None:
        return {field: getattr(row, field) for field in LANGUAGES}
    default = DEFAULT_GRID_ACTIONS.get((RecencyBand(recency_band), FrequencyBand(frequency_band)))
    texts = {}
    for field, language in LANGUAGES.items():
        with translation.override(language):
            texts[field] = str(default) if default is not None else ""
    return texts


#: The kind of the core Job that refreshes the figures (``services.analytics_refresh_start``).
REFRESH_JOB_KIND = "analytics.refresh"


def refresh_job_running() -> Job | None:
    """The refresh job that is queued or running, if any (its progress shows on the hub)."""
    return (
        Job.objects.filter(kind=REFRESH_JOB_KIND, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .order_by("-created_at", "-pk")
        .first()
    )


def item_names(level: str, ids: Iterable[Any]) -> dict[int, str]:
    """The names (in the active language) of the products or categories ``ids`` of a rule."""
    wanted = {int(i) for i in ids if i is not None}
    if not wanted:
        return {}
    items = (
        product_list().filter(pk__in=wanted)
        if level == "product"
        else category_list().filter(pk__in=wanted)
    )
    return {item.pk: str(getattr(item, "name", "") or item) for item in items}
