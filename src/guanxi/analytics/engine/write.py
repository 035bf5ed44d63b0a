"""Writing the engine's results back, in bulk.

- **PostgreSQL**: ``TRUNCATE`` the metrics table, then one ``COPY ... FROM STDIN (FORMAT csv)``
  of the rows (written to CSV by Arrow) on Django's own connection, in one transaction: a page
  read during the refresh sees the previous run's rows until the commit.
- **SQLite file**: the rows, cast column by column as Django stores them, are loaded into a
  staging table by ADBC in a child process (``sqlite_reader.stage_sqlite_table``), then one
  transaction deletes the old rows, moves the staged ones with ``INSERT ... SELECT`` and drops
  the staging table.
- **SQLite in memory** (tests), or inside a caller's transaction: ``DELETE`` then
  ``executemany`` of ``INSERT``s in batches of :data:`SQLITE_BATCH` rows.

Rows of customers deleted since the read are dropped before the commit. The rules of the
customer page (``AssociationRule``) are replaced with ``bulk_create``.
"""

# The SQL is built from model metadata (table and column names); no user text reaches it.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connections, transaction

from guanxi.analytics.engine.sqlite_reader import stage_sqlite_table
from guanxi.analytics.models import AssociationRule, CustomerMetrics

SQLITE_BATCH = 20_000
COPY_CHUNK = 8 << 20
RULES_BATCH = 5_000


def _columns(metrics: pa.Table) -> list[str]:
    fields = {f.attname: str(f.column) for f in CustomerMetrics._meta.concrete_fields}
    return [fields[name] for name in [*metrics.column_names, "refreshed_at"]]


def _with_refreshed(metrics: pa.Table, refreshed_at: datetime.datetime) -> pa.Table:
    stamp = pa.array([refreshed_at] * metrics.num_rows, pa.timestamp("us", tz="UTC"))
    return metrics.append_column("refreshed_at", stamp)


def write_metrics(
    metrics: pa.Table,
    *,
    refreshed_at: datetime.datetime,
    alias: str = "default",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Replace every ``CustomerMetrics`` row with ``metrics``; returns the rows kept.

    PostgreSQL: ``TRUNCATE`` and ``COPY``. A SQLite file: the rows are loaded into a staging
    table by ADBC in a child process (Arrow straight into SQLite; never in this process, see
    ``sqlite_reader``), then moved by one ``INSERT ... SELECT`` in Django's transaction. SQLite
    in memory (tests): ``DELETE`` and batched ``executemany``.
    """
    connection = connections[alias]
    table = CustomerMetrics._meta.db_table
    customers = CustomerMetrics._meta.get_field("customer").related_model._meta.db_table  # type: ignore[union-attr]
    columns = _columns(metrics)
    data = _with_refreshed(metrics, refreshed_at)
    staging = None
    if (
        connection.vendor == "sqlite"
        and not connection.in_atomic_block  # the child would wait for our write lock
        and not connection.is_in_memory_db()  # type: ignore[attr-defined]
    ):
        staging = f"{table}_staging"
        prepared = pa.table(
            {
                column: _sqlite_column(data[name], connection)
                for column, name in zip(columns, data.column_names, strict=True)
            }
        )
        stage_sqlite_table(str(connection.settings_dict["NAME"]), staging, prepared)
    # TRUNCATE is refused in a transaction that still has deferred checks of earlier rows (a
    # caller's transaction that already wrote them); DELETE is not.
    clear = "DELETE FROM" if connection.in_atomic_block else "TRUNCATE"
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{clear} {table}")
            _copy(cursor, table, columns, data, progress)
        elif staging is not None:
            names = ", ".join(columns)
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging}")
            cursor.execute(f"DROP TABLE {staging}")
            if progress is not None:
                progress(data.num_rows)
        else:
            cursor.execute(f"DELETE FROM {table}")
            _insert_many(cursor, connection, table, columns, data, progress)
        cursor.execute(_orphans_sql(table, customers))
        dropped = max(cursor.rowcount, 0)
    return data.num_rows - dropped


def _orphans_sql(table: str, customers: str) -> str:
    """Rows of customers deleted since the read."""
    return (
        f"DELETE FROM {table} WHERE NOT EXISTS "
        f"(SELECT 1 FROM {customers} c WHERE c.id = {table}.customer_id)"
    )


def _sqlite_column(column: pa.ChunkedArray, connection: Any) -> pa.Array | pa.ChunkedArray:
    """A column as SQLite stores it for Django: money and dates as text, flags as integers."""
    kind = column.type
    if pa.types.is_decimal(kind) or pa.types.is_date(kind):
        return column.cast(pa.string())
    if pa.types.is_boolean(kind):
        return column.cast(pa.int64())
    if pa.types.is_timestamp(kind):
        stamp = connection.ops.adapt_datetimefield_value(column[0].as_py()) if len(column) else ""
        return pa.array([stamp] * len(column), pa.string())
    return column


def _copy(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    data: pa.Table,
    progress: Callable[[int], None] | None,
) -> None:
    buffer = io.BytesIO()
    pacsv.write_csv(data, buffer, pacsv.WriteOptions(include_header=False))
    payload = buffer.getbuffer()
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    with cursor.cursor.copy(sql) as copy:
        for start in range(0, len(payload), COPY_CHUNK):
            copy.write(payload[start : start + COPY_CHUNK])
    del payload
    if progress is not None:
        progress(data.num_rows)


def _sqlite_values(data: pa.Table, connection: Any) -> list[list[Any]]:
    """Each column as a list of values SQLite stores as Django does."""
    return [_sqlite_column(data[name], connection).to_pylist() for name in data.column_names]


def _insert_many(
    cursor: Any,
    connection: Any,
    table: str,
    columns: Sequence[str],
    data: pa.Table,
    progress: Callable[[int], None] | None,
) -> None:
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    done = 0
    for batch in _batches(data, SQLITE_BATCH):
        cursor.executemany(sql, zip(*_sqlite_values(batch, connection), strict=True))
        done += batch.num_rows
        if progress is not None:
            progress(done)


def _batches(data: pa.Table, size: int) -> Iterator[pa.Table]:
    for start in range(0, data.num_rows, size):
        yield data.slice(start, size)


def antecedent_key(items: Sequence[int]) -> str:
    return ",".join(str(item) for item in sorted(items))


def write_rules(rules: Sequence[dict[str, Any]], *, alias: str = "default") -> int:
    """Replace every ``AssociationRule`` with ``rules``."""
    with transaction.atomic(using=alias):
        AssociationRule.objects.using(alias).all().delete()
        AssociationRule.objects.using(alias).bulk_create(
            (
                AssociationRule(
                    kind=rule["kind"],
                    level=rule["level"],
                    antecedent=sorted(rule["antecedent"]),
                    antecedent_key=antecedent_key(rule["antecedent"]),
                    consequent=rule["consequent"],
                    support=rule["support"],
                    confidence=rule["confidence"],
                    lift=rule["lift"],
                    probability=rule["probability"],
                    window_days=rule["window_days"],
                    count=rule["count"],
                )
                for rule in rules
            ),
            batch_size=RULES_BATCH,
        )
    return len(rules)
