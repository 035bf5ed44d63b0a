"""Sequence rules: "customers who bought A bought B within N days", computed with DuckDB SQL.

``sequence_rules(lines, window_days=90)`` takes the purchase lines as an Arrow table of
``(customer_id int64, ordered_at timestamp or date, item int64)`` and returns, for every pair
of items ``A != B`` that enough customers followed, the probability that a customer who bought
``A`` bought ``B`` afterwards within the window.

Definitions (the days are calendar days of ``ordered_at``; a timestamp with a time zone is read
as the wall-clock time of that zone, a naive one as it is):

- the **anchor** of ``A`` for a customer is the day of their *first* purchase of ``A``; later
  purchases of ``A`` start nothing new;
- the customer **followed** ``A`` with ``B`` when they bought ``B`` on a day ``d`` with
  ``1 <= d - anchor <= window_days``: a purchase of ``B`` on the anchor's own day (in the same
  basket or not) does not count (it is a basket affinity, see ``basket``); a purchase exactly
  ``window_days`` days later counts, one a day later does not; a purchase of ``B`` before the
  anchor does not count, but does not prevent a later one from counting;
- ``antecedent_customers``: customers who bought ``A``; ``customers``: those who followed ``A``
  with ``B``, each counted once; ``probability = customers / antecedent_customers``;
  ``support = customers / all customers``;
- ``base_rate`` of ``B``: the share of all customers (anyone with a purchase in ``lines``) who
  ever bought ``B``; ``lift = probability / base_rate``. The base rate is not limited to a
  window, so the lift is conservative: above 1, buying ``A`` leads to ``B`` more often than
  ``B`` is bought at all;
- ``mean_days``: the mean, over the customers who followed, of the days from the anchor to
  their first purchase of ``B`` in the window.

A pair is kept when at least ``min_customers`` customers followed ``A`` with ``B``.

The SQL keeps one row per customer and item (``anchors``: first and last day) and the repeat
purchases (``repeats``: the later days of items bought on more than one day). A customer
followed ``A`` with ``B`` either through ``B``'s first purchase, when it falls in ``A``'s window
(a join of the anchors, one row per customer and pair, nothing to group), or, when ``B`` was
first bought on or before ``A``'s anchor, through a repeat purchase of ``B`` in the window.

**Spark SQL.** Days are integers (days since 1970-01-01, computed in Arrow before the SQL), so
the window is plain integer arithmetic. The statements are plain ``SELECT``s with joins,
``GROUP BY ... HAVING`` and ``IN`` subqueries that Spark SQL runs unchanged; only their
materialisation (``CREATE TEMP TABLE``) is DuckDB's, as in ``basket``.
"""

# The SQL is assembled from this module's own table and column names and from numbers it has
# checked; no text from users reaches it.
# ruff: noqa: S608

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from guanxi.analytics.basket import SqlSession, sql_session, top_per_item

SEQUENCE_RULES_SCHEMA = pa.schema(
    [
        pa.field("antecedent", pa.int64(), nullable=False),
        pa.field("consequent", pa.int64(), nullable=False),
        pa.field("customers", pa.int64(), nullable=False),
        pa.field("antecedent_customers", pa.int64(), nullable=False),
        pa.field("consequent_customers", pa.int64(), nullable=False),
        pa.field("probability", pa.float64(), nullable=False),
        pa.field("support", pa.float64(), nullable=False),
        pa.field("base_rate", pa.float64(), nullable=False),
        pa.field("lift", pa.float64(), nullable=False),
        pa.field("mean_days", pa.float64(), nullable=False),
    ]
)


@dataclass(frozen=True)
class SequenceRules:
    """The result of ``sequence_rules``: ``rules`` (``SEQUENCE_RULES_SCHEMA``, ordered by
    antecedent then consequent), the number of ``customers`` and the ``window_days``."""

    rules: pa.Table
    customers: int
    window_days: int


@dataclass(frozen=True)
class NextPurchase:
    """An item a customer is likely to buy next, because they bought ``antecedent``."""

    item: int
    antecedent: int
    probability: float
    lift: float
    customers: int


def sequence_rules(
    lines: pa.Table,
    *,
    window_days: int = 90,
    min_customers: int = 5,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> SequenceRules:
    """The pairs ``A -> B`` that at least ``min_customers`` customers followed in the window.

    ``lines`` has the columns ``customer_id``, ``ordered_at`` (timestamp or date) and ``item``;
    rows with a null in any of them are ignored. The work runs in ``connection`` (a new
    in-memory DuckDB database when ``None``) in temporary tables that are dropped at the end.
    """
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, got {window_days!r}")
    if min_customers < 1:
        raise ValueError(f"min_customers must be at least 1, got {min_customers!r}")
    with sql_session(connection) as sql:
        sql.register("purchase_lines", _purchase_days(lines))
        sql.create(
            "anchors",
            "SELECT customer_id, item, MIN(day) AS first_day, MAX(day) AS last_day "
            f"FROM {sql.name('purchase_lines')} GROUP BY customer_id, item",
        )
        customers = sql.scalar(f"SELECT COUNT(DISTINCT customer_id) FROM {sql.name('anchors')}")
        sql.create(
            "item_customers",
            f"SELECT item, COUNT(*) AS customers FROM {sql.name('anchors')} GROUP BY item",
        )
        sql.create(
            "repeats",
            "SELECT DISTINCT p.customer_id, p.item, p.day, a.first_day "
            f"FROM {sql.name('purchase_lines')} p JOIN {sql.name('anchors')} a "
            "ON a.customer_id = p.customer_id AND a.item = p.item "
            "WHERE a.last_day > a.first_day AND p.day > a.first_day",
        )
        rules = sql.table(_rules_sql(sql, customers, window_days, min_customers))
    return SequenceRules(
        rules=rules.cast(SEQUENCE_RULES_SCHEMA), customers=customers, window_days=window_days
    )


def likely_next_purchases(
    rules: pa.Table,
    history: Mapping[int, datetime.date],
    *,
    as_of: datetime.date,
    recent_days: int = 30,
    limit: int = 5,
    min_lift: float = 1.0,
) -> list[NextPurchase]:
    """What a customer is likely to buy next, from the rules of ``sequence_rules``.

    ``history`` maps each item the customer bought to the day of their last purchase of it.
    Every rule whose antecedent the customer bought and whose lift is at least ``min_lift``
    proposes its consequent, unless the customer bought it within ``recent_days`` days of
    ``as_of`` (on or after ``as_of - recent_days``). Each item appears once, with its most
    probable rule; items are ranked by probability, then lift, then item id.
    """
    if not history or rules.num_rows == 0 or limit <= 0:
        return []
    cutoff = as_of - datetime.timedelta(days=recent_days)
    bought = pa.array(sorted(history), pa.int64())
    recent = pa.array(
        sorted(item for item, day in history.items() if _day(day) >= cutoff), pa.int64()
    )
    keep = pc.and_(
        pc.and_(
            pc.is_in(rules["antecedent"], value_set=bought),
            pc.invert(pc.is_in(rules["consequent"], value_set=recent)),
        ),
        pc.greater_equal(rules["lift"], min_lift),
    )
    matched = rules.filter(keep)
    return [
        NextPurchase(
            item=row["consequent"],
            antecedent=row["antecedent"],
            probability=row["probability"],
            lift=row["lift"],
            customers=row["customers"],
        )
        for row in top_per_item(
            matched, item=matched["consequent"], keys=("probability", "lift"), limit=limit
        )
    ]


def _rules_sql(sql: SqlSession, customers: int, window_days: int, min_customers: int) -> str:
    frequent = f"SELECT item FROM {sql.name('item_customers')} WHERE customers >= {min_customers}"
    # B first bought after A's anchor: one row per customer, no grouping needed
    first_purchases = (
        "SELECT a.item AS antecedent, b.item AS consequent, b.first_day - a.first_day AS days "
        f"FROM {sql.name('anchors')} a JOIN {sql.name('anchors')} b "
        "ON b.customer_id = a.customer_id AND b.first_day > a.first_day "
        f"AND b.first_day <= a.first_day + {window_days} "
        f"WHERE a.item IN ({frequent}) AND b.item IN ({frequent})"
    )
    # B first bought on or before A's anchor, then again after it
    repeat_purchases = (
        "SELECT a.item AS antecedent, r.item AS consequent, MIN(r.day - a.first_day) AS days "
        f"FROM {sql.name('anchors')} a JOIN {sql.name('repeats')} r "
        "ON r.customer_id = a.customer_id AND r.item <> a.item "
        "AND r.first_day <= a.first_day AND r.day > a.first_day "
        f"AND r.day <= a.first_day + {window_days} "
        f"WHERE a.item IN ({frequent}) AND r.item IN ({frequent}) "
        "GROUP BY a.customer_id, a.item, r.item"
    )
    followed = f"{first_purchases} UNION ALL {repeat_purchases}"
    pairs = (
        "SELECT antecedent, consequent, COUNT(*) AS customers, "
        "AVG(CAST(days AS DOUBLE)) AS mean_days "
        f"FROM ({followed}) f GROUP BY antecedent, consequent "
        f"HAVING COUNT(*) >= {min_customers}"
    )
    total = f"CAST({customers} AS DOUBLE)"
    return (
        "SELECT p.antecedent, p.consequent, p.customers, "
        "a.customers AS antecedent_customers, c.customers AS consequent_customers, "
        "CAST(p.customers AS DOUBLE) / a.customers AS probability, "
        f"CAST(p.customers AS DOUBLE) / {total} AS support, "
        f"CAST(c.customers AS DOUBLE) / {total} AS base_rate, "
        f"CAST(p.customers AS DOUBLE) * {total} / (CAST(a.customers AS DOUBLE) * c.customers) "
        "AS lift, p.mean_days "
        f"FROM ({pairs}) p "
        f"JOIN {sql.name('item_customers')} a ON a.item = p.antecedent "
        f"JOIN {sql.name('item_customers')} c ON c.item = p.consequent "
        "ORDER BY p.antecedent, p.consequent"
    )


def _purchase_days(lines: pa.Table) -> pa.Table:
    """``(customer_id, day, item)`` without nulls, the day as days since 1970-01-01 (int32)."""
    ordered_at = lines["ordered_at"]
    if pa.types.is_timestamp(ordered_at.type):
        if ordered_at.type.tz is not None:
            ordered_at = pc.local_timestamp(ordered_at)
        ordered_at = pc.cast(ordered_at, pa.date32())
    elif pa.types.is_date64(ordered_at.type):
        ordered_at = pc.cast(ordered_at, pa.date32())
    elif not pa.types.is_date32(ordered_at.type):
        raise TypeError(f"ordered_at must be a timestamp or a date, not {ordered_at.type}")
    return pa.table(
        {
            "customer_id": pc.cast(lines["customer_id"], pa.int64()),
            "day": pc.cast(ordered_at, pa.int32()),
            "item": pc.cast(lines["item"], pa.int64()),
        }
    ).drop_null()


def _day(value: datetime.date) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
