"""The customer summary, RFM scores and segments, and the R×F grid, over orders in Arrow.

Pure Arrow + NumPy + DuckDB (no Django), like ``clv``, ``basket`` and ``sequences``; ``value``
(deciles, ABC, pyramid, profitability, ideal customer profile) and ``kpi`` (periods, the KPI
trees, the lifecycle) build on it. Every function takes Arrow tables and an optional DuckDB
``connection`` (a new in-memory database when ``None``); SQL work runs in temporary tables and
views with a per-call prefix, dropped at the end.

**Two engines, one result.** :func:`customer_summary`, :func:`rfm_scores` and :func:`rf_grid`
take ``engine="numpy"`` (the default) or ``engine="sql"``. The SQL engine is DuckDB SQL written
for Spark SQL too (see the end of this docstring): the path for a business that outgrows one
machine. The NumPy engine computes the same tables (the tests compare them on random data) about
three times faster on one machine: customers become dense slots, sums are ``bincount``s of
integer cents, distinct purchase days one sort of (slot, day) keys, NTILE a stable sort, and the
favourite category and brand a row-wise ``argmax`` over blocks of customers × values.

**Input tables** (Arrow; extra columns are ignored):

- ``orders``: ``order_id`` int64, ``customer_id`` int64 (null for walk-ins), ``store_id`` int64,
  ``ordered_at`` timestamp with time zone, ``net_amount`` decimal(14,2) (total − returned),
  ``margin`` decimal(14,2) (null when the costs are unknown), ``discount`` decimal(14,2),
  ``items`` int32. Only ``customer_id``, ``ordered_at`` and ``net_amount`` are required by
  :func:`customer_summary`; a missing ``margin`` is unknown, a missing ``discount`` zero. Pass the
  orders that count as purchases (leave out cancelled and wholly returned ones): every order passed
  is a purchase, whatever its amount.
- ``lines``: ``order_id``, ``product_id``, ``category_id``, ``brand_id`` (nullable), ``quantity``,
  ``amount`` decimal, ``unit_price``; only ``order_id``, ``category_id``, ``brand_id`` and
  ``amount`` are read here (the favourite category and brand).
- ``customers``: ``customer_id``, ``store_id``, ``created_at``, ``gender``, ``birth_year``,
  ``city``, ``preferred_channel``, ``has_membership`` bool, ``tier_rank`` int (nullable); read by
  ``value`` (the pyramid's prospects, the ideal customer profile).
- ``as_of``: a date in the business's time zone ``tz`` (default ``Asia/Shanghai``). Every day count
  is between *local* dates: an order belongs to the calendar day of ``ordered_at`` in ``tz``
  (a naive timestamp is read as UTC, as Django stores it; a ``date`` column is already local).
  Orders after ``as_of`` are left out, as lifetimes does with ``observation_period_end``.

**Customer summary** (:func:`customer_summary`, :data:`SUMMARY_SCHEMA`), one row per customer with
at least one order up to ``as_of``, ordered by ``customer_id``:

- ``first_purchase``, ``last_purchase``: local dates; ``orders``: the number of orders;
  ``purchases``: the number of distinct purchase *days* (two orders on one day are one purchase,
  as in lifetimes); ``repeat_purchases = purchases − 1``;
- ``recency_days = as_of − last_purchase`` (days since the last purchase, the R of RFM and of the
  R×F grid); ``tenure_days = as_of − first_purchase``;
- ``total_spend`` (Σ net_amount), ``average_ticket = total_spend / orders`` (float);
  ``margin`` (Σ of the known margins; null when no order has one), ``margin_ratio`` = margin / the
  net amount of the orders whose margin is known; ``discount`` (Σ, nulls as 0),
  ``discount_share = discount / (total_spend + discount)`` (the share of the list price given
  away); ``average_cycle_days`` = (last − first purchase day) / (purchases − 1), the mean number
  of days between consecutive purchase days, null for one-time buyers;
- ``favourite_category``, ``favourite_brand``: the category and brand with the largest Σ line
  ``amount`` over the customer's orders (ties: the smaller id; null without lines or ids);
- the inputs of the BG/NBD and Gamma-Gamma models (``clv``), exactly as
  ``lifetimes.utils.summary_data_from_transaction_data(..., freq='D', monetary_value_col=...,
  observation_period_end=as_of)`` computes them: ``frequency = purchases − 1``, ``recency`` =
  days from the first to the last purchase day (lifetimes' recency, not ``recency_days``),
  ``age`` = days from the first purchase day to ``as_of`` (lifetimes' ``T``) and
  ``monetary_value`` = the mean, over the purchase days after the first, of each day's Σ
  net_amount (0 for one-time buyers). All four are float64.

**RFM scores** (:func:`rfm_scores`): R, F and M are ``recency_days``, ``purchases`` and
``total_spend`` (the F and M columns can be changed). With ``bins`` quantiles (5 by default) each
score is ``NTILE(bins)`` over all the customers ordered from worst to best, ``customer_id``
ascending among equal values: ties are split deterministically and the customer with the smaller
id gets the lower score (so the bins hold equal numbers of customers, n mod bins of them one more,
lowest bins first, as NTILE does). Fixed edges can replace the quantiles per dimension. The
segment comes from R and FM = ⌊(F + M + 1) / 2⌋ (their mean, halves rounded up) through
:data:`DEFAULT_SEGMENT_GRID` (configurable)::

    R \\ FM   1            2                    3                    4          5
    5        new          potential_loyalists  potential_loyalists  champions  champions
    4        new          potential_loyalists  potential_loyalists  loyal      champions
    3        hibernating  potential_loyalists  loyal                loyal      loyal
    2        hibernating  hibernating          at_risk              at_risk    cant_lose
    1        lost         lost                 hibernating          at_risk    cant_lose

(the usual RFM segment table, reduced to these eight segments: recent and valuable customers are
champions, valuable ones of middling recency loyal, recent low-value ones new or potential
loyalists; valuable customers gone quiet are at risk, or can't lose when they were the best;
low-value ones gone quiet hibernate, then are lost).

**The R×F grid** (:func:`rf_grid`, PRODUCT.md §3): recency bands ``active`` (``recency_days ≤
active`` days), ``silent`` (≤ ``silent``), ``sleeping`` (≤ ``sleeping``) and ``lost`` (beyond) ×
frequency bands ``new`` (1 purchase day), ``second`` (2), ``returning`` (3–4) and ``fan`` (5 or
more; the cut points 2, 3, 5 are parameters). The day thresholds default to 1×, 2× and 4× the
business's median purchase cycle (the median of ``average_cycle_days`` over the repeat customers),
rounded to whole days (halves up), at least 1 and strictly increasing; the multiples are
parameters and explicit thresholds override them. All 16 cells are returned, empty ones included,
with their customers, revenue and shares; cell keys are ``<recency>_<frequency>``
(``active_new`` ... ``lost_fan``). Per customer, segments, bands and cells are
dictionary-encoded strings (:data:`LABEL`).

**Spark SQL.** The SQL engine's statements are plain ``SELECT``s (``GROUP BY``, joins,
``CASE``, ``CAST``, ``NTILE``/``ROW_NUMBER`` windows, ``PERCENTILE_CONT(0.5) WITHIN GROUP
(ORDER BY ...)``, Spark 3.3+) over integer day numbers and integer cents, so Spark SQL runs them
unchanged, with these exceptions: the first day's spend is ``MIN_BY(spend, day)`` (DuckDB and
Spark 3.0+ both have it, PostgreSQL does not); the materialisation (``CREATE TEMP TABLE``; Spark:
``CACHE TABLE`` or a temp view) and the registration of Arrow input are DuckDB's. Local days and
cents are computed in Arrow before the SQL (:func:`prepare_orders`), as ``sequences`` does, so
no time-zone function is needed in SQL; the per-row arithmetic of the derived summary columns,
the segment names and the cell keys are applied in NumPy/Arrow to the integer aggregates, scores
and bands, in both engines.
"""

# The SQL is assembled from this module's own table and column names and from numbers it has
# checked; no text from users reaches it.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import itertools
import math
import zoneinfo
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DEFAULT_TZ = "Asia/Shanghai"
Engine = Literal["numpy", "sql"]
ENGINES: tuple[Engine, ...] = ("numpy", "sql")
EPOCH = datetime.date(1970, 1, 1)

MONEY = pa.decimal128(18, 2)
#: Segment, band and cell names per customer: dictionary-encoded strings.
LABEL = pa.dictionary(pa.int8(), pa.string())

SUMMARY_SCHEMA = pa.schema(
    [
        pa.field("customer_id", pa.int64(), nullable=False),
        pa.field("first_purchase", pa.date32(), nullable=False),
        pa.field("last_purchase", pa.date32(), nullable=False),
        pa.field("orders", pa.int64(), nullable=False),
        pa.field("purchases", pa.int64(), nullable=False),
        pa.field("repeat_purchases", pa.int64(), nullable=False),
        pa.field("recency_days", pa.int64(), nullable=False),
        pa.field("tenure_days", pa.int64(), nullable=False),
        pa.field("total_spend", MONEY, nullable=False),
        pa.field("average_ticket", pa.float64(), nullable=False),
        pa.field("margin", MONEY),
        pa.field("margin_ratio", pa.float64()),
        pa.field("discount", MONEY, nullable=False),
        pa.field("discount_share", pa.float64()),
        pa.field("average_cycle_days", pa.float64()),
        pa.field("favourite_category", pa.int64()),
        pa.field("favourite_brand", pa.int64()),
        pa.field("frequency", pa.float64(), nullable=False),
        pa.field("recency", pa.float64(), nullable=False),
        pa.field("age", pa.float64(), nullable=False),
        pa.field("monetary_value", pa.float64(), nullable=False),
    ]
)

SCORES_SCHEMA = pa.schema(
    [
        pa.field("customer_id", pa.int64(), nullable=False),
        pa.field("r_score", pa.int32(), nullable=False),
        pa.field("f_score", pa.int32(), nullable=False),
        pa.field("m_score", pa.int32(), nullable=False),
        pa.field("fm_score", pa.int32(), nullable=False),
        pa.field("segment", LABEL, nullable=False),
    ]
)

SEGMENTS = (
    "champions",
    "loyal",
    "potential_loyalists",
    "new",
    "at_risk",
    "cant_lose",
    "hibernating",
    "lost",
)

#: Segment of each (R, FM) score pair for five bins: the first row is R = 5 (the most recent),
#: the last R = 1; the columns are FM = 1 .. 5.
DEFAULT_SEGMENT_GRID: tuple[tuple[str, ...], ...] = (
    ("new", "potential_loyalists", "potential_loyalists", "champions", "champions"),
    ("new", "potential_loyalists", "potential_loyalists", "loyal", "champions"),
    ("hibernating", "potential_loyalists", "loyal", "loyal", "loyal"),
    ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    ("lost", "lost", "hibernating", "at_risk", "cant_lose"),
)

RECENCY_BANDS = ("active", "silent", "sleeping", "lost")
FREQUENCY_BANDS = ("new", "second", "returning", "fan")
#: The cell keys, recency band major: ``active_new``, ``active_second``, ... ``lost_fan``.
CELLS = tuple(f"{r}_{f}" for r, f in itertools.product(RECENCY_BANDS, FREQUENCY_BANDS))

#: Recency thresholds as multiples of the median purchase cycle (active, silent, sleeping).
DEFAULT_CYCLE_MULTIPLES = (1.0, 2.0, 4.0)
#: Lowest purchase count of the second-time, returning and fan bands.
DEFAULT_FREQUENCY_CUTS = (2, 3, 5)
#: Purchase cycle assumed when no customer has bought twice (no median to derive it from).
DEFAULT_FALLBACK_CYCLE_DAYS = 30.0

GRID_CELLS_SCHEMA = pa.schema(
    [
        pa.field("cell", pa.string(), nullable=False),
        pa.field("recency_band", pa.string(), nullable=False),
        pa.field("frequency_band", pa.string(), nullable=False),
        pa.field("recency_index", pa.int32(), nullable=False),
        pa.field("frequency_index", pa.int32(), nullable=False),
        pa.field("min_days", pa.int64(), nullable=False),
        pa.field("max_days", pa.int64()),
        pa.field("min_purchases", pa.int64(), nullable=False),
        pa.field("max_purchases", pa.int64()),
        pa.field("customers", pa.int64(), nullable=False),
        pa.field("revenue", MONEY, nullable=False),
        pa.field("customer_share", pa.float64(), nullable=False),
        pa.field("revenue_share", pa.float64(), nullable=False),
    ]
)

GRID_CUSTOMERS_SCHEMA = pa.schema(
    [
        pa.field("customer_id", pa.int64(), nullable=False),
        pa.field("recency_band", LABEL, nullable=False),
        pa.field("frequency_band", LABEL, nullable=False),
        pa.field("cell", LABEL, nullable=False),
    ]
)


# --------------------------------------------------------------------------------------------
# Local days
# --------------------------------------------------------------------------------------------

_MICROS_PER_DAY = 86_400_000_000
_MICROS_PER_QUARTER_HOUR = 900_000_000


def day_number(day: datetime.date) -> int:
    """Days from 1970-01-01 to ``day`` (a ``datetime`` counts by its date)."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    return (day - EPOCH).days


def day_date(number: int) -> datetime.date:
    """The date ``number`` days after 1970-01-01."""
    return EPOCH + datetime.timedelta(days=int(number))


def local_days(values: pa.Array | pa.ChunkedArray, tz: str = DEFAULT_TZ) -> pa.Array:
    """The local date in ``tz`` of each timestamp, as int32 days since 1970-01-01 (nulls kept).

    A timestamp with a time zone is an instant; a naive one is read as UTC; a date is already
    local. The UTC offset (from ``zoneinfo``) is looked up at the start of each UTC day of the
    data's span and applied with integer arithmetic; on a day whose offset changes (daylight
    saving time) it is looked up per quarter hour, and the rare timestamps in a quarter hour
    that holds the change itself are converted one by one.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    kind = values.type
    if pa.types.is_date32(kind):
        return pc.cast(values, pa.int32())
    if pa.types.is_date64(kind):
        return pc.cast(pc.cast(values, pa.date32()), pa.int32())
    if not pa.types.is_timestamp(kind):
        raise TypeError(f"expected a timestamp or a date, not {kind}")
    zone = zoneinfo.ZoneInfo(tz)
    micros = pc.cast(pc.cast(values, pa.timestamp("us", tz=kind.tz)), pa.int64())
    valid = micros.is_valid() if micros.null_count else None
    us = np.asarray(pc.fill_null(micros, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    if us.size == 0:
        return pa.array([], pa.int32())
    first, last = int(us.min()) // _MICROS_PER_DAY, int(us.max()) // _MICROS_PER_DAY
    dense = last - first < 200_000
    # every day of the span and the next; for a span of centuries only the days present
    candidates = (
        np.arange(first, last + 2, dtype=np.int64)
        if dense
        else np.append(sorted_unique(us // _MICROS_PER_DAY), last + 1)
    )
    offsets = np.array([_utc_offset(day * _MICROS_PER_DAY, zone) for day in candidates.tolist()])
    if np.all(offsets == offsets[0]):  # one offset over the whole span: no daylight saving
        days = us + int(offsets[0])
        days //= _MICROS_PER_DAY
    else:
        utc_day = us // _MICROS_PER_DAY
        index = utc_day - first if dense else np.searchsorted(candidates, utc_day)
        days = (us + offsets[index]) // _MICROS_PER_DAY
        for position in np.flatnonzero(offsets[1:] != offsets[:-1]).tolist():
            _convert_changing_day(us, days, utc_day, int(candidates[position]), zone)
    result = pa.array(days.astype(np.int32), pa.int32())
    if valid is not None:
        result = pc.if_else(valid, result, pa.scalar(None, pa.int32()))
    return result


_UTC_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _utc_offset(micros: int, zone: zoneinfo.ZoneInfo) -> int:
    """Local time minus UTC in ``zone`` at the UTC instant ``micros``, in microseconds."""
    moment = (_UTC_EPOCH + datetime.timedelta(microseconds=micros)).astimezone(zone)
    offset = moment.utcoffset()
    return 0 if offset is None else offset // datetime.timedelta(microseconds=1)


def _convert_changing_day(
    us: np.ndarray, days: np.ndarray, utc_day: np.ndarray, day: int, zone: zoneinfo.ZoneInfo
) -> None:
    """Local days of the timestamps of UTC day ``day``, whose offset changes, in place."""
    members = np.flatnonzero(utc_day == day)
    if members.size == 0:
        return
    start = day * _MICROS_PER_DAY
    quarters = _MICROS_PER_DAY // _MICROS_PER_QUARTER_HOUR
    offsets = np.array(
        [_utc_offset(start + q * _MICROS_PER_QUARTER_HOUR, zone) for q in range(quarters + 1)]
    )
    quarter = (us[members] - start) // _MICROS_PER_QUARTER_HOUR
    days[members] = (us[members] + offsets[quarter]) // _MICROS_PER_DAY
    for member in members[offsets[quarter] != offsets[quarter + 1]].tolist():
        days[member] = (int(us[member]) + _utc_offset(int(us[member]), zone)) // _MICROS_PER_DAY


# --------------------------------------------------------------------------------------------
# DuckDB session
# --------------------------------------------------------------------------------------------

_calls = itertools.count(1)


class SqlSession:
    """Temporary tables and views of one call, prefixed so that calls sharing a connection
    (nested ones included) do not collide; dropped when the call ends."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection
        self.prefix = f"guanxi_rfm{next(_calls)}_"
        self.tables: list[str] = []
        self.views: list[str] = []

    def name(self, table: str) -> str:
        return f"{self.prefix}{table}"

    def register(self, table: str, data: pa.Table) -> str:
        self.connection.register(self.name(table), data)
        self.views.append(self.name(table))
        return self.name(table)

    def create(self, table: str, select: str) -> str:
        self.connection.execute(f"CREATE OR REPLACE TEMP TABLE {self.name(table)} AS {select}")
        self.tables.append(self.name(table))
        return self.name(table)

    def table(self, select: str) -> pa.Table:
        result: pa.Table = self.connection.sql(select).to_arrow_table()
        return result

    def scalar(self, select: str) -> Any:
        rows = self.connection.sql(select).fetchall()
        return rows[0][0] if rows else None

    def close(self) -> None:
        for table in reversed(self.tables):
            self.connection.execute(f"DROP TABLE IF EXISTS {table}")
        for view in self.views:
            self.connection.unregister(view)


@contextmanager
def sql_session(connection: duckdb.DuckDBPyConnection | None) -> Iterator[SqlSession]:
    """A session on ``connection``, or on a new in-memory database closed at the end."""
    own = connection is None
    active = duckdb.connect() if connection is None else connection
    session = SqlSession(active)
    try:
        yield session
    finally:
        if own:
            active.close()
        else:
            session.close()


# --------------------------------------------------------------------------------------------
# Input preparation
# --------------------------------------------------------------------------------------------


def _column(
    table: pa.Table, name: str, kind: pa.DataType | None = None
) -> pa.Array | pa.ChunkedArray | None:
    """``table[name]`` (cast to ``kind`` unless None), or None when the table has no such column."""
    if name not in table.column_names:
        return None
    column = table[name]
    return pc.cast(column, kind) if kind is not None and column.type != kind else column


def _required(
    table: pa.Table, name: str, kind: pa.DataType | None = None
) -> pa.Array | pa.ChunkedArray:
    column = _column(table, name, kind)
    if column is None:
        raise ValueError(f"the table needs a {name!r} column")
    return column


def _optional(
    table: pa.Table, name: str, kind: pa.DataType, default: Any = None
) -> pa.Array | pa.ChunkedArray:
    column = _column(table, name, kind)
    if column is None:
        values = pa.nulls(table.num_rows, kind)
        return values if default is None else pc.fill_null(values, pa.scalar(default, kind))
    return column


def cents(values: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """Amounts as int64 cents (nulls kept): decimals exactly (an error if a value has fractions
    of a cent), floats rounded to the cent, integers as whole units."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    return pa.chunked_array([_chunk_cents(chunk) for chunk in chunks], pa.int64())


def _chunk_cents(values: pa.Array) -> pa.Array:
    kind = values.type
    if pa.types.is_integer(kind):
        return pc.multiply_checked(pc.cast(values, pa.int64()), 100)
    if pa.types.is_floating(kind):
        return pc.cast(pc.round(pc.multiply(values, 100.0)), pa.int64())
    if not pa.types.is_decimal(kind):
        raise TypeError(f"expected an amount, not {kind}")
    if kind != MONEY:
        values = pc.cast(values, MONEY)  # rescales to cents; raises if that would lose digits
    if len(values) == 0:
        return pa.array([], pa.int64())
    # A decimal(18, 2) fits the low 64 bits of its 128-bit little-endian two's complement.
    words = np.frombuffer(values.buffers()[1], dtype=np.int64)
    low = np.ascontiguousarray(words[: 2 * (values.offset + len(values)) : 2])
    return pa.Array.from_buffers(
        pa.int64(), len(values), [values.buffers()[0], pa.py_buffer(low)], offset=values.offset
    )


def money(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """int64 cents as decimal(18, 2) (nulls kept), without arithmetic: the 128-bit words are
    built from the integers."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.type != pa.int64():
        values = pc.cast(values, pa.int64())
    low = np.asarray(pc.fill_null(values, 0).to_numpy(), dtype=np.int64)
    words = np.empty((low.size, 2), dtype=np.int64)
    words[:, 0] = low
    words[:, 1] = low >> 63  # sign extension
    validity = values.is_valid().buffers()[1] if values.null_count else None
    return pa.Array.from_buffers(MONEY, low.size, [validity, pa.py_buffer(words)])


def prepare_orders(orders: pa.Table, tz: str = DEFAULT_TZ) -> pa.Table:
    """The order columns the SQL reads: ``day``, the local date as days since 1970-01-01, and
    the amounts in integer cents (``net_cents``, ``margin_cents``, ``discount_cents``).

    Required: ``customer_id``, ``ordered_at``, ``net_amount``. A missing ``order_id`` or
    ``store_id`` is null, ``margin`` unknown (null), ``discount`` 0 and ``items`` 0 (kept in
    its own integer type).
    """
    margin = _column(orders, "margin")
    discount = _column(orders, "discount")
    rows = orders.num_rows
    return pa.table(
        {
            "order_id": _optional(orders, "order_id", pa.int64()),
            "customer_id": _required(orders, "customer_id", pa.int64()),
            "store_id": _optional(orders, "store_id", pa.int64()),
            "day": local_days(_required(orders, "ordered_at"), tz),
            "net_cents": cents(_required(orders, "net_amount")),
            "margin_cents": pa.nulls(rows, pa.int64()) if margin is None else cents(margin),
            "discount_cents": (
                pa.array(np.zeros(rows, np.int64)) if discount is None else cents(discount)
            ),
            "items": (
                orders["items"]
                if "items" in orders.column_names
                else pa.array(np.zeros(rows, np.int64))
            ),
        }
    )


def _prepare_lines(lines: pa.Table) -> pa.Table:
    return pa.table(
        {
            "order_id": _required(lines, "order_id", pa.int64()),
            "category_id": _optional(lines, "category_id", pa.int64()),
            "brand_id": _optional(lines, "brand_id", pa.int64()),
            "amount_cents": cents(_required(lines, "amount")),
        }
    )


def _number(value: float | int | Decimal) -> str:
    """A finite number as a SQL literal (only numbers reach the SQL)."""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return format(number, "f")


# --------------------------------------------------------------------------------------------
# Customer summary
# --------------------------------------------------------------------------------------------


def customer_summary(
    orders: pa.Table,
    lines: pa.Table | None = None,
    *,
    as_of: datetime.date,
    tz: str = DEFAULT_TZ,
    engine: Engine = "numpy",
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """One row per customer with an order up to ``as_of``, by id (:data:`SUMMARY_SCHEMA`).

    Without ``lines`` the favourite category and brand are null. ``engine`` computes the order
    aggregates with NumPy or with DuckDB SQL (the same table; see the module docstring).
    """
    _check_engine(engine)
    today = day_number(as_of)
    prepared = prepare_orders(orders, tz)
    if engine == "numpy":
        summary = _summary_numpy(prepared, today)
        if lines is None:
            return summary
        line_table = _prepare_lines(lines)
        favourites = _favourites_numpy(prepared, line_table, summary, today)
        if favourites is not None:
            return _set_favourites(summary, favourites)
    with sql_session(connection) as sql:
        sql.register("orders", prepared)
        if engine == "sql":
            summary = _summary_sql(sql, today)
            if lines is None:
                return summary
            line_table = _prepare_lines(lines)
        sql.register("lines", line_table)
        return _with_favourites(sql, summary, today)


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")


def _summary_table(
    *,
    customer_id: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    orders: np.ndarray,
    purchases: np.ndarray,
    spend: np.ndarray,
    first_spend: np.ndarray,
    margin: np.ndarray,
    margin_known: np.ndarray,
    margin_base: np.ndarray,
    discount: np.ndarray,
    today: int,
) -> pa.Table:
    """The summary from per-customer integer aggregates (money in cents): the arithmetic of
    the derived columns, the same as the SQL's (IEEE double divisions of exact integers)."""
    repeat = purchases > 1
    gross = spend + discount
    ratio_valid = margin_known & (margin_base != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin_ratio = margin / np.where(ratio_valid, margin_base, 1).astype(np.float64)
        discount_share = discount / np.where(gross != 0, gross, 1).astype(np.float64)
        cycle = (last - first) / np.maximum(purchases - 1, 1).astype(np.float64)
        monetary = (spend - first_spend) / (100.0 * np.maximum(purchases - 1, 1))
    columns: dict[str, pa.Array] = {
        "customer_id": pa.array(customer_id, pa.int64()),
        "first_purchase": pa.array(first.astype(np.int32)).cast(pa.date32()),
        "last_purchase": pa.array(last.astype(np.int32)).cast(pa.date32()),
        "orders": pa.array(orders, pa.int64()),
        "purchases": pa.array(purchases, pa.int64()),
        "repeat_purchases": pa.array(purchases - 1, pa.int64()),
        "recency_days": pa.array(today - last, pa.int64()),
        "tenure_days": pa.array(today - first, pa.int64()),
        "total_spend": money(pa.array(spend, pa.int64())),
        "average_ticket": pa.array(spend / (100.0 * orders), pa.float64()),
        "margin": money(pa.array(margin, pa.int64(), mask=~margin_known)),
        "margin_ratio": pa.array(margin_ratio, pa.float64(), mask=~ratio_valid),
        "discount": money(pa.array(discount, pa.int64())),
        "discount_share": pa.array(discount_share, pa.float64(), mask=gross == 0),
        "average_cycle_days": pa.array(cycle, pa.float64(), mask=~repeat),
        "favourite_category": pa.nulls(customer_id.size, pa.int64()),
        "favourite_brand": pa.nulls(customer_id.size, pa.int64()),
        "frequency": pa.array((purchases - 1).astype(np.float64)),
        "recency": pa.array((last - first).astype(np.float64)),
        "age": pa.array((today - first).astype(np.float64)),
        "monetary_value": pa.array(np.where(repeat, monetary, 0.0), pa.float64()),
    }
    return pa.table(columns, schema=SUMMARY_SCHEMA)


def _numbers(values: pa.Array | pa.ChunkedArray, fill: int = 0) -> np.ndarray:
    """An integer column as a NumPy int64 array, nulls as ``fill``."""
    if values.null_count:
        values = pc.fill_null(values, fill)
    return np.asarray(values.to_numpy(), dtype=np.int64)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending (a sort and a comparison: NumPy 2's hash-based
    ``np.unique`` is much slower on millions of integers)."""
    ordered = np.sort(values)
    if ordered.size == 0:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def group_sum(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Σ ``values`` per group 0..size−1 as exact int64: through float64 ``bincount`` when no
    partial sum can reach 2⁵³ in magnitude (rows · the largest magnitude below it; float64
    ``values`` must hold integers), otherwise by sorting int64 ``values``."""
    if values.size == 0:
        return np.zeros(size, dtype=np.int64)
    largest = max(abs(float(values.min())), abs(float(values.max())))
    if largest * values.size < 2**53:
        sums = np.bincount(groups, weights=values, minlength=size)
        return np.rint(sums).astype(np.int64)
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    totals = np.zeros(size, dtype=np.int64)
    totals[ordered[starts]] = np.add.reduceat(values[order].astype(np.int64), starts)
    return totals


def _summary_numpy(prepared: pa.Table, today: int) -> pa.Table:
    """The order aggregates with NumPy: customers mapped to dense slots, sums by ``bincount``,
    distinct purchase days by sorting the (slot, day) pairs. Orders that do not count (no
    customer, after ``as_of``) go to one extra slot, dropped at the end, rather than being
    filtered out (a copy of every column)."""
    customer, day = prepared["customer_id"], prepared["day"]
    counted = pc.fill_null(pc.and_(customer.is_valid(), pc.less_equal(day, today)), False)
    rows = np.asarray(counted.to_numpy(zero_copy_only=False), dtype=bool)
    if not rows.any():
        return SUMMARY_SCHEMA.empty_table()
    ids, days = _raw(customer), _raw(day)  # the values under nulls are never read
    # bounds over every order (those after as_of only widen them a little)
    id_bounds, day_bounds = pc.min_max(customer).as_py(), pc.min_max(day).as_py()
    low, high = int(id_bounds["min"]), int(id_bounds["max"])
    first_day = int(day_bounds["min"])
    span = int(day_bounds["max"]) - first_day + 1
    slot_ids: np.ndarray | None = None
    if 0 <= low and high < max(1 << 20, 4 * ids.size):  # the id is the slot
        slots = high + 1
        slot = np.where(rows, ids, slots)
    else:  # ids far apart: slots by rank
        slot_ids = sorted_unique(ids[rows])
        slots = slot_ids.size
        slot = np.where(rows, np.searchsorted(slot_ids, ids), slots)
    size = slots + 1  # with the extra slot of the orders that do not count
    if size * span >= 2**62:
        raise ValueError("too many customers and days to pair in 64 bits")
    keys = slot * span
    keys += days
    keys -= first_day
    keys[~rows] = slots * span
    if size * span < 2**31:  # int32 keys sort faster
        keys = keys.astype(np.int32)
    pairs = sorted_unique(keys)
    del keys
    pair_slot = pairs // span
    starts = np.flatnonzero(np.r_[True, pair_slot[1:] != pair_slot[:-1]])
    ends = np.r_[starts[1:], pairs.size]
    if pair_slot[-1] == slots:  # drop the extra slot
        starts, ends = starts[:-1], ends[:-1]
    present = pair_slot[starts].astype(np.int64)  # the slots with orders, ascending
    first = (pairs[starts] % span).astype(np.int64) + first_day
    last = (pairs[ends - 1] % span).astype(np.int64) + first_day
    first_of_slot = np.zeros(size, dtype=np.int64)
    first_of_slot[present] = first
    net = _numbers(prepared["net_cents"])
    if float(np.abs(net).max(initial=0)) * net.size < 2**53:
        net = net.astype(np.float64)  # converted once for the four sums over it
    spend = group_sum(slot, net, size)[present]
    margin_column = prepared["margin_cents"]
    if margin_column.null_count == 0:  # every margin known
        known_any, margin_base = np.ones(present.size, dtype=bool), spend
    elif margin_column.null_count == len(margin_column):
        known_any, margin_base = np.zeros(present.size, dtype=bool), np.zeros_like(spend)
    else:
        known = np.asarray(margin_column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        known_any = np.bincount(slot[known], minlength=size)[present] > 0
        margin_base = group_sum(slot, np.where(known, net, 0), size)[present]
    return _summary_table(
        customer_id=present if slot_ids is None else slot_ids[present],
        first=first,
        last=last,
        orders=np.bincount(slot, minlength=size)[present],
        purchases=ends - starts,
        spend=spend,
        first_spend=group_sum(slot, np.where(days == first_of_slot[slot], net, 0), size)[present],
        margin=group_sum(slot, _numbers(margin_column), size)[present],
        margin_known=known_any,
        margin_base=margin_base,
        discount=group_sum(slot, _numbers(prepared["discount_cents"]), size)[present],
        today=today,
    )


def _raw(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values buffer of an integer column as NumPy, without copying a single chunk; what
    lies under the nulls is undefined."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    kind = np.dtype(values.type.to_pandas_dtype())
    buffer = np.frombuffer(values.buffers()[1], dtype=kind)
    return buffer[values.offset : values.offset + len(values)]


def _summary_sql(sql: SqlSession, today: int) -> pa.Table:
    """The order aggregates with DuckDB SQL over the registered ``orders``."""
    days = (
        "SELECT customer_id, day, COUNT(*) AS orders, SUM(net_cents) AS spend, "
        "SUM(margin_cents) AS margin, COUNT(margin_cents) AS margin_orders, "
        "SUM(CASE WHEN margin_cents IS NOT NULL THEN net_cents ELSE 0 END) AS margin_base, "
        "SUM(discount_cents) AS discount "
        f"FROM {sql.name('orders')} WHERE customer_id IS NOT NULL AND day <= {today} "
        "GROUP BY customer_id, day"
    )
    customers = sql.table(
        "SELECT customer_id, MIN(day) AS first_day, MAX(day) AS last_day, "
        "SUM(orders) AS orders, COUNT(*) AS purchases, SUM(spend) AS spend, "
        "MIN_BY(spend, day) AS first_spend, COALESCE(SUM(margin), 0) AS margin, "
        "SUM(margin_orders) AS margin_orders, SUM(margin_base) AS margin_base, "
        "COALESCE(SUM(discount), 0) AS discount "
        f"FROM ({days}) d GROUP BY customer_id ORDER BY customer_id"
    )

    def column(name: str) -> np.ndarray:
        return np.asarray(pc.cast(customers[name], pa.int64()).to_numpy(), dtype=np.int64)

    return _summary_table(
        customer_id=column("customer_id"),
        first=column("first_day"),
        last=column("last_day"),
        orders=column("orders"),
        purchases=column("purchases"),
        spend=column("spend"),
        first_spend=column("first_spend"),
        margin=column("margin"),
        margin_known=column("margin_orders") > 0,
        margin_base=column("margin_base"),
        discount=column("discount"),
        today=today,
    )


def _with_favourites(sql: SqlSession, summary: pa.Table, today: int) -> pa.Table:
    """``summary`` with the favourite category and brand of each customer, from the registered
    ``orders`` and ``lines``, in SQL."""
    sql.create(
        "line_spend",
        "SELECT o.customer_id, l.category_id, l.brand_id, l.amount_cents "
        f"FROM {sql.name('lines')} l JOIN {sql.name('orders')} o ON o.order_id = l.order_id "
        f"WHERE o.customer_id IS NOT NULL AND o.day <= {today}",
    )
    ids = _numbers(summary["customer_id"])
    favourites: dict[str, pa.Array] = {}
    for column, target in (("category_id", "favourite_category"), ("brand_id", "favourite_brand")):
        found = sql.table(_favourite_sql(sql.name("line_spend"), column))
        values = np.zeros(ids.size, dtype=np.int64)
        missing = np.ones(ids.size, dtype=bool)
        positions = np.searchsorted(ids, _numbers(found["customer_id"]))
        values[positions] = _numbers(found[column])
        missing[positions] = False
        favourites[target] = pa.array(values, pa.int64(), mask=missing)
    return _set_favourites(summary, favourites)


def _set_favourites(summary: pa.Table, favourites: Mapping[str, pa.Array]) -> pa.Table:
    for target, values in favourites.items():
        summary = summary.set_column(
            summary.schema.get_field_index(target), SUMMARY_SCHEMA.field(target), values
        )
    return summary


def _favourites_numpy(
    prepared: pa.Table, lines: pa.Table, summary: pa.Table, today: int
) -> dict[str, pa.Array] | None:
    """The favourite category and brand of each summary row with NumPy (None when the sums
    could be inexact in float64: then SQL does it): lines are mapped to their customer's row
    through their order, and the spend per (customer, value) is summed with ``bincount`` over
    a block of customers × values at a time, whose row-wise ``argmax`` is the favourite (the
    first, so the smallest value, among equal sums)."""
    ids = _numbers(summary["customer_id"])
    amount = _numbers(lines["amount_cents"])
    if float(np.abs(amount).max(initial=0)) * amount.size >= 2**53:
        return None
    customer, order = prepared["customer_id"], prepared["order_id"]
    counted = pc.and_(
        pc.and_(customer.is_valid(), order.is_valid()), pc.less_equal(prepared["day"], today)
    )
    rows = np.asarray(pc.fill_null(counted, False).to_numpy(zero_copy_only=False), dtype=bool)
    order_ids = _raw(order)[rows]
    owners = _positions(ids, _raw(customer)[rows])  # the summary row of each order
    owner = _line_owners(order_ids, owners, lines["order_id"])
    weights = amount.astype(np.float64)
    favourites: dict[str, pa.Array] = {}
    for column, target in (("category_id", "favourite_category"), ("brand_id", "favourite_brand")):
        values = lines[column]
        usable = owner >= 0
        if values.null_count:
            usable &= np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        raw = _raw(values)[usable]
        best = np.full(ids.size, -1, dtype=np.int64)
        if raw.size:
            low, high = int(raw.min()), int(raw.max())
            if high - low < 1 << 16:
                codes, decode = raw - low, np.arange(low, high + 1, dtype=np.int64)
            else:
                decode = sorted_unique(raw)
                codes = np.searchsorted(decode, raw)
            chosen = _row_argmax(owner[usable], codes, weights[usable], ids.size, decode.size)
            best = np.where(chosen >= 0, decode[np.maximum(chosen, 0)], -1)
        favourites[target] = pa.array(best, pa.int64(), mask=best < 0)
    return favourites


def _positions(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The position of each of ``wanted`` in the ascending ``ids`` (all present): through a
    lookup table when the ids are dense, by binary search otherwise."""
    if ids.size == 0:
        return np.zeros(wanted.size, dtype=np.int64)
    low, high = int(ids[0]), int(ids[-1])
    if high - low < max(1 << 20, 4 * ids.size):
        table = np.zeros(high - low + 1, dtype=np.int64)
        table[ids - low] = np.arange(ids.size)
        return table[wanted - low]
    return np.searchsorted(ids, wanted)


def _line_owners(
    order_ids: np.ndarray, owners: np.ndarray, line_orders: pa.Array | pa.ChunkedArray
) -> np.ndarray:
    """The summary row of each line's order, −1 when the order does not count."""
    wanted = _numbers(line_orders, fill=-1)
    owner = np.full(wanted.size, -1, dtype=np.int64)
    if order_ids.size == 0:
        return owner
    low, high = int(order_ids.min()), int(order_ids.max())
    inside = (wanted >= low) & (wanted <= high)
    if high - low < max(1 << 20, 4 * order_ids.size):  # a lookup table by order id
        table = np.full(high - low + 1, -1, dtype=np.int64)
        table[order_ids - low] = owners
        owner[inside] = table[wanted[inside] - low]
    else:
        by_id = np.argsort(order_ids)
        sorted_ids = order_ids[by_id]
        place = np.minimum(np.searchsorted(sorted_ids, wanted), sorted_ids.size - 1)
        found = inside & (sorted_ids[place] == wanted)
        owner[found] = owners[by_id[place[found]]]
    return owner


def _row_argmax(
    rows: np.ndarray, codes: np.ndarray, weights: np.ndarray, size: int, width: int
) -> np.ndarray:
    """For each row 0..size−1, the code 0..width−1 with the largest Σ weight among the codes
    present (the smallest code among equal sums), −1 for a row without any; a block of rows ×
    width cells at a time."""
    block = max(1, (1 << 22) // width)
    result = np.full(size, -1, dtype=np.int64)
    positive = bool(weights.size == 0 or weights.min() > 0)
    blocks = (size + block - 1) // block
    if blocks > 1:  # the lines grouped by block
        chunk = rows // block
        order = np.argsort(chunk.astype(np.uint16) if blocks < 1 << 16 else chunk, kind="stable")
        rows, codes, weights = rows[order], codes[order], weights[order]
        bounds = np.searchsorted(chunk[order], np.arange(blocks + 1))
    else:
        bounds = np.array([0, rows.size])
    for number in range(blocks):
        start = number * block
        height = min(block, size - start)
        picked = slice(int(bounds[number]), int(bounds[number + 1]))
        cells = (rows[picked] - start) * width + codes[picked]
        sums = np.bincount(cells, weights=weights[picked], minlength=height * width)
        has: np.ndarray
        if positive:  # a code present has a positive sum, more than an absent one's 0
            has = np.bincount(rows[picked] - start, minlength=height) > 0
        else:
            counts = np.bincount(cells, minlength=height * width)
            sums[counts == 0] = -np.inf
            has = np.asarray(counts.reshape(height, width).any(axis=1), dtype=bool)
        best = sums.reshape(height, width).argmax(axis=1)
        result[start : start + height] = np.where(has, best, -1)
    return result


def _favourite_sql(line_spend: str, column: str) -> str:
    """The ``column`` value with the largest Σ amount per customer (ties: the smallest)."""
    return (
        f"SELECT customer_id, {column} FROM ("
        f"SELECT customer_id, {column}, ROW_NUMBER() OVER ("
        f"PARTITION BY customer_id ORDER BY SUM(amount_cents) DESC, {column}) AS place "
        f"FROM {line_spend} WHERE {column} IS NOT NULL GROUP BY customer_id, {column}"
        ") ranked WHERE place = 1"
    )


# --------------------------------------------------------------------------------------------
# RFM scores and segments
# --------------------------------------------------------------------------------------------

#: The summary columns that can be the F and the M of the scores.
FREQUENCY_COLUMNS = ("purchases", "orders")
MONETARY_COLUMNS = ("total_spend", "margin")


def rfm_scores(
    summary: pa.Table,
    *,
    bins: int = 5,
    recency_edges: Sequence[float | Decimal] | None = None,
    frequency_edges: Sequence[float | Decimal] | None = None,
    monetary_edges: Sequence[float | Decimal] | None = None,
    frequency_column: str = "purchases",
    monetary_column: str = "total_spend",
    segment_grid: Sequence[Sequence[str]] | None = None,
    engine: Engine = "numpy",
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """R, F, M and FM scores (1 .. ``bins``, higher is better) and the segment of each customer.

    ``summary`` is :func:`customer_summary`'s table. Scores are ``bins``-quantiles (NTILE, ties by
    ``customer_id``; see the module docstring) unless edges are given for a dimension:
    ``bins − 1`` increasing cut points. With ``recency_edges`` e₁ < e₂ < ..., R = bins for
    ``recency_days ≤ e₁``, bins − 1 for ≤ e₂, ... and 1 beyond the last edge; with F or M edges,
    the score is 1 below e₁, 2 from e₁ (inclusive) to e₂, ... and ``bins`` from the last edge on
    (money edges in currency units). F is ``purchases`` or ``orders``, M ``total_spend`` or
    ``margin`` (unknown as 0). ``segment_grid`` has ``bins`` rows (R = bins down to 1) of
    ``bins`` segment names (FM = 1 .. bins); the default :data:`DEFAULT_SEGMENT_GRID` needs
    ``bins = 5``. Rows are ordered by ``customer_id`` (:data:`SCORES_SCHEMA`).
    """
    _check_engine(engine)
    if not 2 <= bins <= 9:
        raise ValueError(f"bins must be between 2 and 9, got {bins!r}")
    grid = _segment_grid(segment_grid, bins)
    if frequency_column not in FREQUENCY_COLUMNS:
        raise ValueError(f"frequency_column must be one of {FREQUENCY_COLUMNS}")
    if monetary_column not in MONETARY_COLUMNS:
        raise ValueError(f"monetary_column must be one of {MONETARY_COLUMNS}")
    dimensions = (
        ("recency_days", recency_edges, False),
        (frequency_column, frequency_edges, True),
        (monetary_column, monetary_edges, True),
    )
    for _, edges, _ in dimensions:
        if edges is not None:
            cuts = [_decimal(edge) for edge in edges]
            if len(cuts) != bins - 1:
                raise ValueError(f"give {bins - 1} edges for {bins} bins, got {len(cuts)}")
            if any(a >= b for a, b in itertools.pairwise(cuts)):
                raise ValueError("edges must be strictly increasing")
    by_id = _id_order(summary)
    ids = _numbers(summary["customer_id"])[by_id]
    if engine == "numpy":
        scores = [
            _score_numpy(_score_values(summary, column)[by_id], bins, edges, better, column)
            for column, edges, better in dimensions
        ]
    else:
        with sql_session(connection) as sql:
            columns = ["customer_id", "recency_days", frequency_column, monetary_column]
            name = sql.register("summary", summary.select(list(dict.fromkeys(columns))))
            expressions = [
                _score_sql(summary, column, bins, edges, higher_is_better=better)
                for column, edges, better in dimensions
            ]
            table = sql.table(
                f"SELECT customer_id, {expressions[0]} AS r_score, {expressions[1]} AS f_score, "
                f"{expressions[2]} AS m_score FROM {name} ORDER BY customer_id"
            )
        scores = [_numbers(table[column]) for column in ("r_score", "f_score", "m_score")]
    r_score, f_score, m_score = scores
    fm_score = (f_score + m_score + 1) // 2
    names = list(dict.fromkeys(segment for row in grid for segment in row))
    lookup = np.array([[names.index(segment) for segment in row] for row in grid], np.int8)
    segment = labels(names, lookup[bins - r_score, fm_score - 1])
    return pa.table(
        {
            "customer_id": pa.array(ids, pa.int64()),
            "r_score": pa.array(r_score.astype(np.int32)),
            "f_score": pa.array(f_score.astype(np.int32)),
            "m_score": pa.array(m_score.astype(np.int32)),
            "fm_score": pa.array(fm_score.astype(np.int32)),
            "segment": segment,
        },
        schema=SCORES_SCHEMA,
    )


def _decimal(value: float | int | Decimal) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def _id_order(summary: pa.Table) -> np.ndarray:
    """The row order by ``customer_id`` (the identity when the rows are in that order)."""
    ids = _numbers(summary["customer_id"])
    if ids.size < 2 or bool(np.all(ids[1:] > ids[:-1])):
        return np.arange(ids.size)
    return np.argsort(ids, kind="stable")


def _score_values(summary: pa.Table, column: str) -> np.ndarray:
    """A score column as exact integers: counts, days, or cents for money (nulls as 0)."""
    values = summary[column]
    if pa.types.is_decimal(values.type):
        return _numbers(cents(values))
    return _numbers(values)


def _score_numpy(
    values: np.ndarray,
    bins: int,
    edges: Sequence[float | Decimal] | None,
    higher_is_better: bool,
    column: str,
) -> np.ndarray:
    """One score per row (rows in ``customer_id`` order), like :func:`_score_sql`."""
    if edges is not None:
        scale = 100 if column in MONETARY_COLUMNS else 1  # money is in cents here
        cuts = [_decimal(edge) * scale for edge in edges]
        if higher_is_better:  # e ≤ v ⟺ ⌈e⌉ ≤ v for an integer v
            ceilings = np.array([math.ceil(cut) for cut in cuts], dtype=np.int64)
            return 1 + np.searchsorted(ceilings, values, side="right")
        floors = np.array([math.floor(cut) for cut in cuts], dtype=np.int64)  # e < v ⟺ ⌊e⌋ < v
        return bins - np.searchsorted(floors, values, side="left")
    return ntile(values if higher_is_better else -values, bins)


def ntile(values: np.ndarray, bins: int) -> np.ndarray:
    """SQL's ``NTILE(bins) OVER (ORDER BY value, <row position>)``: the rows ordered by value,
    ties in their order, are cut into ``bins`` runs whose lengths differ by at most one, the
    longer first; the run of each row, 1 .. bins."""
    size = values.size
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    key = values - values.min()
    top = int(key.max())
    if top < 2**16:  # NumPy's stable sort is a radix sort on 16 bits
        order = np.argsort(key.astype(np.uint16), kind="stable")
    elif (top + 1) * size < 2**63:  # sorting value · n + position is faster still
        order = np.sort(key * size + np.arange(size)) % size
    else:
        order = np.argsort(key, kind="stable")
    position = np.empty(size, dtype=np.int64)
    position[order] = np.arange(size)
    length, longer = divmod(size, bins)
    boundary = longer * (length + 1)
    return (
        np.where(
            position < boundary,
            position // (length + 1),
            longer + (position - boundary) // max(length, 1),
        )
        + 1
    )


def _segment_grid(grid: Sequence[Sequence[str]] | None, bins: int) -> list[list[str]]:
    if grid is None:
        if bins != 5:
            raise ValueError("give a segment_grid for scores with other than 5 bins")
        grid = DEFAULT_SEGMENT_GRID
    rows = [list(row) for row in grid]
    if len(rows) != bins or any(len(row) != bins for row in rows):
        raise ValueError(f"segment_grid must have {bins} rows of {bins} segments")
    if any(not segment for row in rows for segment in row):
        raise ValueError("segment names must not be empty")
    return rows


def _score_sql(
    summary: pa.Table,
    column: str,
    bins: int,
    edges: Sequence[float | Decimal] | None,
    *,
    higher_is_better: bool,
) -> str:
    """The SQL expression of one score: NTILE over the customers, worst first, or fixed edges."""
    value = f"COALESCE({column}, 0)"
    if edges is None:
        direction = "ASC" if higher_is_better else "DESC"
        return f"NTILE({bins}) OVER (ORDER BY {value} {direction}, customer_id ASC)"
    cuts = [_number(edge) for edge in edges]
    if higher_is_better:
        steps = " + ".join(f"CASE WHEN {value} >= {cut} THEN 1 ELSE 0 END" for cut in cuts)
        return f"(1 + {steps})"
    steps = " - ".join(f"CASE WHEN {value} > {cut} THEN 1 ELSE 0 END" for cut in cuts)
    return f"({bins} - {steps})"


# --------------------------------------------------------------------------------------------
# The R×F grid
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecencyThresholds:
    """The most days since the last purchase of an active, silent and sleeping customer;
    beyond ``sleeping`` a customer is lost. ``median_cycle_days`` is the median purchase cycle
    they were derived from (None when given explicitly or when nobody bought twice)."""

    active: int
    silent: int
    sleeping: int
    median_cycle_days: float | None = None

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.active, self.silent, self.sleeping)


@dataclass(frozen=True, slots=True)
class RfGrid:
    """The R×F grid: ``cells`` (16 rows, :data:`GRID_CELLS_SCHEMA`, in :data:`CELLS` order),
    ``customers`` (each customer's bands and cell, :data:`GRID_CUSTOMERS_SCHEMA`, by id), the
    thresholds and frequency cuts used, and the totals the shares are of."""

    cells: pa.Table
    customers: pa.Table
    thresholds: RecencyThresholds
    frequency_cuts: tuple[int, int, int]
    total_customers: int
    total_revenue: Decimal


def median_purchase_cycle(
    summary: pa.Table,
    *,
    engine: Engine = "numpy",
    connection: duckdb.DuckDBPyConnection | None = None,
) -> float | None:
    """The median of ``average_cycle_days`` over the customers with two or more purchase days
    (each repeat customer counts once; halfway between the middle two when their number is
    even); None when there is none."""
    _check_engine(engine)
    if engine == "numpy":
        repeat = _numbers(summary["purchases"]) > 1
        cycles = np.sort(
            np.asarray(pc.fill_null(summary["average_cycle_days"], 0.0).to_numpy())[repeat]
        )
        if cycles.size == 0:
            return None
        low, high = cycles[(cycles.size - 1) // 2], cycles[cycles.size // 2]
        return float(low + (high - low) * 0.5)
    with sql_session(connection) as sql:
        name = sql.register("summary", summary.select(["purchases", "average_cycle_days"]))
        value = sql.scalar(
            "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY average_cycle_days) "
            f"FROM {name} WHERE purchases > 1"
        )
    return None if value is None else float(value)


def recency_thresholds(
    summary: pa.Table,
    *,
    multiples: Sequence[float] = DEFAULT_CYCLE_MULTIPLES,
    fallback_cycle_days: float = DEFAULT_FALLBACK_CYCLE_DAYS,
    engine: Engine = "numpy",
    connection: duckdb.DuckDBPyConnection | None = None,
) -> RecencyThresholds:
    """Thresholds at ``multiples`` of the median purchase cycle (``fallback_cycle_days`` when
    no customer bought twice), rounded to whole days (halves up), at least 1 and each at least
    one day above the previous."""
    if len(multiples) != 3 or any(not m > 0 for m in multiples):
        raise ValueError("give three positive multiples (active, silent, sleeping)")
    if any(a >= b for a, b in itertools.pairwise(multiples)):
        raise ValueError("multiples must be strictly increasing")
    median = median_purchase_cycle(summary, engine=engine, connection=connection)
    cycle = fallback_cycle_days if median is None else median
    if not cycle > 0:
        raise ValueError("the purchase cycle must be positive")
    days: list[int] = []
    for multiple in multiples:
        value = max(1, math.floor(multiple * cycle + 0.5))
        days.append(max(value, days[-1] + 1) if days else value)
    return RecencyThresholds(days[0], days[1], days[2], median_cycle_days=median)


def rf_grid(
    summary: pa.Table,
    *,
    thresholds: Sequence[int] | RecencyThresholds | None = None,
    multiples: Sequence[float] = DEFAULT_CYCLE_MULTIPLES,
    frequency_cuts: Sequence[int] = DEFAULT_FREQUENCY_CUTS,
    fallback_cycle_days: float = DEFAULT_FALLBACK_CYCLE_DAYS,
    engine: Engine = "numpy",
    connection: duckdb.DuckDBPyConnection | None = None,
) -> RfGrid:
    """The 16 cells of recency band × frequency band, and each customer's cell.

    ``thresholds`` (active, silent, sleeping: the most days since the last purchase of each
    band) default to :func:`recency_thresholds` at ``multiples`` of the median purchase cycle.
    ``frequency_cuts`` are the lowest purchase counts (distinct purchase days) of the
    second-time, returning and fan bands. Shares are of all the customers in ``summary`` and of
    their total spend (0 when the total is 0).
    """
    _check_engine(engine)
    cuts = tuple(int(cut) for cut in frequency_cuts)
    if len(cuts) != 3 or not 2 <= cuts[0] < cuts[1] < cuts[2]:
        raise ValueError("frequency_cuts must be three increasing purchase counts from 2")
    if thresholds is None:
        limits = recency_thresholds(
            summary,
            multiples=multiples,
            fallback_cycle_days=fallback_cycle_days,
            engine=engine,
            connection=connection,
        )
    elif isinstance(thresholds, RecencyThresholds):
        limits = thresholds
    else:
        values = [int(value) for value in thresholds]
        if len(values) != 3:
            raise ValueError("give three thresholds (active, silent, sleeping)")
        limits = RecencyThresholds(values[0], values[1], values[2])
    if not 0 <= limits.active < limits.silent < limits.sleeping:
        raise ValueError("recency thresholds must be increasing and not negative")
    by_id = _id_order(summary)
    ids = _numbers(summary["customer_id"])[by_id]
    spend = _numbers(cents(summary["total_spend"]))[by_id]
    if engine == "numpy":
        recency_index = np.searchsorted(
            np.array(limits.as_tuple()), _numbers(summary["recency_days"])[by_id], side="left"
        )
        frequency_index = np.searchsorted(
            np.array(cuts), _numbers(summary["purchases"])[by_id], side="right"
        )
    else:
        recency_index, frequency_index = _bands_sql(summary, limits, cuts, connection)
    cell = recency_index * len(FREQUENCY_BANDS) + frequency_index
    counts = np.bincount(cell, minlength=len(CELLS))
    revenue = group_sum(cell, spend, len(CELLS))
    total_customers, total_revenue = int(ids.size), int(spend.sum())
    cells = _cell_frame(limits, cuts)
    cells = cells.append_column("customers", pa.array(counts, pa.int64()))
    cells = cells.append_column("revenue", money(pa.array(revenue, pa.int64())))
    cells = cells.append_column("customer_share", pa.array(_shares(counts, total_customers)))
    cells = cells.append_column(
        "revenue_share", pa.array(_shares(revenue / 100.0, total_revenue / 100.0))
    )
    customers = pa.table(
        {
            "customer_id": pa.array(ids, pa.int64()),
            "recency_band": labels(RECENCY_BANDS, recency_index),
            "frequency_band": labels(FREQUENCY_BANDS, frequency_index),
            "cell": labels(CELLS, cell),
        },
        schema=GRID_CUSTOMERS_SCHEMA,
    )
    return RfGrid(
        cells=cells.cast(GRID_CELLS_SCHEMA),
        customers=customers,
        thresholds=limits,
        frequency_cuts=(cuts[0], cuts[1], cuts[2]),
        total_customers=total_customers,
        total_revenue=Decimal(total_revenue).scaleb(-2),
    )


def labels(names: Sequence[str], indices: np.ndarray) -> pa.DictionaryArray:
    """``names[indices]`` as a dictionary-encoded string array (:data:`LABEL`)."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(indices, dtype=np.int8)), pa.array(list(names), pa.string())
    )


def _shares(parts: np.ndarray, total: float) -> np.ndarray:
    if total == 0:
        return np.zeros(parts.size, dtype=np.float64)
    return np.asarray(parts, dtype=np.float64) / float(total)


def _bands_sql(
    summary: pa.Table,
    limits: RecencyThresholds,
    cuts: tuple[int, ...],
    connection: duckdb.DuckDBPyConnection | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's recency and frequency band index with SQL, by ``customer_id``."""
    active, silent, sleeping = limits.as_tuple()
    second, returning, fan = cuts
    with sql_session(connection) as sql:
        name = sql.register("summary", summary.select(["customer_id", "recency_days", "purchases"]))
        bands = sql.table(
            "SELECT customer_id, "
            f"CASE WHEN recency_days <= {active} THEN 0 WHEN recency_days <= {silent} THEN 1 "
            f"WHEN recency_days <= {sleeping} THEN 2 ELSE 3 END AS recency_index, "
            f"CASE WHEN purchases >= {fan} THEN 3 WHEN purchases >= {returning} THEN 2 "
            f"WHEN purchases >= {second} THEN 1 ELSE 0 END AS frequency_index "
            f"FROM {name} ORDER BY customer_id"
        )
    return _numbers(bands["recency_index"]), _numbers(bands["frequency_index"])


def _cell_frame(limits: RecencyThresholds, cuts: tuple[int, ...]) -> pa.Table:
    day_bounds: list[tuple[int, int | None]] = [
        (0, limits.active),
        (limits.active + 1, limits.silent),
        (limits.silent + 1, limits.sleeping),
        (limits.sleeping + 1, None),
    ]
    purchase_bounds: list[tuple[int, int | None]] = [
        (1, cuts[0] - 1),
        (cuts[0], cuts[1] - 1),
        (cuts[1], cuts[2] - 1),
        (cuts[2], None),
    ]
    rows: dict[str, list[Any]] = {name: [] for name in GRID_CELLS_SCHEMA.names[:9]}
    for (r, recency), (f, frequency) in itertools.product(
        enumerate(RECENCY_BANDS), enumerate(FREQUENCY_BANDS)
    ):
        rows["cell"].append(f"{recency}_{frequency}")
        rows["recency_band"].append(recency)
        rows["frequency_band"].append(frequency)
        rows["recency_index"].append(r)
        rows["frequency_index"].append(f)
        rows["min_days"].append(day_bounds[r][0])
        rows["max_days"].append(day_bounds[r][1])
        rows["min_purchases"].append(purchase_bounds[f][0])
        rows["max_purchases"].append(purchase_bounds[f][1])
    return pa.table(rows, schema=pa.schema([GRID_CELLS_SCHEMA.field(name) for name in rows]))


# --------------------------------------------------------------------------------------------
# Everything at once
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RfmAnalysis:
    """:func:`customer_summary`, :func:`rfm_scores` and :func:`rf_grid` of one data set."""

    summary: pa.Table
    scores: pa.Table
    grid: RfGrid


def rfm_analysis(
    orders: pa.Table,
    lines: pa.Table | None = None,
    *,
    as_of: datetime.date,
    tz: str = DEFAULT_TZ,
    scoring: Mapping[str, Any] | None = None,
    grid: Mapping[str, Any] | None = None,
    engine: Engine = "numpy",
    connection: duckdb.DuckDBPyConnection | None = None,
) -> RfmAnalysis:
    """The summary, the scores (``scoring``: keyword arguments of :func:`rfm_scores`) and the
    R×F grid (``grid``: keyword arguments of :func:`rf_grid`); the SQL engine runs them on one
    DuckDB connection (``connection``, or a new one), the NumPy engine needs none."""
    own = connection is None and engine == "sql"
    active = duckdb.connect() if own else connection
    try:
        summary = customer_summary(
            orders, lines, as_of=as_of, tz=tz, engine=engine, connection=active
        )
        scores = rfm_scores(summary, engine=engine, connection=active, **dict(scoring or {}))
        cells = rf_grid(summary, engine=engine, connection=active, **dict(grid or {}))
    finally:
        if own and active is not None:
            active.close()
    return RfmAnalysis(summary=summary, scores=scores, grid=cells)
