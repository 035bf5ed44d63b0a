"""The tables ``guanxi analytics export`` writes: per customer from the metrics, aggregates from
the last run. Each is a list of column names and an iterator of rows (dicts), streamed, so a
million customers never sit in memory as objects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from guanxi.analytics.choices import RuleKind, RuleLevel
from guanxi.analytics.models import AssociationRule, CustomerMetrics
from guanxi.analytics.selectors import grid_cell_actions, run_latest
from guanxi.analytics.serialize_metrics import FIELDS, _plain

EXPORT_KINDS = (
    "rfm",
    "grid",
    "deciles",
    "pyramid",
    "clv",
    "rules",
    "sequences",
    "cohorts",
    "forecast",
)
CHUNK = 5_000


class NoRunError(Exception):
    """There is no finished refresh to export from."""


@dataclass(frozen=True)
class ExportTable:
    columns: list[str]
    rows: Iterator[dict[str, Any]]


def _results() -> dict[str, Any]:
    run = run_latest()
    if run is None:
        raise NoRunError
    return dict(run.results)


def _metrics(fields: tuple[str, ...]) -> ExportTable:
    columns = ["customer_id", *fields]

    def rows() -> Iterator[dict[str, Any]]:
        values = CustomerMetrics.objects.order_by("customer_id").values_list(*columns)
        for row in values.iterator(chunk_size=CHUNK):
            yield {name: _plain(value) for name, value in zip(columns, row, strict=True)}

    return ExportTable(columns, rows())


def _list(rows: list[dict[str, Any]], columns: list[str]) -> ExportTable:
    """Rows of a run's results. Their keys come back from a JSON column in any order
    (PostgreSQL's jsonb sorts them), so the columns are named; other keys follow, sorted."""
    extra = sorted({key for row in rows for key in row} - set(columns))
    return ExportTable([*columns, *extra], iter(rows))


GRID_COLUMNS = [
    "cell",
    "recency_band",
    "frequency_band",
    "recency_index",
    "frequency_index",
    "min_days",
    "max_days",
    "min_purchases",
    "max_purchases",
    "customers",
    "revenue",
    "customer_share",
    "revenue_share",
    "action",
]
LEVEL_COLUMNS = ["level", "customers", "revenue", "customer_share", "revenue_share"]
DECILE_COLUMNS = [
    "by",
    "decile",
    "customers",
    "revenue",
    "margin",
    "customer_share",
    "revenue_share",
    "margin_share",
    "cumulative_customer_share",
    "cumulative_revenue_share",
    "cumulative_margin_share",
    "min_spend",
    "max_spend",
    "min_purchases",
    "max_purchases",
]
COHORT_COLUMNS = [
    "cohort_month",
    "months_since",
    "cohort_size",
    "active_customers",
    "orders",
    "revenue",
    "retention",
    "revenue_retention",
]
FORECAST_COLUMNS = [
    "granularity",
    "series",
    "kind",
    "period_start",
    "forecast",
    "lower",
    "upper",
    "model",
    "mape",
]


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return value


def _names(level: str, ids: set[int]) -> dict[int, str]:
    from guanxi.catalog.models import Category, Product

    model = Product if level == RuleLevel.PRODUCT else Category
    return {item.pk: item.name for item in model.objects.filter(pk__in=ids)}


def _rules(kind: str) -> ExportTable:
    rules = list(AssociationRule.objects.filter(kind=kind).order_by("level", "-lift", "pk"))
    names: dict[str, dict[int, str]] = {}
    for level in RuleLevel.values:
        ids = {i for r in rules if r.level == level for i in [*r.antecedent, r.consequent]}
        names[level] = _names(level, ids)
    rows = [
        {
            "level": r.level,
            "antecedent": " ".join(str(i) for i in r.antecedent),
            "antecedent_names": " + ".join(names[r.level].get(i, "") for i in r.antecedent),
            "consequent": r.consequent,
            "consequent_name": names[r.level].get(r.consequent, ""),
            "count": r.count,
            "support": r.support,
            "confidence": r.confidence,
            "lift": r.lift,
            "probability": r.probability,
            "window_days": r.window_days,
        }
        for r in rules
    ]
    columns = [
        "level",
        "antecedent",
        "antecedent_names",
        "consequent",
        "consequent_name",
        "count",
        "support",
        "confidence",
        "lift",
        "probability",
        "window_days",
    ]
    return ExportTable(columns, iter(rows))


def export_table(kind: str) -> ExportTable:
    """The table of ``kind`` (one of :data:`EXPORT_KINDS`); ``NoRunError`` before the first
    refresh."""
    if kind == "rfm":
        return _metrics(FIELDS)
    if kind == "clv":
        return _metrics(
            (
                "purchases",
                "total_spend",
                "rfm_segment",
                "p_alive",
                "expected_purchases_90d",
                "clv_12m",
                "refreshed_at",
            )
        )
    if kind == "rules":
        return _rules(RuleKind.BASKET)
    if kind == "sequences":
        return _rules(RuleKind.SEQUENCE)
    results = _results()
    if kind == "grid":
        actions = grid_cell_actions()
        return _list(
            [{**row, "action": actions.get(row["cell"], "")} for row in results["grid"]],
            GRID_COLUMNS,
        )
    if kind == "deciles":
        deciles = results["deciles"]
        return _list(
            [{"by": "monetary", **row} for row in deciles["monetary"]]
            + [{"by": "purchases", **row} for row in deciles["purchases"]],
            DECILE_COLUMNS,
        )
    if kind == "pyramid":
        return _list(results["pyramid"], LEVEL_COLUMNS)
    if kind == "cohorts":
        return _list(results["cohorts"]["cells"], COHORT_COLUMNS)
    if kind == "forecast":
        rows = []
        for granularity, block in (results.get("forecast") or {}).items():
            error = {row["series"]: row for row in block["series"]}
            for point in block["points"]:
                summary = error.get(point["series"], {})
                rows.append(
                    {
                        "granularity": granularity,
                        **point,
                        "model": summary.get("model"),
                        "mape": summary.get("mape"),
                    }
                )
        return _list(rows, FORECAST_COLUMNS)
    raise ValueError(f"unknown export {kind!r}")


def flat_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: _flat(value) for key, value in row.items()}
