"""KPIs per period and store: new and repeat customers, the KPI trees and the lifecycle."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pytest

from guanxi.analytics.kpi import CHANGE_MEASURES, KPI_SCHEMA, kpi_periods, period_starts
from guanxi.analytics.rfm import day_number
from guanxi.analytics.tests.test_rfm_data import orders_table

D = datetime.date
MAY, JULY_END = D(2024, 5, 1), D(2024, 7, 31)

FIGURES = [
    "sales",
    "new_customer_sales",
    "repeat_sales",
    "walk_in_sales",
    "transactions",
    "walk_in_transactions",
    "items",
    "average_ticket",
    "items_per_basket",
    "average_unit_price",
    "customers",
    "new_customers",
    "repeat_customers",
    "retained_customers",
    "reactivated_customers",
    "lapsed_customers",
]


def figures(row: dict) -> tuple:  # type: ignore[type-arg]
    return tuple(row[name] for name in FIGURES)


def test_months_of_all_stores() -> None:
    table = kpi_periods(orders_table(), by_store=False, start=MAY, end=JULY_END)

    assert table.schema == KPI_SCHEMA
    may, june, july = table.to_pylist()
    assert (may["store_id"], may["period"], may["period_end"]) == (None, MAY, D(2024, 5, 31))
    # May: customer 5's first order (40)
    assert figures(may) == (
        Decimal("40.00"), Decimal("40.00"), Decimal("0.00"), Decimal("0.00"), 1, 0, 1,
        40.0, 1.0, 40.0, 1, 1, 0, 0, 0, 0,
    )  # fmt: skip
    # June: 1 (150, last bought in March: reactivated), 5 (60, bought in May: retained),
    # 2 (80, first order: new) and a walk-in (25); items 2 + 2 + 4 + 1
    assert figures(june) == (
        Decimal("315.00"), Decimal("80.00"), Decimal("210.00"), Decimal("25.00"), 4, 1, 9,
        78.75, 2.25, 35.0, 3, 1, 2, 1, 1, 0,
    )  # fmt: skip
    # July: 2 again (30, retained) and 4's first order (70); 1 and 5 bought in June, not now
    assert figures(july) == (
        Decimal("100.00"), Decimal("70.00"), Decimal("30.00"), Decimal("0.00"), 2, 0, 2,
        50.0, 1.0, 50.0, 2, 1, 1, 1, 0, 2,
    )  # fmt: skip


def test_period_over_period_changes() -> None:
    may, june, july = kpi_periods(
        orders_table(), by_store=False, start=MAY, end=JULY_END
    ).to_pylist()

    # April had no sales: every change of May is null
    assert may["sales_previous"] == Decimal("0.00")
    assert all(may[f"{name}_change"] is None for name in CHANGE_MEASURES)
    assert june["sales_previous"] == Decimal("40.00")
    assert june["sales_change"] == 315 / 40 - 1
    assert june["repeat_sales_change"] is None  # no repeat sales in May
    assert june["average_ticket_change"] == 78.75 / 40 - 1
    assert june["items_per_basket_change"] == 1.25
    assert june["average_unit_price_change"] == -0.125
    assert july["transactions_previous"] == 4
    assert july["transactions_change"] == -0.5
    assert july["customers_change"] == 2 / 3 - 1
    assert july["new_customers_change"] == 0.0


def test_months_per_store() -> None:
    table = kpi_periods(orders_table(), start=D(2024, 6, 1), end=JULY_END)

    rows = {(row["store_id"], row["period"].month): figures(row) for row in table.to_pylist()}
    assert sorted(rows) == [(1, 6), (1, 7), (2, 6), (2, 7)]
    # store 1 in June: customer 1 (reactivated) and the walk-in
    assert rows[1, 6] == (
        Decimal("175.00"), Decimal("0.00"), Decimal("150.00"), Decimal("25.00"), 2, 1, 3,
        87.5, 1.5, 175 / 3, 1, 0, 1, 0, 1, 0,
    )  # fmt: skip
    # store 2 in June: 5 (retained: bought in May) and 2 (new)
    assert rows[2, 6] == (
        Decimal("140.00"), Decimal("80.00"), Decimal("60.00"), Decimal("0.00"), 2, 0, 6,
        70.0, 3.0, 140 / 6, 2, 1, 1, 1, 0, 0,
    )  # fmt: skip
    # July: store 1 has 4's first order and loses 1; store 2 keeps 2 and loses 5
    assert rows[1, 7] == (
        Decimal("70.00"), Decimal("70.00"), Decimal("0.00"), Decimal("0.00"), 1, 0, 1,
        70.0, 1.0, 70.0, 1, 1, 0, 0, 0, 1,
    )  # fmt: skip
    assert rows[2, 7] == (
        Decimal("30.00"), Decimal("0.00"), Decimal("30.00"), Decimal("0.00"), 1, 0, 1,
        30.0, 1.0, 30.0, 1, 0, 1, 1, 0, 1,
    )  # fmt: skip


def test_weeks_start_on_monday_in_local_time() -> None:
    table = kpi_periods(
        orders_table(), period="week", by_store=False, start=D(2024, 6, 24), end=D(2024, 7, 7)
    )

    first, second = table.to_pylist()
    # 2024-06-30 is a Sunday; the order at 00:30 on Monday 07-01 (still Sunday in UTC) starts
    # the next week
    assert (first["period"], first["period_end"]) == (D(2024, 6, 24), D(2024, 6, 30))
    assert (first["sales"], first["new_customers"], first["walk_in_sales"]) == (
        Decimal("105.00"),
        1,
        Decimal("25.00"),
    )
    assert (second["period"], second["period_end"]) == (D(2024, 7, 1), D(2024, 7, 7))
    assert (second["sales"], second["retained_customers"], second["new_customers"]) == (
        Decimal("100.00"),
        1,
        1,
    )
    assert second["lapsed_customers"] == 0  # 2 was the only customer of the week before


def test_days_fill_the_gaps_with_zeros() -> None:
    table = kpi_periods(
        orders_table(), period="day", by_store=False, start=D(2024, 6, 29), end=D(2024, 7, 1)
    )

    assert table["period"].to_pylist() == [D(2024, 6, 29), D(2024, 6, 30), D(2024, 7, 1)]
    assert table["sales"].to_pylist() == [Decimal("0.00"), Decimal("105.00"), Decimal("100.00")]
    assert table["average_ticket"].to_pylist() == [None, 52.5, 50.0]
    assert table["sales_change"].to_pylist() == [None, None, 100 / 105 - 1]


def test_the_whole_history_by_default() -> None:
    table = kpi_periods(orders_table(), by_store=False)

    # July 2023 to July 2024: thirteen months, the empty ones included
    assert table.num_rows == 13
    assert table["period"][0].as_py() == D(2023, 7, 1)
    assert table["period"][-1].as_py() == D(2024, 7, 1)
    assert sum(table["sales"].to_pylist()) == Decimal("2305.00")
    assert sum(table["new_customers"].to_pylist()) == 5


def test_no_orders() -> None:
    assert kpi_periods(orders_table().slice(0, 0)).num_rows == 0
    empty = kpi_periods(orders_table().slice(0, 0), by_store=False, start=MAY, end=JULY_END)
    assert empty.num_rows == 0  # no store to report on


def test_period_starts() -> None:
    days = np.array([day_number(D(2024, 2, 29)), day_number(D(1969, 12, 31))])

    assert period_starts(days, "week").tolist() == [
        day_number(D(2024, 2, 26)),
        day_number(D(1969, 12, 29)),
    ]
    assert period_starts(days, "month").tolist() == [
        day_number(D(2024, 2, 1)),
        day_number(D(1969, 12, 1)),
    ]
    with pytest.raises(ValueError, match="period"):
        period_starts(days, "year")


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_trees_and_lifecycle_add_up_on_random_orders(period: str) -> None:
    rng = np.random.default_rng(11)
    size = 600
    micros = (
        int(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC).timestamp()) * 1_000_000
        + rng.integers(0, 200 * 86_400, size) * 1_000_000
    )
    customer = rng.integers(1, 120, size)
    orders = pa.table(
        {
            "customer_id": pa.array(customer, pa.int64(), mask=rng.random(size) < 0.1),
            "store_id": pa.array(rng.integers(1, 4, size), pa.int64()),
            "ordered_at": pa.array(micros, pa.int64()).cast(pa.timestamp("us", "UTC")),
            "net_amount": pa.array(
                [Decimal(int(v)).scaleb(-2) for v in rng.integers(100, 90_000, size)],
                pa.decimal128(14, 2),
            ),
            "items": pa.array(rng.integers(1, 6, size), pa.int32()),
        }
    )

    stores = kpi_periods(orders, period=period)
    total = kpi_periods(orders, period=period, by_store=False)

    for row in stores.to_pylist() + total.to_pylist():
        assert row["sales"] == (
            row["new_customer_sales"] + row["repeat_sales"] + row["walk_in_sales"]
        )
        assert row["customers"] == (
            row["new_customers"] + row["retained_customers"] + row["reactivated_customers"]
        )
        assert row["repeat_customers"] == row["retained_customers"] + row["reactivated_customers"]
        if row["transactions"]:
            assert row["transactions"] * row["average_ticket"] == pytest.approx(float(row["sales"]))
            assert row["average_unit_price"] * row["items_per_basket"] == pytest.approx(
                row["average_ticket"]
            )
    assert sum(total["sales"].to_pylist()) == sum(orders["net_amount"].to_pylist())
    assert sum(total["transactions"].to_pylist()) == size
    assert sum(total["new_customers"].to_pylist()) == len(
        set(orders["customer_id"].drop_null().to_pylist())
    )
    # Customers per store and period, counted by hand: the distinct buyers, new in the period
    # of their first order anywhere, repeat in every later one.
    zone = ZoneInfo("Asia/Shanghai")
    days = [
        datetime.datetime.fromtimestamp(int(m) / 1_000_000, zone).date() for m in micros.tolist()
    ]
    starts = period_starts(np.array([day_number(day) for day in days]), period).tolist()
    customers = orders["customer_id"].to_pylist()
    first_period: dict[int, int] = {}
    for customer, start in zip(customers, starts, strict=True):
        if customer is not None:
            first_period[customer] = min(start, first_period.get(customer, start))
    expected: dict[tuple[int, int], tuple[set[int], set[int]]] = {}
    for customer, start, store in zip(
        customers, starts, orders["store_id"].to_pylist(), strict=True
    ):
        if customer is not None:
            new, repeat = expected.setdefault((store, start), (set(), set()))
            (new if first_period[customer] == start else repeat).add(customer)
    for row in stores.to_pylist():
        new, repeat = expected.get((row["store_id"], day_number(row["period"])), (set(), set()))
        assert (row["customers"], row["new_customers"], row["repeat_customers"]) == (
            len(new | repeat),
            len(new),
            len(repeat),
        )
    by_period: dict[datetime.date, Decimal] = {}
    for row in stores.to_pylist():
        by_period[row["period"]] = by_period.get(row["period"], Decimal(0)) + row["sales"]
    assert by_period == {row["period"]: row["sales"] for row in total.to_pylist()}
    # a customer leaves the whole business at most once between two periods
    assert all(
        row["lapsed_customers"] <= previous["customers"]
        for previous, row in zip(total.to_pylist(), total.to_pylist()[1:], strict=False)
    )
