"""Cohorts: the retention matrix by month of first purchase, computed with DuckDB SQL.

``retention_matrix(orders)`` takes the orders as an Arrow table of ``(order_id int64,
customer_id int64 nullable, store_id int64, ordered_at timestamp, net_amount decimal)`` and
returns one row per cohort and month since the first purchase:

- a customer's **cohort** is the calendar month (local date in ``tz``, Asia/Shanghai by default)
  of their first order; orders without a customer (walk-ins) are left out;
- ``months_since`` is the number of calendar months from the cohort month to the month of an
  order: an order on 31 January by a customer who first bought on 1 January is month 0, one on
  1 February is month 1;
- ``active_customers``: the cohort's customers with at least one order in that month;
  ``orders`` and ``revenue`` (the sum of ``net_amount``, returns with a negative amount
  included) of those orders;
- ``cohort_size``: the customers of the cohort; ``retention = active_customers / cohort_size``
  (1 in month 0); ``revenue_retention``: the month's revenue over the cohort's month-0 revenue.

The matrix is dense: every cohort has a row for each month from 0 up to the last month with an
order in the data (or ``max_months``), with zeros where nobody bought, so an empty cell means
"not observed yet" only beyond that edge. Month-0 actives equal the cohort size, and the revenue
over the matrix (without ``max_months``) equals the revenue of all orders with a customer.

**Spark SQL.** Local dates are computed in Arrow before the SQL (Spark: ``from_utc_timestamp``);
months are integers ``year * 12 + month - 1``; the statements use ``year``, ``month``,
``make_date``, ``COALESCE``, joins, ``GROUP BY`` and a window ``SUM ... OVER (PARTITION BY)``,
which Spark SQL runs unchanged. Only the materialisation (``CREATE TEMP TABLE``) is DuckDB's.
"""

# The SQL is assembled from this module's own table and column names and from numbers it has
# checked; no text from users reaches it.
# ruff: noqa: S608

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from guanxi.analytics.basket import sql_session

DEFAULT_TZ = "Asia/Shanghai"

RETENTION_SCHEMA = pa.schema(
    [
        pa.field("cohort_month", pa.date32(), nullable=False),
        pa.field("months_since", pa.int32(), nullable=False),
        pa.field("cohort_size", pa.int64(), nullable=False),
        pa.field("active_customers", pa.int64(), nullable=False),
        pa.field("orders", pa.int64(), nullable=False),
        pa.field("revenue", pa.decimal128(18, 2), nullable=False),
        pa.field("retention", pa.float64(), nullable=False),
        pa.field("revenue_retention", pa.float64(), nullable=True),
    ]
)


@dataclass(frozen=True)
class RetentionMatrix:
    """The result of ``retention_matrix``: ``cells`` (``RETENTION_SCHEMA``, ordered by cohort then
    month), the number of ``customers`` with an order and their total ``revenue``."""

    cells: pa.Table
    customers: int
    revenue: Decimal


def local_dates(ordered_at: pa.Array | pa.ChunkedArray, tz: str = DEFAULT_TZ) -> pa.ChunkedArray:
    """The calendar day (``date32``) of each timestamp in time zone ``tz``.

    A timestamp with a time zone is converted to ``tz``; a naive one is taken as already local;
    dates are kept as they are.
    """
    column = (
        ordered_at if isinstance(ordered_at, pa.ChunkedArray) else pa.chunked_array([ordered_at])
    )
    kind = column.type
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            column = pc.local_timestamp(column.cast(pa.timestamp(kind.unit, tz=tz)))
        return pc.cast(column, pa.date32())
    if pa.types.is_date(kind):
        return pc.cast(column, pa.date32())
    raise TypeError(f"ordered_at must be a timestamp or a date, not {kind}")


def retention_matrix(
    orders: pa.Table,
    *,
    tz: str = DEFAULT_TZ,
    max_months: int | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> RetentionMatrix:
    """The retention matrix of ``orders`` by month of first purchase (see the module docstring).

    ``max_months`` keeps the columns 0..``max_months`` only. The work runs in ``connection`` (a
    new in-memory DuckDB database when ``None``) in temporary tables dropped at the end.
    """
    if max_months is not None and max_months < 0:
        raise ValueError(f"max_months must not be negative, got {max_months!r}")
    purchases = pa.table(
        {
            "customer_id": pc.cast(orders["customer_id"], pa.int64()),
            "day": local_dates(orders["ordered_at"], tz),
            "net_amount": pc.cast(orders["net_amount"], pa.decimal128(14, 2)),
        }
    ).filter(pc.is_valid(orders["customer_id"]))
    if purchases.num_rows == 0:
        return RetentionMatrix(RETENTION_SCHEMA.empty_table(), 0, Decimal("0.00"))
    with sql_session(connection) as sql:
        sql.register("cohort_orders", purchases.drop_null())
        sql.create(
            "customer_months",
            "SELECT customer_id, year(day) * 12 + month(day) - 1 AS month_no, "
            "COUNT(*) AS orders, SUM(net_amount) AS revenue "
            f"FROM {sql.name('cohort_orders')} GROUP BY customer_id, year(day), month(day)",
        )
        sql.create(
            "first_months",
            "SELECT customer_id, MIN(month_no) AS cohort_no "
            f"FROM {sql.name('customer_months')} GROUP BY customer_id",
        )
        first, last = sql.connection.sql(
            f"SELECT MIN(month_no), MAX(month_no) FROM {sql.name('customer_months')}"
        ).fetchall()[0]
        span = int(last) - int(first)
        columns = span if max_months is None else min(span, max_months)
        sql.register(
            "month_offsets", pa.table({"months_since": pa.array(range(columns + 1), pa.int32())})
        )
        cells = sql.table(
            f"""
            WITH activity AS (
                SELECT f.cohort_no, m.month_no - f.cohort_no AS months_since,
                       COUNT(*) AS active_customers, SUM(m.orders) AS orders,
                       SUM(m.revenue) AS revenue
                FROM {sql.name("customer_months")} m
                JOIN {sql.name("first_months")} f ON f.customer_id = m.customer_id
                GROUP BY f.cohort_no, m.month_no - f.cohort_no
            ),
            cohorts AS (
                SELECT cohort_no, COUNT(*) AS cohort_size
                FROM {sql.name("first_months")} GROUP BY cohort_no
            ),
            cells AS (
                SELECT c.cohort_no, o.months_since, c.cohort_size,
                       COALESCE(a.active_customers, 0) AS active_customers,
                       COALESCE(a.orders, 0) AS orders,
                       CAST(COALESCE(a.revenue, 0) AS DECIMAL(18, 2)) AS revenue
                FROM cohorts c
                CROSS JOIN {sql.name("month_offsets")} o
                LEFT JOIN activity a
                    ON a.cohort_no = c.cohort_no AND a.months_since = o.months_since
                WHERE c.cohort_no + o.months_since <= {int(last)}
            )
            SELECT
                make_date(
                    CAST((cohort_no - cohort_no % 12) / 12 AS INTEGER),
                    CAST(cohort_no % 12 + 1 AS INTEGER), 1
                ) AS cohort_month,
                CAST(months_since AS INTEGER) AS months_since,
                CAST(cohort_size AS BIGINT) AS cohort_size,
                CAST(active_customers AS BIGINT) AS active_customers,
                CAST(orders AS BIGINT) AS orders,
                revenue,
                CAST(active_customers AS DOUBLE) / cohort_size AS retention,
                CAST(revenue AS DOUBLE) / NULLIF(CAST(SUM(CASE WHEN months_since = 0
                    THEN revenue END) OVER (PARTITION BY cohort_no) AS DOUBLE), 0)
                    AS revenue_retention
            FROM cells
            ORDER BY cohort_no, months_since
            """
        )
        customers = sql.count("first_months")
    revenue = pc.sum(purchases["net_amount"]).as_py() or Decimal("0.00")
    return RetentionMatrix(cells.cast(RETENTION_SCHEMA), customers, revenue)


def retention_grid(
    cells: pa.Table, value: str = "retention"
) -> tuple[list[datetime.date], NDArray[np.float64]]:
    """The matrix as a 2-D array: one row per cohort month (returned beside it), one column per
    month since the first purchase, ``value`` (a numeric column of ``RETENTION_SCHEMA``) in the
    cells and NaN where a month is not observed yet."""
    months: list[datetime.date] = sorted(set(cells["cohort_month"].to_pylist()))
    width = int(pc.max(cells["months_since"]).as_py() or 0) + 1 if cells.num_rows else 0
    grid = np.full((len(months), width), np.nan)
    row_of = {month: row for row, month in enumerate(months)}
    for month, since, figure in zip(
        cells["cohort_month"].to_pylist(),
        cells["months_since"].to_pylist(),
        cells[value].to_pylist(),
        strict=True,
    ):
        grid[row_of[month], since] = np.nan if figure is None else float(figure)
    return months, grid
