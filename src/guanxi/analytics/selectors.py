"""Reads of the analytics domain: settings, the last run, a customer's metrics and suggestions,
the customers of a cell or segment (store-scoped), and the live purchase totals."""

from __future__ import annotations

import datetime
import itertools
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.utils import timezone, translation

from guanxi.analytics.basket import often_bought_together
from guanxi.analytics.choices import (
    AbcClass,
    FrequencyBand,
    PyramidLevel,
    RecencyBand,
    RfmSegment,
    RuleKind,
    RuleLevel,
    RunStatus,
)
from guanxi.analytics.grid_actions import DEFAULT_GRID_ACTIONS
from guanxi.analytics.models import (
    SETTINGS_PK,
    AnalyticsRun,
    AnalyticsSettings,
    AssociationRule,
    Audience,
    CustomerMetrics,
    GridCellAction,
)
from guanxi.analytics.sequences import likely_next_purchases
from guanxi.core.permissions import scope
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_list

#: Items of a customer's history used for "often bought together" (the most recent ones).
SUGGESTION_HISTORY = 40


def analytics_settings_get() -> AnalyticsSettings:
    """The settings row (created with the defaults the first time)."""
    found, _created = AnalyticsSettings.objects.get_or_create(pk=SETTINGS_PK)
    return found


def run_latest(*, finished: bool = True) -> AnalyticsRun | None:
    """The last run that finished (or the last run at all, ``finished=False``)."""
    runs = AnalyticsRun.objects.all()
    if finished:
        runs = runs.filter(status=RunStatus.SUCCEEDED)
    return runs.order_by("-started_at", "-pk").first()


def run_list(*, limit: int = 20) -> list[AnalyticsRun]:
    return list(AnalyticsRun.objects.defer("results").order_by("-started_at", "-pk")[:limit])


def customer_metrics_get(customer: Customer) -> CustomerMetrics | None:
    return (
        CustomerMetrics.objects.select_related("favourite_category", "favourite_brand")
        .filter(customer_id=customer.pk)
        .first()
    )


def grid_cell_actions(language: str | None = None) -> dict[str, str]:
    """The recommended action of every cell (``"<recency>_<frequency>"`` → text): the owner's
    where written, the default otherwise."""
    language = language or translation.get_language()
    actions = {
        f"{recency}_{frequency}": str(text)
        for (recency, frequency), text in DEFAULT_GRID_ACTIONS.items()
    }
    for row in GridCellAction.objects.all():
        text = row.action(language)
        if text:
            actions[f"{row.recency_band}_{row.frequency_band}"] = text
    return actions


# --- customers of a cell, segment, decile ... --------------------------------------------------

_CHOICE_FILTERS: dict[str, tuple[str, Any]] = {
    "segment": ("rfm_segment", RfmSegment),
    "recency_band": ("recency_band", RecencyBand),
    "frequency_band": ("frequency_band", FrequencyBand),
    "abc_class": ("abc_class", AbcClass),
    "pyramid_level": ("pyramid_level", PyramidLevel),
}
_NUMBER_FILTERS = {"monetary_decile": "monetary_decile", "purchase_decile": "purchase_decile"}
DEFINITION_KEYS = frozenset([*_CHOICE_FILTERS, *_NUMBER_FILTERS, "cell", "deal_customer", "store"])


def definition_filter(definition: Mapping[str, Any]) -> Q:
    """The ``Customer`` filter of an audience definition; ``ValueError`` on an unknown key or
    value. Keys: segment, recency_band, frequency_band, cell ("active_fan"), monetary_decile,
    purchase_decile (1-10), abc_class, pyramid_level, deal_customer (bool), store (home store
    id)."""
    unknown = set(definition) - DEFINITION_KEYS
    if unknown:
        raise ValueError(f"unknown keys: {sorted(unknown)}")
    if not definition:
        raise ValueError("an empty definition")
    query = Q()
    for key, raw in definition.items():
        if key in _CHOICE_FILTERS:
            field, choices = _CHOICE_FILTERS[key]
            if raw not in choices.values:
                raise ValueError(f"{key}: unknown value {raw!r}")
            query &= Q(**{f"metrics__{field}": raw})
        elif key in _NUMBER_FILTERS:
            number = int(raw)
            if not 1 <= number <= 10:
                raise ValueError(f"{key} must be 1-10")
            query &= Q(**{f"metrics__{_NUMBER_FILTERS[key]}": number})
        elif key == "cell":
            recency, _, frequency = str(raw).partition("_")
            if recency not in RecencyBand.values or frequency not in FrequencyBand.values:
                raise ValueError(f"cell: unknown value {raw!r}")
            query &= Q(metrics__recency_band=recency, metrics__frequency_band=frequency)
        elif key == "deal_customer":
            query &= Q(metrics__deal_customer=bool(raw))
        elif key == "store":
            query &= Q(home_store_id=int(raw))
    return query


def customers_matching(*, user: Any, definition: Mapping[str, Any]) -> QuerySet[Customer]:
    """The customers ``user`` may see whose last-refresh metrics match ``definition`` (see
    :func:`definition_filter`), in the customer list's order; erased customers left out."""
    return customer_list(user=user).filter(definition_filter(definition), erased_at__isnull=True)


def audience_list(*, user: Any) -> QuerySet[Audience]:
    """Saved audiences of the stores ``user`` may see (and those for every store)."""
    visible = scope(Audience.objects.all(), user)
    return (visible | Audience.objects.filter(store__isnull=True)).select_related(
        "store", "created_by"
    )


def audience_get(*, user: Any, pk: Any) -> Audience | None:
    try:
        return audience_list(user=user).get(pk=pk)
    except (Audience.DoesNotExist, ValueError, TypeError):
        return None


def audience_customers(*, user: Any, audience: Audience) -> QuerySet[Customer]:
    """The audience's members ``user`` may see."""
    return customer_list(user=user).filter(
        pk__in=audience.members.values("customer_id"), erased_at__isnull=True
    )


# --- live totals and suggestions ---------------------------------------------------------------


@dataclass(frozen=True)
class PurchaseTotals:
    first_purchase_at: datetime.datetime | None
    last_purchase_at: datetime.datetime | None
    purchases: int
    total_spend: Decimal


def _purchases(customer: Customer) -> QuerySet[Any]:
    from django.apps import apps

    order = apps.get_model("orders", "Order")
    return order.objects.filter(customer_id=customer.pk).exclude(status="returned")


def customer_purchase_totals(customer: Customer) -> PurchaseTotals:
    """First and last purchase, number of orders and spend (less returns), live from the
    orders: never a day stale, unlike the metrics of the nightly run."""
    found = _purchases(customer).aggregate(
        first=Min("ordered_at"),
        last=Max("ordered_at"),
        orders=Count("pk"),
        spend=Sum(F("total") - F("returned_total")),
    )
    return PurchaseTotals(
        first_purchase_at=found["first"],
        last_purchase_at=found["last"],
        purchases=int(found["orders"] or 0),
        total_spend=Decimal(found["spend"] or 0).quantize(Decimal("0.01")),
    )


def _local_today() -> datetime.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def _product_history(customer: Customer) -> dict[int, datetime.date]:
    """Each product the customer bought (not wholly returned) → the local day of the last."""
    from django.apps import apps

    line = apps.get_model("orders", "OrderLine")
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    rows = (
        line.objects.filter(order__customer_id=customer.pk, product_id__isnull=False)
        .exclude(order__status="returned")
        .filter(quantity_returned__lt=F("quantity"))
        .values("product_id")
        .annotate(last=Max("order__ordered_at"))
    )
    return {int(row["product_id"]): row["last"].astimezone(zone).date() for row in rows}


def _rules(kind: str, keys: list[str]) -> list[AssociationRule]:
    found: list[AssociationRule] = []
    for start in range(0, len(keys), 500):
        found.extend(
            AssociationRule.objects.filter(
                kind=kind, level=RuleLevel.PRODUCT, antecedent_key__in=keys[start : start + 500]
            )
        )
    return found


def _product_names(ids: set[int]) -> dict[int, str]:
    from guanxi.catalog.models import Product

    return {product.pk: product.name for product in Product.objects.filter(pk__in=ids)}


def customer_suggestions(customer: Customer, *, limit: int = 5) -> dict[str, list[dict[str, Any]]]:
    """What to offer the customer: products "often bought together" with what they bought
    (basket rules) and the "likely next purchase" (sequence rules), from the last run."""
    history = _product_history(customer)
    if not history:
        return {"often_bought_together": [], "likely_next": []}
    recent = sorted(history, key=lambda item: (history[item], item), reverse=True)
    recent = sorted(recent[:SUGGESTION_HISTORY])
    keys = [str(item) for item in recent] + [
        f"{a},{b}" for a, b in itertools.combinations(recent, 2)
    ]
    basket_rules = _rules(RuleKind.BASKET, keys)
    sequence_rules = _rules(RuleKind.SEQUENCE, [str(item) for item in history])
    together = often_bought_together(
        pa.table(
            {
                "antecedent": pa.array([r.antecedent for r in basket_rules], pa.list_(pa.int64())),
                "consequent": pa.array(
                    [[r.consequent] for r in basket_rules], pa.list_(pa.int64())
                ),
                "confidence": pa.array([r.confidence for r in basket_rules], pa.float64()),
                "lift": pa.array([r.lift for r in basket_rules], pa.float64()),
                "support": pa.array([r.support for r in basket_rules], pa.float64()),
            }
        ),
        history,
        limit=limit,
    )
    following = likely_next_purchases(
        pa.table(
            {
                "antecedent": pa.array([r.antecedent[0] for r in sequence_rules], pa.int64()),
                "consequent": pa.array([r.consequent for r in sequence_rules], pa.int64()),
                "probability": pa.array([r.probability for r in sequence_rules], pa.float64()),
                "lift": pa.array([r.lift for r in sequence_rules], pa.float64()),
                "customers": pa.array([r.count for r in sequence_rules], pa.int64()),
            }
        ),
        history,
        as_of=_local_today(),
        limit=limit,
    )
    names = _product_names(
        {s.item for s in together}
        | {i for s in together for i in s.antecedent}
        | {n.item for n in following}
        | {n.antecedent for n in following}
    )
    return {
        "often_bought_together": [
            {
                "product_id": s.item,
                "name": names.get(s.item, ""),
                "because": [names.get(i, "") for i in s.antecedent],
                "because_ids": list(s.antecedent),
                "confidence": s.confidence,
                "lift": s.lift,
            }
            for s in together
        ],
        "likely_next": [
            {
                "product_id": n.item,
                "name": names.get(n.item, ""),
                "because": [names.get(n.antecedent, "")],
                "because_ids": [n.antecedent],
                "probability": n.probability,
                "lift": n.lift,
                "customers": n.customers,
            }
            for n in following
        ],
    }
