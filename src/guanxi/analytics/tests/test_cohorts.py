"""The retention matrix on a hand-made order history, and its sums on random ones."""

from __future__ import annotations

import datetime
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from guanxi.analytics.cohorts import (
    RETENTION_SCHEMA,
    local_dates,
    retention_grid,
    retention_matrix,
)

UTC = datetime.UTC
D = datetime.date


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


# (customer, ordered_at in UTC, net amount); Shanghai is UTC+8.
HISTORY = [
    (1, at(2024, 1, 5, 2), "100.00"),
    (1, at(2024, 1, 20, 2), "50.00"),
    (1, at(2024, 3, 2, 2), "30.00"),
    (2, at(2024, 1, 31, 15, 30), "40.00"),  # 23:30 on 31 January in Shanghai
    (2, at(2024, 1, 31, 16, 30), "60.00"),  # 00:30 on 1 February in Shanghai: month 1
    (3, at(2024, 2, 10, 2), "200.00"),
    (3, at(2024, 2, 11, 2), "-20.00"),  # a return
    (4, at(2024, 3, 31, 16, 30), "80.00"),  # 1 April in Shanghai, 31 March in UTC
    (None, at(2024, 1, 10, 2), "999.00"),  # a walk-in: not in any cohort
]


def orders_of(rows) -> pa.Table:
    return pa.table(
        {
            "order_id": pa.array(range(1, len(rows) + 1), pa.int64()),
            "customer_id": pa.array([row[0] for row in rows], pa.int64()),
            "store_id": pa.array([1] * len(rows), pa.int64()),
            "ordered_at": pa.array([row[1] for row in rows], pa.timestamp("us", tz="UTC")),
            "net_amount": pa.array([Decimal(row[2]) for row in rows], pa.decimal128(14, 2)),
        }
    )


def figures(table: pa.Table) -> list[tuple]:
    return [
        (
            row["cohort_month"],
            row["months_since"],
            row["cohort_size"],
            row["active_customers"],
            row["orders"],
            row["revenue"],
        )
        for row in table.to_pylist()
    ]


def test_retention_matrix_by_hand() -> None:
    matrix = retention_matrix(orders_of(HISTORY))

    assert matrix.cells.schema == RETENTION_SCHEMA
    assert figures(matrix.cells) == [
        (D(2024, 1, 1), 0, 2, 2, 3, Decimal("190.00")),
        (D(2024, 1, 1), 1, 2, 1, 1, Decimal("60.00")),
        (D(2024, 1, 1), 2, 2, 1, 1, Decimal("30.00")),
        (D(2024, 1, 1), 3, 2, 0, 0, Decimal("0.00")),
        (D(2024, 2, 1), 0, 1, 1, 2, Decimal("180.00")),
        (D(2024, 2, 1), 1, 1, 0, 0, Decimal("0.00")),
        (D(2024, 2, 1), 2, 1, 0, 0, Decimal("0.00")),
        (D(2024, 4, 1), 0, 1, 1, 1, Decimal("80.00")),
    ]
    assert matrix.cells["retention"].to_pylist() == [1.0, 0.5, 0.5, 0.0, 1.0, 0.0, 0.0, 1.0]
    assert matrix.cells["revenue_retention"].to_pylist() == pytest.approx(
        [1.0, 60 / 190, 30 / 190, 0.0, 1.0, 0.0, 0.0, 1.0]
    )
    assert matrix.customers == 4
    assert matrix.revenue == Decimal("540.00")
    assert sum(row[5] for row in figures(matrix.cells)) == Decimal("540.00")


def test_periods_use_the_local_dates_of_the_time_zone() -> None:
    matrix = retention_matrix(orders_of(HISTORY), tz="UTC")

    assert figures(matrix.cells) == [
        (D(2024, 1, 1), 0, 2, 2, 4, Decimal("250.00")),
        (D(2024, 1, 1), 1, 2, 0, 0, Decimal("0.00")),
        (D(2024, 1, 1), 2, 2, 1, 1, Decimal("30.00")),
        (D(2024, 2, 1), 0, 1, 1, 2, Decimal("180.00")),
        (D(2024, 2, 1), 1, 1, 0, 0, Decimal("0.00")),
        (D(2024, 3, 1), 0, 1, 1, 1, Decimal("80.00")),
    ]


def test_max_months_and_the_grid() -> None:
    matrix = retention_matrix(orders_of(HISTORY), max_months=1)

    assert [(row[0], row[1]) for row in figures(matrix.cells)] == [
        (D(2024, 1, 1), 0),
        (D(2024, 1, 1), 1),
        (D(2024, 2, 1), 0),
        (D(2024, 2, 1), 1),
        (D(2024, 4, 1), 0),
    ]
    months, grid = retention_grid(matrix.cells)
    assert months == [D(2024, 1, 1), D(2024, 2, 1), D(2024, 4, 1)]
    np.testing.assert_array_equal(grid, [[1.0, 0.5], [1.0, 0.0], [1.0, np.nan]])


def test_empty_and_walk_in_only_orders() -> None:
    empty = retention_matrix(orders_of([(None, at(2024, 1, 1), "10.00")]))

    assert empty.cells.num_rows == 0
    assert empty.cells.schema == RETENTION_SCHEMA
    assert empty.customers == 0


def test_runs_in_a_given_connection_and_cleans_up() -> None:
    connection = duckdb.connect()
    retention_matrix(orders_of(HISTORY), connection=connection)

    assert connection.sql("SELECT COUNT(*) FROM duckdb_tables() WHERE temporary").fetchall() == [
        (0,)
    ]


def test_local_dates_of_naive_timestamps_and_dates() -> None:
    naive = pa.array([datetime.datetime(2024, 1, 31, 23, 30)], pa.timestamp("s"))
    assert local_dates(naive).to_pylist() == [D(2024, 1, 31)]
    assert local_dates(pa.array([D(2024, 2, 1)])).to_pylist() == [D(2024, 2, 1)]
    with pytest.raises(TypeError):
        local_dates(pa.array([1]))


def test_sums_on_random_orders() -> None:
    rng = np.random.default_rng(7)
    size = 3000
    customers = rng.integers(1, 400, size)
    start = datetime.datetime(2023, 1, 1, tzinfo=UTC)
    seconds = rng.integers(0, 730 * 86400, size)
    amounts = rng.integers(-5000, 60000, size)
    rows = [
        (
            None if customer % 17 == 0 else int(customer),
            start + datetime.timedelta(seconds=int(second)),
            f"{amount / 100:.2f}",
        )
        for customer, second, amount in zip(customers, seconds, amounts, strict=True)
    ]
    orders = orders_of(rows)
    matrix = retention_matrix(orders)
    cells = matrix.cells.to_pylist()

    with_customer = [row for row in rows if row[0] is not None]
    assert matrix.revenue == sum(Decimal(row[2]) for row in with_customer)
    assert sum(cell["revenue"] for cell in cells) == matrix.revenue
    assert sum(cell["orders"] for cell in cells) == len(with_customer)
    month_zero = [cell for cell in cells if cell["months_since"] == 0]
    assert all(cell["active_customers"] == cell["cohort_size"] for cell in month_zero)
    assert sum(cell["cohort_size"] for cell in month_zero) == matrix.customers
    assert matrix.customers == len({row[0] for row in with_customer})
    assert all(0 <= cell["active_customers"] <= cell["cohort_size"] for cell in cells)
