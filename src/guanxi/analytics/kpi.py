"""Sales KPIs per period and store: new vs repeat customers, the KPI trees and the lifecycle.

Pure Arrow + DuckDB SQL like ``rfm``, whose conventions hold here (input ``orders`` table, local
days in ``tz``, Spark SQL). :func:`kpi_periods` returns one row per store (or for all stores) and
period — day, ISO week (Monday to Sunday) or calendar month of the local date — with every period
from the first to the last present, zeros included, so that each row's previous period is the
calendar one. Definitions:

- an order is a **new-customer** order when it falls in the period of its customer's first-ever
  order (the first order among all the orders passed, in any store: pass the whole history), a
  **repeat** order when the customer bought in an earlier period, and a **walk-in** order when it
  has no customer. So ``sales = new_customer_sales + repeat_sales + walk_in_sales`` (the first
  KPI tree, with the walk-ins as their own branch);
- ``transactions`` = orders; ``average_ticket = sales / transactions``; ``items_per_basket =
  items / transactions``; ``average_unit_price = sales / items``; so ``sales = transactions ×
  average_ticket`` and ``average_ticket = average_unit_price × items_per_basket`` (the second
  tree; ratios are null when their denominator is 0);
- ``customers``: distinct customers who bought in the store in the period; ``new_customers``
  those whose first-ever order is in the period, ``repeat_customers`` the others;
- the **lifecycle**: a repeat customer is ``retained`` when they also bought (in any store) in
  the previous period and ``reactivated`` otherwise; ``lapsed`` counts the customers who bought
  in the store in the previous period and bought nowhere in this one. ``customers = new +
  retained + reactivated``. Per store a customer counts in every store they bought in, so store
  rows can add up to more than the all-stores row;
- for the measures of :data:`CHANGE_MEASURES`, ``<measure>_previous`` is the previous period's
  value and ``<measure>_change = value / previous − 1`` (null when the previous value is 0 or
  null: the first period, or a ratio without transactions).

**Spark SQL.** Periods are integers (the day number of their first day, computed in Arrow before
the SQL); the statements use ``GROUP BY``, ``COUNT(DISTINCT ...)``, ``CASE``, joins and
``CAST`` only, which Spark SQL runs unchanged; the dense store × period grid is built from an
Arrow table of the periods. Materialisation and registration are DuckDB's, as in ``rfm``.
"""

# The SQL is assembled from this module's own table and column names and from numbers it has
# checked; no text from users reaches it.
# ruff: noqa: S608

from __future__ import annotations

import datetime

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanxi.analytics.rfm import (
    DEFAULT_TZ,
    MONEY,
    day_number,
    money,
    prepare_orders,
    sorted_unique,
    sql_session,
)

PERIODS = ("day", "week", "month")

#: The measures with a previous value and a period-over-period change.
CHANGE_MEASURES = (
    "sales",
    "new_customer_sales",
    "repeat_sales",
    "transactions",
    "average_ticket",
    "items_per_basket",
    "average_unit_price",
    "customers",
    "new_customers",
    "repeat_customers",
)

_MEASURES: list[tuple[str, pa.DataType]] = [
    ("sales", MONEY),
    ("new_customer_sales", MONEY),
    ("repeat_sales", MONEY),
    ("walk_in_sales", MONEY),
    ("transactions", pa.int64()),
    ("walk_in_transactions", pa.int64()),
    ("items", pa.int64()),
    ("average_ticket", pa.float64()),
    ("items_per_basket", pa.float64()),
    ("average_unit_price", pa.float64()),
    ("customers", pa.int64()),
    ("new_customers", pa.int64()),
    ("repeat_customers", pa.int64()),
    ("retained_customers", pa.int64()),
    ("reactivated_customers", pa.int64()),
    ("lapsed_customers", pa.int64()),
]
_RATIOS = {"average_ticket", "items_per_basket", "average_unit_price"}

KPI_SCHEMA = pa.schema(
    [
        pa.field("store_id", pa.int64()),
        pa.field("period", pa.date32(), nullable=False),
        pa.field("period_end", pa.date32(), nullable=False),
    ]
    + [pa.field(name, kind, nullable=name in _RATIOS) for name, kind in _MEASURES]
    + [
        field
        for name in CHANGE_MEASURES
        for field in (
            pa.field(f"{name}_previous", dict(_MEASURES)[name]),
            pa.field(f"{name}_change", pa.float64()),
        )
    ]
)


KPI_MONEY_COLUMNS = [field.name for field in KPI_SCHEMA if field.type == MONEY]


def period_starts(days: np.ndarray, period: str) -> np.ndarray:
    """The first day (day number) of the day, ISO week or month holding each day number."""
    days = np.asarray(days, dtype=np.int64)
    if period == "day":
        return days
    if period == "week":  # 1970-01-01 was a Thursday: Monday is 3 days before
        return days - (days + 3) % 7
    if period == "month":
        months = days.astype("datetime64[D]").astype("datetime64[M]")
        return months.astype("datetime64[D]").astype(np.int64)
    raise ValueError(f"period must be one of {PERIODS}, got {period!r}")


def kpi_periods(
    orders: pa.Table,
    *,
    period: str = "month",
    tz: str = DEFAULT_TZ,
    by_store: bool = True,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """The KPIs of each store (``by_store``) or of all stores, per period (:data:`KPI_SCHEMA`).

    ``orders`` needs ``customer_id``, ``ordered_at`` and ``net_amount``; ``store_id`` and
    ``items`` are read when present. The rows are the periods holding ``start`` to ``end``
    (local dates; by default the first to the last order), each computed over its whole period
    and from the whole history passed (new customers, the previous period), ordered by store
    then period.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, got {period!r}")
    prepared = prepare_orders(orders, tz)
    if prepared["day"].null_count:  # an order without a time belongs to no period
        prepared = prepared.filter(prepared["day"].is_valid())
    bounds = pc.min_max(prepared["day"]).as_py()
    if bounds["min"] is None and (start is None or end is None):
        return KPI_SCHEMA.empty_table()
    data = [] if bounds["min"] is None else [int(bounds["min"]), int(bounds["max"])]
    first = day_number(start) if start is not None else data[0]
    last = day_number(end) if end is not None else data[1]
    if first > last:
        raise ValueError("start must not be after end")
    opening = int(period_starts(np.array([min([first, *data])]), period)[0])
    # From the last day of the period before the first: each period has its previous one.
    span = np.arange(opening - 1, max([last, *data]) + 1, dtype=np.int64)
    starts = sorted_unique(period_starts(span, period))
    periods = pa.table(
        {
            "period": pa.array(starts[1:], pa.int64()),
            "previous": pa.array(starts[:-1], pa.int64()),
            "period_end": pa.array(_period_ends(starts[1:], period), pa.int64()),
        }
    )
    shown = period_starts(np.array([first, last]), period)
    store = "store_id" if by_store else "CAST(0 AS BIGINT)"
    with sql_session(connection) as sql:
        registered = sql.register(
            "orders",
            prepared.append_column(
                "period",
                pa.array(period_starts(np.asarray(prepared["day"].to_numpy()), period), pa.int64()),
            ).select(["customer_id", "store_id", "period", "net_cents", "items"]),
        )
        grid = sql.register("periods", periods)
        firsts = (
            "SELECT customer_id, MIN(period) AS first_period "
            f"FROM {registered} WHERE customer_id IS NOT NULL GROUP BY customer_id"
        )
        tagged = sql.create(
            "tagged",
            f"SELECT {store} AS store_key, o.period, o.customer_id, o.net_cents AS net, o.items, "
            "CASE WHEN o.customer_id IS NULL THEN 2 WHEN f.first_period = o.period THEN 0 "
            "ELSE 1 END AS kind "
            f"FROM {registered} o LEFT JOIN ({firsts}) f ON f.customer_id = o.customer_id",
        )
        present = sql.create(
            "present",
            f"SELECT DISTINCT customer_id, period FROM {registered} WHERE customer_id IS NOT NULL",
        )
        activity = sql.create(
            "activity",
            f"SELECT DISTINCT store_key, period, customer_id, kind FROM {tagged} WHERE kind < 2",
        )
        sales = (
            "SELECT store_key, period, SUM(net) AS sales, "
            "SUM(CASE WHEN kind = 0 THEN net ELSE 0 END) AS new_customer_sales, "
            "SUM(CASE WHEN kind = 1 THEN net ELSE 0 END) AS repeat_sales, "
            "SUM(CASE WHEN kind = 2 THEN net ELSE 0 END) AS walk_in_sales, "
            "COUNT(*) AS transactions, "
            "SUM(CASE WHEN kind = 2 THEN 1 ELSE 0 END) AS walk_in_transactions, "
            "SUM(items) AS items "
            f"FROM {tagged} GROUP BY store_key, period"
        )
        # A customer has one kind in a period (new in the period of their first order, repeat
        # in every later one), so the distinct rows of ``activity`` count the customers: no
        # COUNT(DISTINCT) over the orders.
        counted = (
            "SELECT store_key, period, COUNT(*) AS customers, "
            "SUM(CASE WHEN kind = 0 THEN 1 ELSE 0 END) AS new_customers, "
            "SUM(CASE WHEN kind = 1 THEN 1 ELSE 0 END) AS repeat_customers "
            f"FROM {activity} GROUP BY store_key, period"
        )
        retained = (
            "SELECT a.store_key, a.period, COUNT(*) AS retained_customers "
            f"FROM {activity} a JOIN {grid} g ON g.period = a.period "
            f"JOIN {present} q ON q.customer_id = a.customer_id AND q.period = g.previous "
            "WHERE a.kind = 1 GROUP BY a.store_key, a.period"
        )
        lapsed = (
            "SELECT a.store_key, g.period, COUNT(*) AS lapsed_customers "
            f"FROM {activity} a JOIN {grid} g ON g.previous = a.period "
            f"LEFT JOIN {present} q ON q.customer_id = a.customer_id AND q.period = g.period "
            "WHERE q.customer_id IS NULL GROUP BY a.store_key, g.period"
        )
        cents = "BIGINT"  # money in cents until the end
        dense = sql.create(
            "dense",
            "SELECT s.store_key, g.period, g.previous, g.period_end, "
            f"CAST(COALESCE(x.sales, 0) AS {cents}) AS sales, "
            f"CAST(COALESCE(x.new_customer_sales, 0) AS {cents}) AS new_customer_sales, "
            f"CAST(COALESCE(x.repeat_sales, 0) AS {cents}) AS repeat_sales, "
            f"CAST(COALESCE(x.walk_in_sales, 0) AS {cents}) AS walk_in_sales, "
            "CAST(COALESCE(x.transactions, 0) AS BIGINT) AS transactions, "
            "CAST(COALESCE(x.walk_in_transactions, 0) AS BIGINT) AS walk_in_transactions, "
            "CAST(COALESCE(x.items, 0) AS BIGINT) AS items, "
            "CASE WHEN x.transactions > 0 "
            "THEN CAST(x.sales AS DOUBLE) / (100.0 * x.transactions) END AS average_ticket, "
            "CASE WHEN x.transactions > 0 "
            "THEN CAST(x.items AS DOUBLE) / x.transactions END AS items_per_basket, "
            "CASE WHEN x.items > 0 "
            "THEN CAST(x.sales AS DOUBLE) / (100.0 * x.items) END AS average_unit_price, "
            "CAST(COALESCE(n.customers, 0) AS BIGINT) AS customers, "
            "CAST(COALESCE(n.new_customers, 0) AS BIGINT) AS new_customers, "
            "CAST(COALESCE(n.repeat_customers, 0) AS BIGINT) AS repeat_customers, "
            "CAST(COALESCE(r.retained_customers, 0) AS BIGINT) AS retained_customers, "
            "CAST(COALESCE(n.repeat_customers, 0) - COALESCE(r.retained_customers, 0) "
            "AS BIGINT) AS reactivated_customers, "
            "CAST(COALESCE(l.lapsed_customers, 0) AS BIGINT) AS lapsed_customers "
            f"FROM (SELECT DISTINCT store_key FROM {tagged}) s CROSS JOIN {grid} g "
            f"LEFT JOIN ({sales}) x ON x.store_key = s.store_key AND x.period = g.period "
            f"LEFT JOIN ({counted}) n ON n.store_key = s.store_key AND n.period = g.period "
            f"LEFT JOIN ({retained}) r ON r.store_key = s.store_key AND r.period = g.period "
            f"LEFT JOIN ({lapsed}) l ON l.store_key = s.store_key AND l.period = g.period",
        )
        changes = ", ".join(
            f"p.{name} AS {name}_previous, "
            f"CASE WHEN p.{name} <> 0 "
            f"THEN CAST(c.{name} AS DOUBLE) / CAST(p.{name} AS DOUBLE) - 1 END AS {name}_change"
            for name in CHANGE_MEASURES
        )
        measures = ", ".join(f"c.{name}" for name, _ in _MEASURES)
        store_column = "c.store_key" if by_store else "CAST(NULL AS BIGINT)"
        table = sql.table(
            f"SELECT {store_column} AS store_id, c.period, c.period_end, {measures}, {changes} "
            f"FROM {dense} c LEFT JOIN {dense} p "
            "ON p.store_key = c.store_key AND p.period = c.previous "
            f"WHERE c.period >= {int(shown[0])} AND c.period <= {int(shown[1])} "
            "ORDER BY c.store_key, c.period"
        )
    for column in ("period", "period_end"):
        position = table.schema.get_field_index(column)
        dates = pc.cast(pc.cast(table[column], pa.int32()), pa.date32())
        table = table.set_column(position, column, dates)
    for name in KPI_MONEY_COLUMNS:
        position = table.schema.get_field_index(name)
        table = table.set_column(position, name, money(table[name]))
    return table.cast(KPI_SCHEMA)


def _period_ends(starts: np.ndarray, period: str) -> np.ndarray:
    """The last day of each period starting on ``starts``."""
    if period == "day":
        return starts
    if period == "week":
        return starts + 6
    following = (starts.astype("datetime64[D]").astype("datetime64[M]") + 1).astype("datetime64[D]")
    return following.astype(np.int64) - 1
