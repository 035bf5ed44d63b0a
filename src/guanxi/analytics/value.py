"""Customer value: deciles and the Pareto curve, margin concentration, ABC classes, the customer
pyramid, profitability and "deal" customers, and the ideal customer profile.

Pure Arrow + DuckDB SQL like ``rfm``, whose conventions (input tables, local days, Spark SQL) hold
here too. Every function reads the customer summary of :func:`guanxi.analytics.rfm.customer_summary`
(one row per buyer: ``customer_id``, ``purchases``, ``recency_days``, ``total_spend``, ``margin``,
``margin_ratio``, ``discount``, ``discount_share``) and, for the pyramid's prospects and the ideal
customer profile, the ``customers`` table. Ranks are always by the measure descending, then
``customer_id`` ascending, so equal values are ordered deterministically. Money stays decimal;
shares are floats, 0 when the total they are a share of is 0. An unknown margin counts as 0.

- **Deciles** (:func:`value_deciles`): ``NTILE(10)`` over the buyers by total spend (monetary
  deciles) or by purchases, then total spend (purchase deciles); decile 1 is the top tenth. Ten
  rows always (empty ones when there are fewer than ten buyers), each with its customers, revenue
  and margin, their shares, and the cumulative shares from decile 1 down: the Pareto curve.
- **Margin concentration** (:func:`margin_concentration`): for k = 1..10, the fewest customers
  whose margins (largest first) reach k × 10% of the total margin, compared exactly in decimals.
- **ABC classes** (:func:`abc_classes`): customers by total spend; A while the spend of the
  customers ranked before is below 80% of the total (so A makes the first 80%, the customer who
  crosses the line included), B below 95%, C the rest (thresholds are parameters).
- **Customer pyramid** (:func:`customer_pyramid`): *active* buyers (last purchase at most
  ``inactive_days``, default 365, before ``as_of``) ranked by total spend: ``top`` the first
  ⌈1% · n⌉, ``large`` up to ⌈5% · n⌉, ``medium`` up to ⌈20% · n⌉ and ``small`` the rest;
  ``inactive`` the buyers who did not buy within ``inactive_days``; ``prospect`` the customers
  without orders (registered by ``as_of``). The levels add up to the number of customers.
- **Profitability** (:func:`customer_profitability`): each buyer's margin, margin ratio, discount
  and discount share, rank by margin and cumulative share of the margin (the "whale curve"), and
  ``deal`` = discount share ≥ 20% and margin ratio ≤ 20% (parameters): price-only customers. A
  customer whose margin or discount share is unknown is not flagged.
- **Ideal customer profile** (:func:`ideal_customer_profile`): the top ⌈20% · n⌉ buyers by total
  spend; for each value of gender, age band (from ``birth_year``: age = year of ``as_of`` −
  birth year; bands <20, 20-29, ..., 60+ by default), city, preferred channel, membership, tier
  and home store, the share of the top buyers having it, the share of all buyers having it, and
  lift = top share / share. Unknown values (null) are left out but stay in the denominators;
  values held by fewer than ``min_support`` of all buyers are left out. Sorted by lift
  descending, then attribute and value.

**Spark SQL.** The statements are plain ``SELECT``s (``NTILE``/``ROW_NUMBER`` and running
``SUM(...) OVER (ORDER BY ... ROWS BETWEEN UNBOUNDED PRECEDING AND ...)`` windows, ``CASE``,
``UNION ALL``, joins, ``CAST(... AS STRING)``) that Spark SQL runs unchanged; thresholds are
decimal literals computed exactly in Python (⌈share · n⌉, share · total), so nothing depends on
floating-point rounding; materialisation and registration are DuckDB's, as in ``rfm``.
"""

# The SQL is assembled from this module's own table and column names and from numbers it has
# checked; no text from users reaches it.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pyarrow as pa

from guanxi.analytics.rfm import (
    DEFAULT_TZ,
    MONEY,
    SqlSession,
    day_number,
    local_days,
    sql_session,
)

DECILES_SCHEMA = pa.schema(
    [
        pa.field("decile", pa.int32(), nullable=False),
        pa.field("customers", pa.int64(), nullable=False),
        pa.field("revenue", MONEY, nullable=False),
        pa.field("margin", MONEY, nullable=False),
        pa.field("customer_share", pa.float64(), nullable=False),
        pa.field("revenue_share", pa.float64(), nullable=False),
        pa.field("margin_share", pa.float64(), nullable=False),
        pa.field("cumulative_customer_share", pa.float64(), nullable=False),
        pa.field("cumulative_revenue_share", pa.float64(), nullable=False),
        pa.field("cumulative_margin_share", pa.float64(), nullable=False),
        pa.field("min_spend", MONEY),
        pa.field("max_spend", MONEY),
        pa.field("min_purchases", pa.int64()),
        pa.field("max_purchases", pa.int64()),
    ]
)

CONCENTRATION_SCHEMA = pa.schema(
    [
        pa.field("margin_share", pa.float64(), nullable=False),
        pa.field("customers", pa.int64()),
        pa.field("customer_share", pa.float64()),
        pa.field("margin", MONEY),
    ]
)

CLASS_SCHEMA = pa.schema(
    [
        pa.field("level", pa.string(), nullable=False),
        pa.field("customers", pa.int64(), nullable=False),
        pa.field("revenue", MONEY, nullable=False),
        pa.field("customer_share", pa.float64(), nullable=False),
        pa.field("revenue_share", pa.float64(), nullable=False),
    ]
)

PROFITABILITY_SCHEMA = pa.schema(
    [
        pa.field("customer_id", pa.int64(), nullable=False),
        pa.field("margin_rank", pa.int64(), nullable=False),
        pa.field("total_spend", MONEY, nullable=False),
        pa.field("margin", MONEY),
        pa.field("margin_ratio", pa.float64()),
        pa.field("discount", MONEY, nullable=False),
        pa.field("discount_share", pa.float64()),
        pa.field("cumulative_margin_share", pa.float64(), nullable=False),
        pa.field("deal", pa.bool_(), nullable=False),
    ]
)

PROFILE_SCHEMA = pa.schema(
    [
        pa.field("attribute", pa.string(), nullable=False),
        pa.field("value", pa.string(), nullable=False),
        pa.field("top_customers", pa.int64(), nullable=False),
        pa.field("customers", pa.int64(), nullable=False),
        pa.field("top_share", pa.float64(), nullable=False),
        pa.field("share", pa.float64(), nullable=False),
        pa.field("lift", pa.float64(), nullable=False),
    ]
)

ABC_CLASSES = ("A", "B", "C")
PYRAMID_LEVELS = ("top", "large", "medium", "small", "inactive", "prospect")
PROFILE_ATTRIBUTES = (
    "gender",
    "age_band",
    "city",
    "preferred_channel",
    "has_membership",
    "tier_rank",
    "store_id",
)
#: Lower bounds of the age bands after the first: <20, 20-29, 30-39, 40-49, 50-59, 60+.
DEFAULT_AGE_EDGES = (20, 30, 40, 50, 60)


def _number(value: Decimal | int) -> str:
    return format(Decimal(value), "f")


def _share(part: str, total: Decimal | int) -> str:
    if total == 0:
        return "0.0"
    return f"CAST({part} AS DOUBLE) / CAST({_number(total)} AS DOUBLE)"


def _fraction(value: float, name: str) -> Decimal:
    """A share in [0, 1] as the exact decimal of its shortest representation (0.05, not
    0.05000000000000000277)."""
    share = Decimal(str(value))
    if not 0 <= share <= 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    return share


def _ceil_share(share: Decimal, count: int) -> int:
    return math.ceil(share * count)


def _totals(sql: SqlSession, summary: str) -> tuple[int, Decimal, Decimal]:
    row = sql.connection.sql(
        "SELECT COUNT(*), CAST(COALESCE(SUM(total_spend), 0) AS DECIMAL(18, 2)), "
        f"CAST(COALESCE(SUM(margin), 0) AS DECIMAL(18, 2)) FROM {summary}"
    ).fetchall()[0]
    return int(row[0]), Decimal(row[1]), Decimal(row[2])


def _register_summary(sql: SqlSession, summary: pa.Table, columns: Sequence[str]) -> str:
    missing = [column for column in columns if column not in summary.column_names]
    if missing:
        raise ValueError(f"the summary needs the columns {missing}")
    return sql.register("summary", summary.select(list(columns)))


# --------------------------------------------------------------------------------------------
# Deciles and margin concentration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deciles:
    """``deciles``: 10 rows (:data:`DECILES_SCHEMA`), decile 1 the top; ``customers``:
    ``customer_id`` and ``decile`` by id; the totals the shares are of."""

    deciles: pa.Table
    customers: pa.Table
    total_customers: int
    total_revenue: Decimal
    total_margin: Decimal


def value_deciles(
    summary: pa.Table,
    *,
    by: str = "total_spend",
    connection: duckdb.DuckDBPyConnection | None = None,
) -> Deciles:
    """Monetary deciles (``by="total_spend"``) or purchase deciles (``by="purchases"``)."""
    if by == "total_spend":
        order = "total_spend DESC, customer_id ASC"
    elif by == "purchases":
        order = "purchases DESC, total_spend DESC, customer_id ASC"
    else:
        raise ValueError(f"by must be 'total_spend' or 'purchases', got {by!r}")
    with sql_session(connection) as sql:
        name = _register_summary(
            sql, summary, ["customer_id", "purchases", "total_spend", "margin"]
        )
        customers, revenue, margin = _totals(sql, name)
        ranked = sql.create(
            "ranked",
            "SELECT customer_id, purchases, total_spend, COALESCE(margin, 0) AS margin, "
            f"NTILE(10) OVER (ORDER BY {order}) AS decile FROM {name}",
        )
        steps = sql.register("deciles", pa.table({"decile": pa.array(range(1, 11), pa.int32())}))
        grouped = (
            "SELECT d.decile, COALESCE(a.customers, 0) AS customers, "
            "COALESCE(a.revenue, 0) AS revenue, COALESCE(a.margin, 0) AS margin, "
            "a.min_spend, a.max_spend, a.min_purchases, a.max_purchases "
            f"FROM {steps} d LEFT JOIN (SELECT decile, COUNT(*) AS customers, "
            "SUM(total_spend) AS revenue, SUM(margin) AS margin, "
            "MIN(total_spend) AS min_spend, MAX(total_spend) AS max_spend, "
            "MIN(purchases) AS min_purchases, MAX(purchases) AS max_purchases "
            f"FROM {ranked} GROUP BY decile) a ON a.decile = d.decile"
        )
        running = "OVER (ORDER BY decile ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        table = sql.table(
            "SELECT decile, customers, CAST(revenue AS DECIMAL(18, 2)) AS revenue, "
            "CAST(margin AS DECIMAL(18, 2)) AS margin, "
            f"{_share('customers', customers)} AS customer_share, "
            f"{_share('revenue', revenue)} AS revenue_share, "
            f"{_share('margin', margin)} AS margin_share, "
            f"{_share(f'SUM(customers) {running}', customers)} AS cumulative_customer_share, "
            f"{_share(f'SUM(revenue) {running}', revenue)} AS cumulative_revenue_share, "
            f"{_share(f'SUM(margin) {running}', margin)} AS cumulative_margin_share, "
            "CAST(min_spend AS DECIMAL(18, 2)) AS min_spend, "
            "CAST(max_spend AS DECIMAL(18, 2)) AS max_spend, "
            "CAST(min_purchases AS BIGINT) AS min_purchases, "
            "CAST(max_purchases AS BIGINT) AS max_purchases "
            f"FROM ({grouped}) g ORDER BY decile"
        )
        members = sql.table(
            f"SELECT customer_id, CAST(decile AS INT) AS decile FROM {ranked} ORDER BY customer_id"
        )
    return Deciles(
        deciles=table.cast(DECILES_SCHEMA),
        customers=members,
        total_customers=customers,
        total_revenue=revenue,
        total_margin=margin,
    )


def margin_concentration(
    summary: pa.Table, *, connection: duckdb.DuckDBPyConnection | None = None
) -> pa.Table:
    """How few customers make each 10% of the margin (:data:`CONCENTRATION_SCHEMA`, 10 rows).

    Row k (``margin_share`` = k/10) holds the smallest number of customers, taken by margin
    descending, whose margins add up to at least k/10 of the total margin, their share of all
    buyers and the margin they make. When the total margin is not positive every row is null.
    """
    with sql_session(connection) as sql:
        name = _register_summary(sql, summary, ["customer_id", "total_spend", "margin"])
        customers, _, margin = _totals(sql, name)
        steps = sql.register("steps", pa.table({"k": pa.array(range(1, 11), pa.int32())}))
        if margin <= 0:
            return pa.table(
                {
                    "margin_share": [k / 10 for k in range(1, 11)],
                    "customers": pa.nulls(10, pa.int64()),
                    "customer_share": pa.nulls(10, pa.float64()),
                    "margin": pa.nulls(10, MONEY),
                },
                schema=CONCENTRATION_SCHEMA,
            )
        ranked = (
            "SELECT ROW_NUMBER() OVER (ORDER BY margin DESC, customer_id ASC) AS position, "
            "SUM(margin) OVER (ORDER BY margin DESC, customer_id ASC "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative "
            f"FROM (SELECT customer_id, COALESCE(margin, 0) AS margin FROM {name}) m"
        )
        reached = (
            "SELECT s.k, MIN(r.position) AS customers "
            f"FROM {steps} s JOIN ({ranked}) r ON 10 * r.cumulative >= s.k * {_number(margin)} "
            "GROUP BY s.k"
        )
        table = sql.table(
            "SELECT CAST(x.k AS DOUBLE) / 10 AS margin_share, x.customers, "
            f"{_share('x.customers', customers)} AS customer_share, "
            "CAST(r.cumulative AS DECIMAL(18, 2)) AS margin "
            f"FROM ({reached}) x JOIN ({ranked}) r ON r.position = x.customers ORDER BY x.k"
        )
    return table.cast(CONCENTRATION_SCHEMA)


# --------------------------------------------------------------------------------------------
# ABC classes and the customer pyramid
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Levels:
    """``levels``: one row per class or level, in order (:data:`CLASS_SCHEMA`; the ``level``
    column holds the class); ``customers``: ``customer_id`` and ``level`` by id."""

    levels: pa.Table
    customers: pa.Table
    total_customers: int
    total_revenue: Decimal


def abc_classes(
    summary: pa.Table,
    *,
    a_share: float = 0.8,
    b_share: float = 0.95,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> Levels:
    """A, B and C by total spend: A makes the first ``a_share`` of the revenue, B up to
    ``b_share``, C the rest (the customer who crosses a line belongs to the class below it)."""
    a, b = _fraction(a_share, "a_share"), _fraction(b_share, "b_share")
    if not a <= b:
        raise ValueError("a_share must not exceed b_share")
    with sql_session(connection) as sql:
        name = _register_summary(sql, summary, ["customer_id", "total_spend", "margin"])
        customers, revenue, _ = _totals(sql, name)
        before = (
            "COALESCE(SUM(total_spend) OVER (ORDER BY total_spend DESC, customer_id ASC "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
        )
        classed = sql.create(
            "classed",
            "SELECT customer_id, total_spend, "
            f"CASE WHEN {before} < {_number(a * revenue)} THEN 'A' "
            f"WHEN {before} < {_number(b * revenue)} THEN 'B' ELSE 'C' END AS level "
            f"FROM {name}",
        )
        return _levels(sql, classed, ABC_CLASSES, customers, revenue)


def customer_pyramid(
    summary: pa.Table,
    customers: pa.Table | None = None,
    *,
    as_of: datetime.date | None = None,
    tz: str = DEFAULT_TZ,
    inactive_days: int = 365,
    cumulative_shares: Sequence[float] = (0.01, 0.05, 0.20),
    connection: duckdb.DuckDBPyConnection | None = None,
) -> Levels:
    """Top, large, medium, small, inactive and prospect customers (see the module docstring).

    ``cumulative_shares`` are the shares of the active buyers down to the end of the top, large
    and medium levels. Prospects are the rows of ``customers`` (``customer_id``, ``created_at``)
    without a summary row, registered on or before ``as_of`` (all of them when ``as_of`` is
    None); without ``customers`` there are none.
    """
    shares = [_fraction(share, "cumulative_shares") for share in cumulative_shares]
    if len(shares) != 3 or not shares[0] <= shares[1] <= shares[2]:
        raise ValueError("give three increasing cumulative shares (top, large, medium)")
    if inactive_days < 0:
        raise ValueError("inactive_days must not be negative")
    with sql_session(connection) as sql:
        name = _register_summary(
            sql, summary, ["customer_id", "recency_days", "total_spend", "margin"]
        )
        buyers, revenue = _totals(sql, name)[:2]
        active = int(
            sql.scalar(f"SELECT COUNT(*) FROM {name} WHERE recency_days <= {inactive_days}")
        )
        top, large, medium = (_ceil_share(share, active) for share in shares)
        ranked = (
            "SELECT customer_id, total_spend, recency_days, "
            "ROW_NUMBER() OVER (PARTITION BY CASE WHEN recency_days <= "
            f"{inactive_days} THEN 1 ELSE 0 END "
            "ORDER BY total_spend DESC, customer_id ASC) AS position "
            f"FROM {name}"
        )
        levelled = (
            "SELECT customer_id, total_spend, "
            f"CASE WHEN recency_days > {inactive_days} THEN 'inactive' "
            f"WHEN position <= {top} THEN 'top' WHEN position <= {large} THEN 'large' "
            f"WHEN position <= {medium} THEN 'medium' ELSE 'small' END AS level "
            f"FROM ({ranked}) r"
        )
        if customers is not None:
            registered = sql.register("customers", _customers_created(customers, tz))
            limit = (
                ""
                if as_of is None
                else f"AND (c.created_day IS NULL OR c.created_day <= {day_number(as_of)})"
            )
            levelled += (
                " UNION ALL SELECT c.customer_id, CAST(0 AS DECIMAL(18, 2)) AS total_spend, "
                f"'prospect' AS level FROM {registered} c LEFT JOIN {name} s "
                f"ON s.customer_id = c.customer_id WHERE s.customer_id IS NULL {limit}"
            )
        table = sql.create("levelled", levelled)
        prospects = int(sql.scalar(f"SELECT COUNT(*) FROM {table} WHERE level = 'prospect'"))
        return _levels(sql, table, PYRAMID_LEVELS, buyers + prospects, revenue)


def _customers_created(customers: pa.Table, tz: str) -> pa.Table:
    if "customer_id" not in customers.column_names:
        raise ValueError("the customers table needs a 'customer_id' column")
    created = (
        local_days(customers["created_at"], tz)
        if "created_at" in customers.column_names
        else pa.nulls(customers.num_rows, pa.int32())
    )
    return pa.table(
        {"customer_id": customers["customer_id"].cast(pa.int64()), "created_day": created}
    ).filter(customers["customer_id"].is_valid())


def _levels(
    sql: SqlSession, table: str, names: Sequence[str], customers: int, revenue: Decimal
) -> Levels:
    order = sql.register(
        "level_names",
        pa.table({"level": list(names), "position": pa.array(range(len(names)), pa.int32())}),
    )
    levels = sql.table(
        "SELECT n.level, COALESCE(a.customers, 0) AS customers, "
        "CAST(COALESCE(a.revenue, 0) AS DECIMAL(18, 2)) AS revenue, "
        f"{_share('COALESCE(a.customers, 0)', customers)} AS customer_share, "
        f"{_share('COALESCE(a.revenue, 0)', revenue)} AS revenue_share "
        f"FROM {order} n LEFT JOIN (SELECT level, COUNT(*) AS customers, "
        f"SUM(total_spend) AS revenue FROM {table} GROUP BY level) a ON a.level = n.level "
        "ORDER BY n.position"
    )
    members = sql.table(f"SELECT customer_id, level FROM {table} ORDER BY customer_id")
    return Levels(
        levels=levels.cast(CLASS_SCHEMA),
        customers=members,
        total_customers=customers,
        total_revenue=revenue,
    )


# --------------------------------------------------------------------------------------------
# Profitability
# --------------------------------------------------------------------------------------------


def customer_profitability(
    summary: pa.Table,
    *,
    deal_discount_share: float = 0.2,
    deal_margin_ratio: float = 0.2,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """Each buyer's margin and discount, ranked by margin (:data:`PROFITABILITY_SCHEMA`).

    ``margin_rank`` 1 is the largest margin (unknown margins count as 0; ties by id);
    ``cumulative_margin_share`` is the share of the total margin made by the customers up to
    this one; ``deal`` flags discount share ≥ ``deal_discount_share`` and margin ratio ≤
    ``deal_margin_ratio``. Rows are ordered by ``margin_rank``.
    """
    discount_share = _number(Decimal(str(deal_discount_share)))
    margin_ratio = _number(Decimal(str(deal_margin_ratio)))
    columns = ["customer_id", "total_spend", "margin", "margin_ratio", "discount", "discount_share"]
    with sql_session(connection) as sql:
        name = _register_summary(sql, summary, columns)
        margin = _totals(sql, name)[2]
        order = "ORDER BY COALESCE(margin, 0) DESC, customer_id ASC"
        table = sql.table(
            f"SELECT customer_id, ROW_NUMBER() OVER ({order}) AS margin_rank, total_spend, "
            "margin, margin_ratio, discount, discount_share, "
            + _share(
                f"SUM(COALESCE(margin, 0)) OVER ({order} "
                "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
                margin,
            )
            + " AS cumulative_margin_share, "
            f"COALESCE(discount_share >= {discount_share} AND margin_ratio <= {margin_ratio}, "
            "FALSE) AS deal "
            f"FROM {name} ORDER BY margin_rank"
        )
    return table.cast(PROFITABILITY_SCHEMA)


# --------------------------------------------------------------------------------------------
# Ideal customer profile
# --------------------------------------------------------------------------------------------


def age_band_labels(edges: Sequence[int]) -> list[str]:
    """``<20``, ``20-29``, ..., ``60+`` for the edges 20, 30, 40, 50, 60."""
    labels = [f"<{edges[0]}"]
    labels += [f"{low}-{high - 1}" for low, high in zip(edges, edges[1:], strict=False)]
    return labels + [f"{edges[-1]}+"]


def ideal_customer_profile(
    summary: pa.Table,
    customers: pa.Table,
    *,
    as_of: datetime.date,
    top_share: float = 0.2,
    by: str = "total_spend",
    min_support: float = 0.01,
    age_edges: Sequence[int] = DEFAULT_AGE_EDGES,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """The attribute values over-represented among the top buyers (:data:`PROFILE_SCHEMA`).

    The top buyers are the first ⌈``top_share`` · n⌉ by ``by`` (a summary column, total spend by
    default; then ``customer_id``). ``min_support`` is the smallest share of all buyers a value
    must have to be listed.
    """
    top = _fraction(top_share, "top_share")
    support = _fraction(min_support, "min_support")
    edges = [int(edge) for edge in age_edges]
    if not edges or any(a >= b for a, b in zip(edges, edges[1:], strict=False)):
        raise ValueError("age_edges must be increasing")
    if by not in ("total_spend", "margin", "purchases", "orders"):
        raise ValueError(f"cannot rank the top customers by {by!r}")
    with sql_session(connection) as sql:
        name = _register_summary(sql, summary, ["customer_id", by])
        buyers = int(sql.scalar(f"SELECT COUNT(*) FROM {name}"))
        top_count = _ceil_share(top, buyers)
        min_count = max(1, _ceil_share(support, buyers))
        people = sql.register("customers", _profile_columns(customers))
        labels = age_band_labels(edges)
        age = f"({as_of.year} - c.birth_year)"
        band = " ".join(
            f"WHEN {age} < {edge} THEN '{label}'"
            for edge, label in zip(edges, labels, strict=False)
        )
        profiled = sql.create(
            "profiled",
            "SELECT b.customer_id, CASE WHEN b.position <= "
            f"{top_count} THEN 1 ELSE 0 END AS top, "
            "c.gender, CASE WHEN c.birth_year IS NULL THEN NULL "
            f"{band} ELSE '{labels[-1]}' END AS age_band, c.city, c.preferred_channel, "
            "c.has_membership, c.tier_rank, c.store_id "
            f"FROM (SELECT customer_id, ROW_NUMBER() OVER (ORDER BY COALESCE({by}, 0) DESC, "
            f"customer_id ASC) AS position FROM {name}) b "
            f"LEFT JOIN {people} c ON c.customer_id = b.customer_id",
        )
        values = " UNION ALL ".join(
            f"SELECT '{attribute}' AS attribute, CAST({attribute} AS STRING) AS value, top "
            f"FROM {profiled} WHERE {attribute} IS NOT NULL"
            for attribute in PROFILE_ATTRIBUTES
        )
        top_share_sql = _share("top_customers", top_count)
        share_sql = _share("customers", buyers)
        table = sql.table(
            "SELECT attribute, value, top_customers, customers, "
            f"{top_share_sql} AS top_share, {share_sql} AS share, "
            f"({top_share_sql}) / ({share_sql}) AS lift "
            "FROM (SELECT attribute, value, CAST(SUM(top) AS BIGINT) AS top_customers, "
            f"COUNT(*) AS customers FROM ({values}) v GROUP BY attribute, value) g "
            f"WHERE customers >= {min_count} ORDER BY lift DESC, attribute, value"
        )
    return table.cast(PROFILE_SCHEMA)


def _profile_columns(customers: pa.Table) -> pa.Table:
    def column(name: str, kind: pa.DataType) -> pa.Array | pa.ChunkedArray:
        if name not in customers.column_names:
            return pa.nulls(customers.num_rows, kind)
        return customers[name].cast(kind)

    return pa.table(
        {
            "customer_id": column("customer_id", pa.int64()),
            "gender": column("gender", pa.string()),
            "birth_year": column("birth_year", pa.int32()),
            "city": column("city", pa.string()),
            "preferred_channel": column("preferred_channel", pa.string()),
            "has_membership": column("has_membership", pa.bool_()),
            "tier_rank": column("tier_rank", pa.int64()),
            "store_id": column("store_id", pa.int64()),
        }
    )
