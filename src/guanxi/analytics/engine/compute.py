"""Everything the engine computes from the Arrow tables of ``read``, with the pure cores.

:func:`compute` runs the cores on one DuckDB connection (SQL that Spark SQL runs too, see the
cores' docstrings) and NumPy, and returns the per-customer rows to write back
(:data:`METRICS_COLUMNS`, one per customer who is not erased: buyers and prospects), the
aggregate tables of the run as JSON (the shape is documented in ``guanxi.analytics.models``)
and the rules for the customer page.
"""

from __future__ import annotations

import datetime
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanxi.analytics import basket, cohorts, forecast, kpi, rfm, sequences, value
from guanxi.analytics.choices import CORE_FREQUENCY_BANDS
from guanxi.analytics.engine.lifetime import lifetime
from guanxi.analytics.engine.read import Source
from guanxi.analytics.engine.serialize import json_value, rows

Progress = Callable[[str], None]

#: Rules kept in a run's results per level (all single-consequent rules go to the table).
RESULT_RULES = 300
WHALE_POINTS = 100


@dataclass(frozen=True)
class EngineConfig:
    """The owner's settings as the engine reads them (``AnalyticsSettings``)."""

    bins: int = 5
    recency_days: tuple[int | None, int | None, int | None] = (None, None, None)
    frequency_cuts: tuple[int, int, int] = rfm.DEFAULT_FREQUENCY_CUTS
    clv_months: int = 12
    annual_discount_rate: float = 0.10
    sequence_window_days: int = 90
    sequence_min_customers: int = 5
    basket_min_support: float = 0.001
    basket_min_confidence: float = 0.05
    abc_shares: tuple[float, float] = (0.80, 0.95)
    pyramid_inactive_days: int = 365
    deal_discount_share: float = 0.20
    deal_margin_ratio: float = 0.20

    @classmethod
    def from_settings(cls, settings: Any) -> EngineConfig:
        return cls(
            bins=int(settings.rfm_bins),
            recency_days=(
                settings.recency_active_days,
                settings.recency_silent_days,
                settings.recency_sleeping_days,
            ),
            frequency_cuts=(
                int(settings.frequency_second_time_from),
                int(settings.frequency_returning_from),
                int(settings.frequency_fan_from),
            ),
            clv_months=int(settings.clv_horizon_months),
            annual_discount_rate=float(settings.clv_annual_discount_rate),
            sequence_window_days=int(settings.sequence_window_days),
            sequence_min_customers=int(settings.sequence_min_customers),
            basket_min_support=float(settings.basket_min_support),
            basket_min_confidence=float(settings.basket_min_confidence),
            abc_shares=(float(settings.abc_a_share), float(settings.abc_b_share)),
            pyramid_inactive_days=int(settings.pyramid_inactive_days),
            deal_discount_share=float(settings.deal_discount_share),
            deal_margin_ratio=float(settings.deal_margin_ratio),
        )


@dataclass
class Computed:
    metrics: pa.Table
    results: dict[str, Any]
    thresholds: dict[str, Any]
    rules: list[dict[str, Any]]
    buyers: int
    timings: dict[str, float] = field(default_factory=dict)


METRICS_COLUMNS = (
    "customer_id",
    "first_purchase_at",
    "last_purchase_at",
    "purchases",
    "repeat_purchases",
    "recency_days",
    "tenure_days",
    "total_spend",
    "average_spend",
    "margin",
    "discount_share",
    "average_cycle_days",
    "favourite_category_id",
    "favourite_brand_id",
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
    "recency_band",
    "frequency_band",
    "monetary_decile",
    "purchase_decile",
    "abc_class",
    "pyramid_level",
    "deal_customer",
    "p_alive",
    "expected_purchases_90d",
    "clv_12m",
)


def segment_grid(bins: int) -> list[list[str]]:
    """The segment of each (R, FM) pair for ``bins`` scores: the five-bin grid of ``rfm``,
    each score mapped to the quintile it falls in."""
    if bins == 5:
        return [list(row) for row in rfm.DEFAULT_SEGMENT_GRID]

    def quintile(score: int) -> int:
        return max(1, min(5, math.ceil(score * 5 / bins)))

    return [
        [rfm.DEFAULT_SEGMENT_GRID[5 - quintile(r)][quintile(fm) - 1] for fm in range(1, bins + 1)]
        for r in range(bins, 0, -1)
    ]


def recency_limits(
    summary: pa.Table, configured: Sequence[int | None]
) -> tuple[rfm.RecencyThresholds, bool]:
    """The thresholds: derived from the median purchase cycle, with the owner's days where set
    (kept strictly increasing). The flag says whether any was derived."""
    derived = rfm.recency_thresholds(summary)
    chosen = [
        value_ if value_ is not None else default
        for value_, default in zip(configured, derived.as_tuple(), strict=True)
    ]
    for index in (1, 2):
        chosen[index] = max(chosen[index], chosen[index - 1] + 1)
    explicit = all(value_ is not None for value_ in configured)
    return (
        rfm.RecencyThresholds(
            int(chosen[0]),
            int(chosen[1]),
            int(chosen[2]),
            median_cycle_days=derived.median_cycle_days,
        ),
        not explicit,
    )


# --- alignment helpers -------------------------------------------------------------------------


def _ints(values: pa.Array | pa.ChunkedArray, fill: int = 0) -> np.ndarray:
    return np.asarray(pc.fill_null(values, fill).to_numpy(zero_copy_only=False), dtype=np.int64)


def _floats(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(
        pc.fill_null(values.cast(pa.float64()), np.nan).to_numpy(zero_copy_only=False),
        dtype=np.float64,
    )


def _strings(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if pa.types.is_dictionary(values.type):
        values = values.cast(pa.string())
    return np.asarray(pc.fill_null(values, "").to_numpy(zero_copy_only=False), dtype=object)


class Aligner:
    """Puts columns keyed by ``customer_id`` into the order of the metrics rows."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids

    def index(self, keys: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
        """For each row of the metrics, the row of ``keys`` holding it and whether there is one."""
        key_ids = _ints(keys)
        order = np.argsort(key_ids, kind="stable")
        sorted_ids = key_ids[order]
        if sorted_ids.size == 0:
            return np.zeros(self.ids.size, np.int64), np.zeros(self.ids.size, bool)
        at = np.searchsorted(sorted_ids, self.ids).clip(0, sorted_ids.size - 1)
        return order[at], sorted_ids[at] == self.ids


def _money_column(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~valid
    return rfm.money(pa.array(cents, pa.int64(), mask=mask))


def _take_int(
    values: pa.Array | pa.ChunkedArray, at: np.ndarray, found: np.ndarray, *, nullable: bool
) -> pa.Array:
    valid = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), bool)
    raw = _ints(values)
    taken = raw[at] if raw.size else np.zeros(at.size, np.int64)
    ok = found & (valid[at] if valid.size else found)
    if nullable:
        return pa.array(taken, pa.int64(), mask=~ok)
    return pa.array(np.where(ok, taken, 0), pa.int64())


def _take_float(values: pa.Array | pa.ChunkedArray, at: np.ndarray, found: np.ndarray) -> pa.Array:
    raw = _floats(values)
    taken = raw[at] if raw.size else np.full(at.size, np.nan)
    taken = np.where(found, taken, np.nan)
    return pa.array(taken, pa.float64(), mask=~np.isfinite(taken))


def _take_label(
    values: pa.Array | pa.ChunkedArray,
    at: np.ndarray,
    found: np.ndarray,
    mapping: dict[str, str] | None = None,
) -> pa.Array:
    raw = _strings(values)
    taken = raw[at] if raw.size else np.full(at.size, "", dtype=object)
    for old, new in (mapping or {}).items():
        taken = np.where(taken == old, new, taken)
    return pa.array(np.where(found, taken, ""), pa.string())


def _take_date(values: pa.Array | pa.ChunkedArray, at: np.ndarray, found: np.ndarray) -> pa.Array:
    days = _ints(values.cast(pa.int32()))
    taken = days[at] if days.size else np.zeros(at.size, np.int64)
    return pa.array(taken.astype(np.int32), pa.int32(), mask=~found).cast(pa.date32())


# --- the run ----------------------------------------------------------------------------------


def compute(
    source: Source,
    *,
    as_of: datetime.date,
    tz: str,
    config: EngineConfig,
    forecasts: bool = True,
    progress: Progress | None = None,
) -> Computed:
    """Compute every table of a run (see the module docstring)."""
    step = progress or (lambda _message: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    connection = duckdb.connect()
    connection.execute("SET threads TO 2")
    try:
        return _compute(source, as_of, tz, config, forecasts, step, lap, timings, connection)
    finally:
        connection.close()


def _compute(
    source: Source,
    as_of: datetime.date,
    tz: str,
    config: EngineConfig,
    forecasts: bool,
    step: Progress,
    lap: Callable[[str], None],
    timings: dict[str, float],
    connection: duckdb.DuckDBPyConnection,
) -> Computed:
    orders, lines, customers = source.orders, source.lines, source.customers
    buyer_orders = orders.filter(orders["customer_id"].is_valid())
    step("summary")
    summary = rfm.customer_summary(buyer_orders, lines, as_of=as_of, tz=tz)
    scores = rfm.rfm_scores(summary, bins=config.bins, segment_grid=segment_grid(config.bins))
    limits, derived = recency_limits(summary, config.recency_days)
    grid = rfm.rf_grid(summary, thresholds=limits, frequency_cuts=config.frequency_cuts)
    lap("rfm")

    step("value")
    monetary = value.value_deciles(summary, by="total_spend", connection=connection)
    purchase = value.value_deciles(summary, by="purchases", connection=connection)
    concentration = value.margin_concentration(summary, connection=connection)
    abc = value.abc_classes(
        summary, a_share=config.abc_shares[0], b_share=config.abc_shares[1], connection=connection
    )
    pyramid = value.customer_pyramid(
        summary,
        customers.select(["customer_id", "created_at"]),
        as_of=as_of,
        tz=tz,
        inactive_days=config.pyramid_inactive_days,
        connection=connection,
    )
    profitability = value.customer_profitability(
        summary,
        deal_discount_share=config.deal_discount_share,
        deal_margin_ratio=config.deal_margin_ratio,
        connection=connection,
    )
    icp = (
        value.ideal_customer_profile(summary, customers, as_of=as_of, connection=connection)
        if summary.num_rows
        else value.PROFILE_SCHEMA.empty_table()
    )
    lap("value")

    step("lifetime")
    life = (
        lifetime(
            summary,
            buyer_orders,
            as_of=as_of,
            tz=tz,
            months=config.clv_months,
            annual_discount_rate=config.annual_discount_rate,
        )
        if summary.num_rows
        else None
    )
    lap("lifetime")

    step("rules")
    rule_rows, rule_results = _basket(lines, config, connection)
    lap("basket")
    step("sequences")
    sequence_rows, sequence_results = _sequences(lines, config, tz, connection)
    rule_rows.extend(sequence_rows)
    lap("sequences")

    step("cohorts")
    retention = cohorts.retention_matrix(buyer_orders, tz=tz, connection=connection)
    kpis = {
        period: rows(
            pa.concat_tables(
                [
                    kpi.kpi_periods(
                        orders, period=period, tz=tz, by_store=False, connection=connection
                    ),
                    kpi.kpi_periods(
                        orders, period=period, tz=tz, by_store=True, connection=connection
                    ),
                ]
            )
        )
        for period in ("month", "week")
    }
    lap("cohorts_kpi")

    forecast_results: dict[str, Any] = {}
    if forecasts:
        step("forecast")
        forecast_results = _forecasts(orders, lines, tz, connection)
        lap("forecast")

    step("metrics")
    metrics = _metrics(
        customers, summary, scores, grid, monetary, purchase, abc, pyramid, profitability, life
    )
    lap("metrics")

    thresholds = {
        "active": limits.active,
        "silent": limits.silent,
        "sleeping": limits.sleeping,
        "median_cycle_days": limits.median_cycle_days,
        "derived": derived,
        "frequency_cuts": list(config.frequency_cuts),
        "bins": config.bins,
    }
    results = {
        "as_of": as_of.isoformat(),
        "summary": _summary_results(orders, summary, customers),
        "grid": _grid_results(grid),
        "segments": _segment_results(summary, scores),
        "deciles": {"monetary": rows(monetary.deciles), "purchases": rows(purchase.deciles)},
        "margin_concentration": rows(concentration),
        "abc": [dict(row, level=row["level"].lower()) for row in rows(abc.levels)],
        "pyramid": rows(pyramid.levels),
        "profitability": _profitability_results(profitability),
        "icp": rows(icp),
        "clv": json_value(life.results) if life is not None else {"bgnbd": None},
        "cohorts": {
            "cells": rows(retention.cells),
            "customers": retention.customers,
            "revenue": json_value(retention.revenue),
        },
        "kpi": kpis,
        "forecast": forecast_results,
        "rules": rule_results,
        "sequences": sequence_results,
    }
    return Computed(
        metrics=metrics,
        results=results,
        thresholds=thresholds,
        rules=rule_rows,
        buyers=summary.num_rows,
        timings=timings,
    )


def _metrics(
    customers: pa.Table,
    summary: pa.Table,
    scores: pa.Table,
    grid: rfm.RfGrid,
    monetary: value.Deciles,
    purchase: value.Deciles,
    abc: value.Levels,
    pyramid: value.Levels,
    profitability: pa.Table,
    life: Any,
) -> pa.Table:
    ids = np.sort(_ints(customers["customer_id"]))
    align = Aligner(ids)
    at, found = align.index(summary["customer_id"])
    spend_cents = _ints(rfm.cents(summary["total_spend"]))
    spend = np.where(found, spend_cents[at] if spend_cents.size else 0, 0)
    orders_count = _ints(summary["orders"])
    per_order = orders_count[at] if orders_count.size else np.zeros(ids.size, np.int64)
    # Half up to the cent, in integers: ⌊(2·spend + n) / 2n⌋ (spend is never negative).
    divisor = np.maximum(per_order, 1)
    average = np.where(found & (per_order > 0), (2 * spend + divisor) // (2 * divisor), 0)
    margin_cents = _ints(rfm.cents(summary["margin"]))
    margin_valid = np.asarray(summary["margin"].is_valid().to_numpy(zero_copy_only=False), bool)
    margin_ok = found & (margin_valid[at] if margin_valid.size else found)
    columns: dict[str, pa.Array] = {
        "customer_id": pa.array(ids, pa.int64()),
        "first_purchase_at": _take_date(summary["first_purchase"], at, found),
        "last_purchase_at": _take_date(summary["last_purchase"], at, found),
        "purchases": _take_int(summary["purchases"], at, found, nullable=False),
        "repeat_purchases": _take_int(summary["repeat_purchases"], at, found, nullable=False),
        "recency_days": _take_int(summary["recency_days"], at, found, nullable=True),
        "tenure_days": _take_int(summary["tenure_days"], at, found, nullable=True),
        "total_spend": _money_column(spend),
        "average_spend": _money_column(average.astype(np.int64)),
        "margin": _money_column(
            np.where(margin_ok, margin_cents[at] if margin_cents.size else 0, 0), margin_ok
        ),
        "discount_share": _take_float(summary["discount_share"], at, found),
        "average_cycle_days": _take_float(summary["average_cycle_days"], at, found),
        "favourite_category_id": _take_int(summary["favourite_category"], at, found, nullable=True),
        "favourite_brand_id": _take_int(summary["favourite_brand"], at, found, nullable=True),
    }
    at, found = align.index(scores["customer_id"])
    for name in ("r_score", "f_score", "m_score"):
        columns[name] = _take_int(scores[name], at, found, nullable=True)
    columns["rfm_segment"] = _take_label(scores["segment"], at, found)
    at, found = align.index(grid.customers["customer_id"])
    columns["recency_band"] = _take_label(grid.customers["recency_band"], at, found)
    columns["frequency_band"] = _take_label(
        grid.customers["frequency_band"],
        at,
        found,
        {core: str(band) for core, band in CORE_FREQUENCY_BANDS.items()},
    )
    at, found = align.index(monetary.customers["customer_id"])
    columns["monetary_decile"] = _take_int(monetary.customers["decile"], at, found, nullable=True)
    at, found = align.index(purchase.customers["customer_id"])
    columns["purchase_decile"] = _take_int(purchase.customers["decile"], at, found, nullable=True)
    at, found = align.index(abc.customers["customer_id"])
    columns["abc_class"] = _take_label(
        abc.customers["level"], at, found, {"A": "a", "B": "b", "C": "c"}
    )
    at, found = align.index(pyramid.customers["customer_id"])
    columns["pyramid_level"] = _take_label(pyramid.customers["level"], at, found)
    at, found = align.index(profitability["customer_id"])
    deal = np.asarray(
        pc.fill_null(profitability["deal"], False).to_numpy(zero_copy_only=False), bool
    )
    columns["deal_customer"] = pa.array(
        np.where(found, deal[at] if deal.size else False, False), pa.bool_()
    )
    at, found = align.index(summary["customer_id"])
    if life is not None:
        columns["p_alive"] = _take_float(pa.array(life.p_alive), at, found)
        columns["expected_purchases_90d"] = _take_float(pa.array(life.expected_90d), at, found)
        value_ = life.value[at] if life.value.size else np.full(ids.size, np.nan)
        ok = found & np.isfinite(value_)
        columns["clv_12m"] = _money_column(
            np.where(ok, np.floor(np.where(ok, value_, 0) * 100 + 0.5), 0).astype(np.int64), ok
        )
    else:
        columns["p_alive"] = pa.nulls(ids.size, pa.float64())
        columns["expected_purchases_90d"] = pa.nulls(ids.size, pa.float64())
        columns["clv_12m"] = pa.nulls(ids.size, rfm.MONEY)
    return pa.table({name: columns[name] for name in METRICS_COLUMNS})


# --- aggregate tables ---------------------------------------------------------------------------


def _summary_results(orders: pa.Table, summary: pa.Table, customers: pa.Table) -> dict[str, Any]:
    revenue = pc.sum(orders["net_amount"]).as_py() or Decimal(0)
    buyer_revenue = pc.sum(summary["total_spend"]).as_py() or Decimal(0)
    margin = pc.sum(summary["margin"]).as_py()
    return json_value(
        {
            "customers": customers.num_rows,
            "buyers": summary.num_rows,
            "prospects": customers.num_rows - summary.num_rows,
            "orders": orders.num_rows,
            "walk_in_orders": orders["customer_id"].null_count,
            "revenue": revenue,
            "buyer_revenue": buyer_revenue,
            "margin": margin,
        }
    )


def _grid_results(grid: rfm.RfGrid) -> list[dict[str, Any]]:
    cells = []
    for row in rows(grid.cells):
        band = str(CORE_FREQUENCY_BANDS[row["frequency_band"]])
        row["frequency_band"] = band
        row["cell"] = f"{row['recency_band']}_{band}"
        cells.append(row)
    return cells


def _segment_results(summary: pa.Table, scores: pa.Table) -> list[dict[str, Any]]:
    names = _strings(scores["segment"])
    spend = _ints(rfm.cents(summary["total_spend"]))  # both tables are ordered by customer id
    total_customers, total_spend = names.size, int(spend.sum())
    out = []
    for segment in rfm.SEGMENTS:
        chosen = names == segment
        count, revenue = int(chosen.sum()), int(spend[chosen].sum())
        out.append(
            {
                "segment": segment,
                "customers": count,
                "revenue": json_value(Decimal(revenue).scaleb(-2)),
                "customer_share": count / total_customers if total_customers else 0.0,
                "revenue_share": revenue / total_spend if total_spend else 0.0,
            }
        )
    return out


def _profitability_results(table: pa.Table) -> dict[str, Any]:
    n = table.num_rows
    shares = _floats(table["cumulative_margin_share"])
    points = [{"customer_share": 0.0, "margin_share": 0.0}]
    if n:
        for k in range(1, WHALE_POINTS + 1):
            position = max(1, math.ceil(k * n / WHALE_POINTS))
            points.append({"customer_share": position / n, "margin_share": shares[position - 1]})
    deal = table.filter(pc.fill_null(table["deal"], False))
    return json_value(
        {
            "whale_curve": points,
            "deal_customers": deal.num_rows,
            "deal_revenue": pc.sum(deal["total_spend"]).as_py() or Decimal(0),
            "deal_margin": pc.sum(deal["margin"]).as_py() or Decimal(0),
            "customers_with_margin": n - table["margin"].null_count,
            "peak_margin_share": float(np.nanmax(shares)) if n else None,
        }
    )


def _basket(
    lines: pa.Table, config: EngineConfig, connection: duckdb.DuckDBPyConnection
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rule_rows: list[dict[str, Any]] = []
    results: dict[str, Any] = {}
    for level, column in (("product", "product_id"), ("category", "category_id")):
        table = pa.table({"basket_id": lines["order_id"], "item": lines[column]})
        found = basket.basket_rules(
            table,
            min_support=config.basket_min_support,
            min_confidence=config.basket_min_confidence,
            max_len=3,
            connection=connection,
        )
        rules = found.rules
        single = rules.filter(pc.equal(pc.list_value_length(rules["consequent"]), 1))
        for row in single.to_pylist():
            rule_rows.append(
                {
                    "kind": "basket",
                    "level": level,
                    "antecedent": list(row["antecedent"]),
                    "consequent": int(row["consequent"][0]),
                    "support": row["support"],
                    "confidence": row["confidence"],
                    "lift": row["lift"],
                    "probability": row["confidence"],
                    "window_days": None,
                    "count": int(row["count"]),
                }
            )
        best = _top(rules, "lift", RESULT_RULES)
        results[level] = rows(
            best,
            ["antecedent", "consequent", "count", "support", "confidence", "lift", "leverage"],
        )
        results[f"{level}_baskets"] = found.baskets
        results[f"{level}_itemsets"] = found.itemsets.num_rows
        results[f"{level}_rules"] = rules.num_rows
    results["min_support"] = config.basket_min_support
    results["min_confidence"] = config.basket_min_confidence
    return rule_rows, results


def _top(table: pa.Table, key: str, limit: int) -> pa.Table:
    """The ``limit`` rows with the largest ``key`` (ties in table order)."""
    order = np.argsort(-_floats(table[key]), kind="stable")[:limit]
    return table.take(pa.array(order, pa.int64()))


def _sequences(
    lines: pa.Table, config: EngineConfig, tz: str, connection: duckdb.DuckDBPyConnection
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with_customer = lines.filter(lines["customer_id"].is_valid())
    days = cohorts.local_dates(with_customer["ordered_at"], tz)
    rule_rows: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for level, column in (("product", "product_id"), ("category", "category_id")):
        found = sequences.sequence_rules(
            pa.table(
                {
                    "customer_id": with_customer["customer_id"],
                    "ordered_at": days,
                    "item": with_customer[column],
                }
            ),
            window_days=config.sequence_window_days,
            min_customers=config.sequence_min_customers,
            connection=connection,
        )
        for row in found.rules.to_pylist():
            rule_rows.append(
                {
                    "kind": "sequence",
                    "level": level,
                    "antecedent": [int(row["antecedent"])],
                    "consequent": int(row["consequent"]),
                    "support": row["support"],
                    "confidence": row["probability"],
                    "lift": row["lift"],
                    "probability": row["probability"],
                    "window_days": found.window_days,
                    "count": int(row["customers"]),
                }
            )
        for row in rows(_top(found.rules, "lift", RESULT_RULES)):
            row["level"] = level
            row["window_days"] = found.window_days
            results.append(row)
    return rule_rows, results


def _forecasts(
    orders: pa.Table, lines: pa.Table, tz: str, connection: duckdb.DuckDBPyConnection
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for granularity in ("week", "month"):
        series: list[dict[str, Any]] = []
        points: list[dict[str, Any]] = []
        for by in ("total", "store", "category"):
            result = forecast.forecast_sales(
                orders,
                lines=lines.select(["order_id", "category_id", "amount"]),
                by=by,  # type: ignore[arg-type]
                granularity=granularity,  # type: ignore[arg-type]
                tz=tz,
                connection=connection,
            )
            series.extend(rows(result.summary))
            points.extend(rows(result.table))
        out[granularity] = {"series": series, "points": points}
    return out
