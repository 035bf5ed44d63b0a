"""Basket analysis: frequent itemsets and association rules, computed with DuckDB SQL.

``basket_rules(lines, min_support=...)`` takes the lines of the baskets as an Arrow table of
``(basket_id int64, item int64)`` and returns the frequent itemsets and the association rules
between them, with the figures of mlxtend's ``fpgrowth`` + ``association_rules``. An item is
whatever the caller puts in the ``item`` column: a product id, or a category id for the rules
between categories (map the lines to categories first). An item bought twice in a basket counts
once; rows with a null basket or item are ignored.

Definitions, with ``N`` the number of baskets and ``n(X)`` the number of baskets holding every
item of the itemset ``X``:

- ``support(X) = n(X) / N``; an itemset is frequent when ``support(X) >= min_support``, computed
  in floating point as mlxtend's final filter does. (mlxtend also prunes its conditional trees
  with ``ceil(min_support * N)``, which in floating point can exceed the right count: at
  ``min_support=0.28`` and ``N=25`` it asks for 8 baskets, not 7. Itemsets of two or more
  items whose support equals ``min_support`` exactly can then be missing from mlxtend's
  result; they are never missing here.)
- a rule ``A -> C`` splits a frequent itemset of two or more items into two non-empty parts, in
  every possible way, like mlxtend's ``association_rules``. ``confidence = n(AC) / n(A)``,
  ``lift = confidence / support(C)``, ``leverage = support(AC) - support(A) * support(C)``,
  ``conviction = (1 - support(C)) / (1 - confidence)`` (infinite when the confidence is 1).
  Each figure is computed from the integer counts with a single division, so it is the correctly
  rounded value of the exact fraction (while the counts stay below 2**53).

The computation is Apriori, level by level, in plain SQL: the frequent single items, then the
pairs of frequent items counted over the baskets (a self-join of the lines kept after pruning),
then the triples whose three pairs are all frequent, and so on up to ``max_len``. Each level
keeps only the occurrences of its frequent itemsets in the baskets, so memory follows the
frequent patterns, not all the combinations of the lines.

**Spark SQL.** Every statement in ``_LevelSql`` and ``_rules_sql`` is a plain ``SELECT`` (joins,
``GROUP BY ... HAVING``, ``IN`` subqueries, ``UNION ALL``, ``CASE``, ``CAST``) that Spark SQL runs
unchanged. The only DuckDB-specific parts are around them: each result is kept with
``CREATE TEMP TABLE name AS <select>`` (on Spark: ``CACHE TABLE name AS <select>`` or
``createOrReplaceTempView``), and the input is registered from Arrow. The infinite conviction is
``CAST('Infinity' AS DOUBLE)``, which DuckDB, Spark and PostgreSQL all read.
"""

# The SQL is assembled from this module's own table and column names and from numbers it has
# checked; no text from users reaches it.
# ruff: noqa: S608

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ITEMSETS_SCHEMA = pa.schema(
    [
        pa.field("itemset", pa.list_(pa.int64()), nullable=False),
        pa.field("size", pa.int32(), nullable=False),
        pa.field("count", pa.int64(), nullable=False),
        pa.field("support", pa.float64(), nullable=False),
    ]
)
RULES_SCHEMA = pa.schema(
    [
        pa.field("antecedent", pa.list_(pa.int64()), nullable=False),
        pa.field("consequent", pa.list_(pa.int64()), nullable=False),
        pa.field("count", pa.int64(), nullable=False),
        pa.field("antecedent_support", pa.float64(), nullable=False),
        pa.field("consequent_support", pa.float64(), nullable=False),
        pa.field("support", pa.float64(), nullable=False),
        pa.field("confidence", pa.float64(), nullable=False),
        pa.field("lift", pa.float64(), nullable=False),
        pa.field("leverage", pa.float64(), nullable=False),
        pa.field("conviction", pa.float64(), nullable=False),
    ]
)

_PREFIX = "guanxi_rules_"  # of the temporary tables


@dataclass(frozen=True)
class BasketRules:
    """The result of ``basket_rules``.

    ``itemsets``: ``itemset`` (the items, ascending), ``size``, ``count`` (baskets holding them
    all) and ``support``, ordered by size, then items. ``rules``: ``antecedent``, ``consequent``
    (items ascending), ``count`` (baskets holding both), ``antecedent_support``,
    ``consequent_support``, ``support``, ``confidence``, ``lift``, ``leverage``, ``conviction``,
    ordered by itemset size, antecedent size, antecedent, then consequent. ``baskets`` is ``N``;
    ``min_count`` the smallest count that reaches ``min_support``.
    """

    itemsets: pa.Table
    rules: pa.Table
    baskets: int
    min_count: int


@dataclass(frozen=True)
class Suggestion:
    """An item suggested by an association rule whose antecedent the customer has bought."""

    item: int
    antecedent: tuple[int, ...]
    confidence: float
    lift: float
    support: float


def basket_rules(
    lines: pa.Table,
    *,
    min_support: float,
    min_confidence: float = 0.0,
    max_len: int | None = 3,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> BasketRules:
    """Frequent itemsets of up to ``max_len`` items (``None``: no limit) and their rules.

    ``lines`` has the integer columns ``basket_id`` and ``item``. ``min_support`` is a fraction
    of the baskets in ``(0, 1]``; rules below ``min_confidence`` are left out. The work runs in
    ``connection`` (a new in-memory DuckDB database when ``None``) in temporary tables that are
    dropped at the end.
    """
    if not 0.0 < min_support <= 1.0:
        raise ValueError(f"min_support must be in (0, 1], got {min_support!r}")
    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"min_confidence must be in [0, 1], got {min_confidence!r}")
    if max_len is not None and max_len < 1:
        raise ValueError(f"max_len must be at least 1, got {max_len!r}")
    with sql_session(connection) as sql:
        sql.register("lines", _basket_lines(lines))
        sql.create(
            "baskets",
            f"SELECT DISTINCT basket_id, item FROM {sql.name('lines')} "
            "WHERE basket_id IS NOT NULL AND item IS NOT NULL",
        )
        baskets = sql.scalar(f"SELECT COUNT(DISTINCT basket_id) FROM {sql.name('baskets')}")
        count = min_basket_count(min_support, baskets)
        levels = _frequent_itemsets(sql, count, max_len)
        itemsets = _itemsets(sql, levels, baskets)
        rules = _rules(sql, levels, baskets, min_confidence)
    return BasketRules(itemsets=itemsets, rules=rules, baskets=baskets, min_count=count)


def min_basket_count(min_support: float, baskets: int) -> int:
    """The smallest count ``c >= 1`` with ``c / baskets >= min_support`` in floating point."""
    count = max(1, math.ceil(min_support * baskets))
    while count > 1 and (count - 1) / baskets >= min_support:
        count -= 1
    while baskets and count / baskets < min_support:
        count += 1
    return count


def often_bought_together(
    rules: pa.Table,
    items: Iterable[int],
    *,
    limit: int = 5,
    min_lift: float = 1.0,
) -> list[Suggestion]:
    """Items that baskets holding what the customer bought often hold too.

    Uses the rules of ``basket_rules`` whose antecedent the customer has bought entirely
    (``items``), whose consequent is one item the customer has not bought, and whose lift is at
    least ``min_lift``. Each item appears once, with its most confident rule; items are ranked by
    confidence, then lift, then item id.
    """
    owned = pa.array(sorted(set(items)), pa.int64())
    if len(owned) == 0 or rules.num_rows == 0 or limit <= 0:
        return []
    consequent = rules["consequent"].combine_chunks()
    single = pc.equal(pc.list_value_length(consequent), 1)
    candidates = rules.filter(pc.and_(single, pc.greater_equal(rules["lift"], min_lift)))
    item = pc.list_flatten(candidates["consequent"].combine_chunks())
    candidates = candidates.filter(pc.invert(pc.is_in(item, value_set=owned)))
    if candidates.num_rows == 0:
        return []
    antecedent = candidates["antecedent"].combine_chunks()
    missing = pc.invert(pc.is_in(pc.list_flatten(antecedent), value_set=owned))
    parents = pc.list_parent_indices(antecedent).to_numpy()
    unmet = np.bincount(
        parents, weights=missing.to_numpy(zero_copy_only=False), minlength=candidates.num_rows
    )
    matched = candidates.filter(pa.array(unmet == 0))
    return [
        Suggestion(
            item=row["consequent"][0],
            antecedent=tuple(row["antecedent"]),
            confidence=row["confidence"],
            lift=row["lift"],
            support=row["support"],
        )
        for row in top_per_item(
            matched,
            item=pc.list_flatten(matched["consequent"].combine_chunks()),
            keys=("confidence", "lift"),
            limit=limit,
        )
    ]


def top_per_item(
    table: pa.Table, *, item: pa.Array | pa.ChunkedArray, keys: Sequence[str], limit: int
) -> list[dict[str, Any]]:
    """The first ``limit`` rows of ``table`` by ``keys`` descending, one per ``item``."""
    if table.num_rows == 0:
        return []
    item_ids = np.asarray(item.to_numpy(zero_copy_only=False))
    # np.lexsort sorts by the last key first: item id ascending breaks the ties.
    order = np.lexsort(
        [item_ids] + [-table[key].to_numpy(zero_copy_only=False) for key in reversed(keys)]
    )
    _, first = np.unique(item_ids[order], return_index=True)
    chosen = order[np.sort(first)][:limit]
    rows: list[dict[str, Any]] = table.take(pa.array(chosen, pa.int64())).to_pylist()
    return rows


# --- SQL -------------------------------------------------------------------------------------


def _frequent_itemsets(sql: SqlSession, min_count: int, max_len: int | None) -> int:
    """Create the tables ``level1..levelK`` of the frequent itemsets; return ``K``."""
    steps = _LevelSql(sql.name, min_count)
    sql.create("level1", steps.singles())
    frequent = sql.count("level1")
    if frequent == 0:
        return 0
    if max_len == 1:
        return 1
    if frequent < sql.scalar(f"SELECT COUNT(DISTINCT item) FROM {sql.name('baskets')}"):
        sql.create("occurrences1", steps.single_occurrences())
        sql.drop("baskets")
    else:  # every item is frequent: the lines are the occurrences
        sql.rename("baskets", "occurrences1", column_renames={"item": "i1"})
    k = 1
    while True:
        k += 1
        last = max_len is not None and k >= max_len
        if last:  # counted on the fly: the occurrences of the last level are never needed
            sql.create(f"level{k}", steps.count(k, f"({steps.found(k)}) x"))
        else:
            sql.create(f"found{k}", steps.found(k))
            sql.create(f"level{k}", steps.count(k, sql.name(f"found{k}")))
        sql.drop(f"occurrences{k - 1}")
        if k > 2:
            sql.drop(f"candidates{k}")
        if sql.count(f"level{k}") == 0:
            sql.drop(f"found{k}")
            return k - 1
        if last:
            return k
        sql.create(f"candidates{k + 1}", steps.candidates(k + 1))
        if sql.count(f"candidates{k + 1}") == 0:
            sql.drop(f"found{k}")
            return k
        sql.create(f"occurrences{k}", steps.occurrences(k))
        sql.drop(f"found{k}")


class _LevelSql:
    """The statements of the Apriori levels; columns ``i1 < i2 < ... < ik`` hold the items.

    - ``level{k}`` (``i1..ik``, ``n``): the frequent itemsets of ``k`` items and their counts;
    - ``occurrences1`` (``basket_id``, ``i1``): the lines of the frequent items;
    - ``candidates{k}`` (``i1..ik``, k >= 3): the itemsets all of whose subsets of ``k - 1``
      items are frequent, each the union of two frequent itemsets sharing their first ``k - 2``
      items (its two generators);
    - ``found{k}`` (``basket_id``, ``i1..ik``): the baskets holding each candidate of ``k``
      items (every pair of frequent items for ``k = 2``), found by joining the occurrences of
      its two generators in the same basket;
    - ``occurrences{k}``: the rows of ``found{k}`` whose itemset is frequent and generates a
      candidate of ``k + 1`` items, the only ones the next level joins.
    """

    def __init__(self, name: _Namer, min_count: int) -> None:
        self.name = name
        self.min_count = min_count

    def singles(self) -> str:
        return (
            f"SELECT item AS i1, COUNT(*) AS n FROM {self.name('baskets')} "
            f"GROUP BY item HAVING COUNT(*) >= {self.min_count}"
        )

    def single_occurrences(self) -> str:
        return (
            f"SELECT basket_id, item AS i1 FROM {self.name('baskets')} "
            f"WHERE item IN (SELECT i1 FROM {self.name('level1')})"
        )

    def found(self, k: int) -> str:
        """The baskets holding each candidate of ``k`` items: ``(basket_id, i1..ik)``."""
        on = " AND ".join(
            ["y.basket_id = x.basket_id"]
            + [f"y.i{j} = x.i{j}" for j in range(1, k - 1)]
            + [f"y.i{k - 1} > x.i{k - 1}"]
        )
        sql = (
            f"SELECT x.basket_id, {_columns('x', k - 1)}, y.i{k - 1} AS i{k} "
            f"FROM {self.name(f'occurrences{k - 1}')} x "
            f"JOIN {self.name(f'occurrences{k - 1}')} y ON {on}"
        )
        if k >= 3:
            matches = " AND ".join(
                [f"c.i{j} = x.i{j}" for j in range(1, k)] + [f"c.i{k} = y.i{k - 1}"]
            )
            sql += f" JOIN {self.name(f'candidates{k}')} c ON {matches}"
        return sql

    def count(self, k: int, source: str) -> str:
        return (
            f"SELECT {_names(k)}, COUNT(*) AS n FROM {source} "
            f"GROUP BY {_names(k)} HAVING COUNT(*) >= {self.min_count}"
        )

    def candidates(self, k: int) -> str:
        previous = self.name(f"level{k - 1}")
        shared = " AND ".join(
            [f"q.i{j} = p.i{j}" for j in range(1, k - 1)] + [f"q.i{k - 1} > p.i{k - 1}"]
        )
        candidate = [f"p.i{j}" for j in range(1, k)] + [f"q.i{k - 1}"]
        joins = []
        for dropped in range(k - 2):  # the subsets without item k-1 or k are p and q
            subset = candidate[:dropped] + candidate[dropped + 1 :]
            on = " AND ".join(f"s{dropped}.i{j + 1} = {c}" for j, c in enumerate(subset))
            joins.append(f"JOIN {previous} s{dropped} ON {on}")
        return (
            f"SELECT {_columns('p', k - 1)}, q.i{k - 1} AS i{k} FROM {previous} p "
            f"JOIN {previous} q ON {shared} " + " ".join(joins)
        )

    def occurrences(self, k: int) -> str:
        candidates = self.name(f"candidates{k + 1}")
        generators = (
            f"SELECT {_names(k)} FROM {candidates} UNION "
            f"SELECT {_names(k - 1) + ', ' if k > 1 else ''}i{k + 1} FROM {candidates}"
        )
        on = " AND ".join(f"g.i{j} = f.i{j}" for j in range(1, k + 1))
        return (
            f"SELECT f.basket_id, {_columns('f', k)} FROM {self.name(f'found{k}')} f "
            f"JOIN ({generators}) g ON {on}"
        )


def _itemsets(sql: SqlSession, levels: int, baskets: int) -> pa.Table:
    if levels == 0:
        return ITEMSETS_SCHEMA.empty_table()
    parts = [
        f"SELECT {k} AS size, {_padded('', k, levels)}, n, CAST(n AS DOUBLE) / {baskets} "
        f"AS support FROM {sql.name(f'level{k}')}"
        for k in range(1, levels + 1)
    ]
    order = ", ".join(f"i{j}" for j in range(1, levels + 1))
    table = sql.table(" UNION ALL ".join(parts) + f" ORDER BY size, {order}")
    sizes = table["size"].to_numpy().astype(np.int32)
    return pa.Table.from_arrays(
        [
            _pack(table, [f"i{j}" for j in range(1, levels + 1)], sizes),
            pa.array(sizes, pa.int32()),
            table["n"],
            table["support"],
        ],
        schema=ITEMSETS_SCHEMA,
    )


def _rules(sql: SqlSession, levels: int, baskets: int, min_confidence: float) -> pa.Table:
    if levels < 2:
        return RULES_SCHEMA.empty_table()
    width = levels - 1
    table = sql.table(_rules_sql(sql.name, levels, baskets, min_confidence))
    antecedent_sizes = table["antecedent_size"].to_numpy().astype(np.int32)
    sizes = table["size"].to_numpy().astype(np.int32)
    return pa.Table.from_arrays(
        [
            _pack(table, [f"a{j}" for j in range(1, width + 1)], antecedent_sizes),
            _pack(table, [f"c{j}" for j in range(1, width + 1)], sizes - antecedent_sizes),
            table["n"],
            *(table[name] for name in RULES_SCHEMA.names[3:]),
        ],
        schema=RULES_SCHEMA,
    )


def _rules_sql(name: _Namer, levels: int, baskets: int, min_confidence: float) -> str:
    """Every split of every frequent itemset of 2..levels items, with the rule's figures."""
    width = levels - 1
    splits = []
    for k in range(2, levels + 1):
        for size in range(1, k):
            for antecedent in combinations(range(1, k + 1), size):
                consequent = [j for j in range(1, k + 1) if j not in antecedent]
                a_on = " AND ".join(f"a.i{j + 1} = s.i{i}" for j, i in enumerate(antecedent))
                c_on = " AND ".join(f"c.i{j + 1} = s.i{i}" for j, i in enumerate(consequent))
                splits.append(
                    f"SELECT {k} AS size, {size} AS antecedent_size, "
                    f"{_padded('s.', [f'i{i}' for i in antecedent], width, 'a')}, "
                    f"{_padded('s.', [f'i{i}' for i in consequent], width, 'c')}, "
                    "s.n AS n, a.n AS n_a, c.n AS n_c "
                    f"FROM {name(f'level{k}')} s "
                    f"JOIN {name(f'level{size}')} a ON {a_on} "
                    f"JOIN {name(f'level{k - size}')} c ON {c_on}"
                )
    big_n = f"CAST({baskets} AS DOUBLE)"
    order = ", ".join(
        [f"a{j}" for j in range(1, width + 1)] + [f"c{j}" for j in range(1, width + 1)]
    )
    return (
        "SELECT size, antecedent_size, "
        + ", ".join(f"a{j}, c{j}" for j in range(1, width + 1))
        + ", n, "
        f"CAST(n_a AS DOUBLE) / {big_n} AS antecedent_support, "
        f"CAST(n_c AS DOUBLE) / {big_n} AS consequent_support, "
        f"CAST(n AS DOUBLE) / {big_n} AS support, "
        "CAST(n AS DOUBLE) / n_a AS confidence, "
        f"CAST(n AS DOUBLE) * {big_n} / (CAST(n_a AS DOUBLE) * n_c) AS lift, "
        f"(CAST(n AS DOUBLE) * {big_n} - CAST(n_a AS DOUBLE) * n_c) / ({big_n} * {big_n}) "
        "AS leverage, "
        f"CASE WHEN n < n_a THEN CAST({baskets} - n_c AS DOUBLE) * n_a / ({big_n} * (n_a - n)) "
        "ELSE CAST('Infinity' AS DOUBLE) END AS conviction "
        f"FROM ({' UNION ALL '.join(splits)}) r "
        f"WHERE CAST(n AS DOUBLE) / n_a >= {float(min_confidence)!r} "
        f"ORDER BY size, antecedent_size, {order}"
    )


def _names(k: int) -> str:
    return ", ".join(f"i{j}" for j in range(1, k + 1))


def _columns(alias: str, k: int) -> str:
    return ", ".join(f"{alias}.i{j}" for j in range(1, k + 1))


def _padded(alias: str, columns: int | Sequence[str], width: int, prefix: str = "i") -> str:
    """``columns`` (or ``i1..i{columns}``) as ``{prefix}1..{prefix}{width}``, nulls after."""
    names = [f"i{j}" for j in range(1, columns + 1)] if isinstance(columns, int) else columns
    parts = [f"{alias}{column} AS {prefix}{j + 1}" for j, column in enumerate(names)]
    parts += [f"CAST(NULL AS BIGINT) AS {prefix}{j}" for j in range(len(names) + 1, width + 1)]
    return ", ".join(parts)


def _pack(table: pa.Table, columns: Sequence[str], sizes: np.ndarray) -> pa.ListArray:
    """The first ``sizes[r]`` of ``columns`` of each row ``r`` as one list of items."""
    values = np.column_stack(
        [pc.fill_null(table[column], 0).to_numpy().astype(np.int64) for column in columns]
    ).reshape(table.num_rows, len(columns))
    keep = np.arange(len(columns))[np.newaxis, :] < sizes[:, np.newaxis]
    offsets = np.zeros(table.num_rows + 1, np.int32)
    np.cumsum(sizes, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values[keep], pa.int64()))


def _basket_lines(lines: pa.Table) -> pa.Table:
    return pa.table(
        {
            "basket_id": pc.cast(lines["basket_id"], pa.int64()),
            "item": pc.cast(lines["item"], pa.int64()),
        }
    )


# --- DuckDB session ------------------------------------------------------------------------


class _Namer:
    """Table names prefixed per call, so that a shared connection is not cluttered."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, table: str) -> str:
        return f"{self.prefix}{table}"


class SqlSession:
    def __init__(self, connection: duckdb.DuckDBPyConnection, prefix: str) -> None:
        self.connection = connection
        self.name = _Namer(prefix)
        self.tables: list[str] = []
        self.views: list[str] = []

    def register(self, table: str, data: pa.Table) -> None:
        self.connection.register(self.name(table), data)
        self.views.append(self.name(table))

    def create(self, table: str, select: str) -> None:
        self.connection.execute(f"CREATE OR REPLACE TEMP TABLE {self.name(table)} AS {select}")
        self.tables.append(self.name(table))

    def rename(self, table: str, new: str, *, column_renames: dict[str, str]) -> None:
        """Rename ``table`` to ``new`` (DuckDB's ``ALTER TABLE``; Spark: a view)."""
        for column, name in column_renames.items():
            self.connection.execute(
                f"ALTER TABLE {self.name(table)} RENAME COLUMN {column} TO {name}"
            )
        self.connection.execute(f"ALTER TABLE {self.name(table)} RENAME TO {self.name(new)}")
        self.tables[self.tables.index(self.name(table))] = self.name(new)

    def drop(self, table: str) -> None:
        if self.name(table) in self.tables:
            self.connection.execute(f"DROP TABLE {self.name(table)}")
            self.tables.remove(self.name(table))

    def count(self, table: str) -> int:
        return self.scalar(f"SELECT COUNT(*) FROM {self.name(table)}")

    def scalar(self, select: str) -> int:
        rows = self.connection.sql(select).fetchall()
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    def table(self, select: str) -> pa.Table:
        result: pa.Table = self.connection.sql(select).to_arrow_table()
        return result

    def close(self) -> None:
        for table in reversed(self.tables):
            self.connection.execute(f"DROP TABLE IF EXISTS {table}")
        for view in self.views:
            self.connection.unregister(view)


@contextmanager
def sql_session(connection: duckdb.DuckDBPyConnection | None) -> Iterator[SqlSession]:
    own = connection is None
    active = duckdb.connect() if connection is None else connection
    session = SqlSession(active, _PREFIX)
    try:
        yield session
    finally:
        if own:
            active.close()
        else:
            session.close()
