"""The customer summary, RFM scores and the R×F grid on a hand-made data set, in both engines."""

from __future__ import annotations

import datetime
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from guanxi.analytics import rfm
from guanxi.analytics.rfm import (
    CELLS,
    GRID_CELLS_SCHEMA,
    SCORES_SCHEMA,
    SUMMARY_SCHEMA,
    Engine,
    RecencyThresholds,
    customer_summary,
    rf_grid,
    rfm_analysis,
    rfm_scores,
)
from guanxi.analytics.tests.test_rfm_data import AS_OF, orders_table

D = datetime.date
ENGINES = pytest.mark.parametrize("engine", ["numpy", "sql"])

# customer_id, first, last, orders, purchases, repeat, recency_days, tenure, total_spend,
# average_ticket, margin, margin_ratio, discount, discount_share, average_cycle_days,
# favourite_category, favourite_brand, frequency, recency, age, monetary_value
EXPECTED_SUMMARY = [
    # two orders on 01-10 make one purchase; 01-10 → 06-20 is 162 days, → 06-30 172 (leap year);
    # margin 40 + 20 + 80 over 350 of known-margin sales; discount 60 of 500 + 60;
    # monetary value (200 + 150) / 2
    (
        1,
        D(2024, 1, 10),
        D(2024, 6, 20),
        4,
        3,
        2,
        10,
        172,
        Decimal("500.00"),
        125.0,
        Decimal("140.00"),
        0.4,
        Decimal("60.00"),
        60 / 560,
        81.0,
        10,
        200,
        2.0,
        162.0,
        172.0,
        175.0,
    ),
    # bought on as_of: everything 0; the order of 07-01 00:30 local is after as_of
    (
        2,
        D(2024, 6, 30),
        D(2024, 6, 30),
        1,
        1,
        0,
        0,
        0,
        Decimal("80.00"),
        80.0,
        Decimal("10.00"),
        0.125,
        Decimal("20.00"),
        0.2,
        None,
        20,
        100,
        0.0,
        0.0,
        0.0,
        0.0,
    ),
    # 07-01 → 11-01 is 123 days over 4 gaps; 11-01 → 06-30 242 days; 07-01 → 06-30 365
    (
        3,
        D(2023, 7, 1),
        D(2023, 11, 1),
        5,
        5,
        4,
        242,
        365,
        Decimal("1500.00"),
        300.0,
        Decimal("750.00"),
        0.5,
        Decimal("0.00"),
        0.0,
        30.75,
        30,
        300,
        4.0,
        123.0,
        365.0,
        300.0,
    ),
    # no known margin; no category on the lines
    (
        5,
        D(2024, 5, 1),
        D(2024, 6, 1),
        2,
        2,
        1,
        29,
        60,
        Decimal("100.00"),
        50.0,
        None,
        None,
        Decimal("0.00"),
        0.0,
        31.0,
        None,
        500,
        1.0,
        31.0,
        60.0,
        60.0,
    ),
]


def rows(table: pa.Table) -> list[tuple]:  # type: ignore[type-arg]
    columns = table.to_pydict()
    return list(zip(*columns.values(), strict=True))


@ENGINES
def test_summary_figures(engine: Engine) -> None:
    from guanxi.analytics.tests.test_rfm_data import lines_table

    summary = customer_summary(orders_table(), lines_table(), as_of=AS_OF, engine=engine)

    assert summary.schema == SUMMARY_SCHEMA
    assert rows(summary) == EXPECTED_SUMMARY


@ENGINES
def test_summary_without_lines_has_no_favourites(engine: Engine) -> None:
    summary = customer_summary(orders_table(), as_of=AS_OF, engine=engine)

    assert summary["favourite_category"].null_count == 4
    assert summary["favourite_brand"].null_count == 4
    assert summary["monetary_value"].to_pylist() == [175.0, 0.0, 300.0, 60.0]


@ENGINES
def test_summary_with_only_required_columns(engine: Engine) -> None:
    orders = orders_table().select(["customer_id", "ordered_at", "net_amount"])

    summary = customer_summary(orders, as_of=AS_OF, engine=engine)

    assert summary["total_spend"].to_pylist() == [
        Decimal("500.00"),
        Decimal("80.00"),
        Decimal("1500.00"),
        Decimal("100.00"),
    ]
    assert summary["margin"].null_count == 4
    assert summary["discount"].to_pylist() == [Decimal("0.00")] * 4
    assert summary["discount_share"].to_pylist() == [0.0] * 4


@ENGINES
def test_summary_of_no_orders_is_empty(engine: Engine) -> None:
    orders = orders_table().slice(0, 0)

    summary = customer_summary(orders, as_of=AS_OF, engine=engine)

    assert summary.num_rows == 0
    assert summary.schema == SUMMARY_SCHEMA


@ENGINES
def test_summary_counts_days_in_the_business_time_zone(engine: Engine) -> None:
    # 2024-03-10 07:30 in Shanghai is 2024-03-09 23:30 UTC: in UTC customer 1 would have
    # bought on 03-09; in New York (UTC−5 that day) on 03-09 as well, 18:30.
    shanghai = customer_summary(orders_table(), as_of=AS_OF, engine=engine)
    new_york = customer_summary(orders_table(), as_of=AS_OF, tz="America/New_York", engine=engine)

    assert shanghai["average_cycle_days"][0].as_py() == 81.0  # 01-10, 03-10, 06-20
    # New York: 01-09 21:00 and 01-10 05:00 are two days; 03-09 18:30, 06-19 21:00
    assert new_york["purchases"][0].as_py() == 4
    assert new_york["first_purchase"][0].as_py() == D(2024, 1, 9)
    assert new_york["last_purchase"][0].as_py() == D(2024, 6, 19)
    # and customer 2's 07-01 00:30 order is 06-30 12:30 in New York: within as_of
    assert new_york["orders"][1].as_py() == 2


@ENGINES
def test_scores_and_segments(engine: Engine) -> None:
    summary = customer_summary(orders_table(), as_of=AS_OF, engine=engine)

    scores = rfm_scores(summary, engine=engine)

    # NTILE(5) over four customers gives 1, 2, 3, 4. R, worst first by days since the last
    # purchase: 3 (242), 5 (29), 1 (10), 2 (0). F by purchase days: 2 (1), 5 (2), 1 (3),
    # 3 (5). M by spend: 2 (80), 5 (100), 1 (500), 3 (1500). FM = ⌊(F + M + 1) / 2⌋.
    assert scores.schema == SCORES_SCHEMA
    assert rows(scores) == [
        (1, 3, 3, 3, 3, "loyal"),
        (2, 4, 1, 1, 1, "new"),
        (3, 1, 4, 4, 4, "at_risk"),
        (5, 2, 2, 2, 2, "hibernating"),
    ]


@ENGINES
def test_ntile_splits_ties_by_customer_id(engine: Engine) -> None:
    summary = customer_summary(orders_table(), as_of=AS_OF, engine=engine)
    base = summary.take([1] * 7)  # seven copies of customer 2: every value equal
    base = base.set_column(0, "customer_id", pa.array([70, 10, 40, 20, 60, 30, 50], pa.int64()))

    scores = rfm_scores(base, engine=engine)

    # 7 rows in 5 tiles: 2, 2, 1, 1, 1, by id; rows come back ordered by id
    assert scores["customer_id"].to_pylist() == [10, 20, 30, 40, 50, 60, 70]
    expected = [1, 1, 2, 2, 3, 4, 5]
    assert scores["r_score"].to_pylist() == expected
    assert scores["f_score"].to_pylist() == expected
    assert scores["m_score"].to_pylist() == expected


@ENGINES
def test_scores_with_fixed_edges(engine: Engine) -> None:
    summary = customer_summary(orders_table(), as_of=AS_OF, engine=engine)

    scores = rfm_scores(
        summary,
        bins=3,
        recency_edges=[10, 100],  # ≤ 10 days: 3, ≤ 100: 2, more: 1
        frequency_edges=[2, 5],  # 1: 1, 2–4: 2, 5+: 3
        monetary_edges=[Decimal("100.00"), 500.01],  # < 100: 1, < 500.01: 2, more: 3
        segment_grid=[["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]],
        engine=engine,
    )

    assert rows(scores) == [
        (1, 3, 2, 2, 2, "b"),
        (2, 3, 1, 1, 1, "a"),
        (3, 1, 3, 3, 3, "i"),
        (5, 2, 2, 2, 2, "e"),
    ]


@ENGINES
def test_scores_by_orders_and_margin(engine: Engine) -> None:
    summary = customer_summary(orders_table(), as_of=AS_OF, engine=engine)

    scores = rfm_scores(summary, frequency_column="orders", monetary_column="margin", engine=engine)

    # orders: 2 (1), 5 (2), 1 (4), 3 (5); margin, unknown as 0: 5 (0), 2 (10), 1 (140), 3 (750)
    assert scores["f_score"].to_pylist() == [3, 1, 4, 2]
    assert scores["m_score"].to_pylist() == [3, 2, 4, 1]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"bins": 1}, "bins"),
        ({"bins": 4}, "segment_grid"),
        ({"recency_edges": [1, 2, 3]}, "give 4 edges"),
        ({"frequency_edges": [1, 3, 2, 4]}, "increasing"),
        ({"frequency_column": "margin"}, "frequency_column"),
        ({"monetary_column": "purchases"}, "monetary_column"),
        ({"segment_grid": [["x"] * 5] * 4}, "5 rows"),
        ({"engine": "spark"}, "engine"),
    ],
)
def test_scores_reject_bad_settings(arguments: dict, message: str) -> None:  # type: ignore[type-arg]
    summary = customer_summary(orders_table(), as_of=AS_OF)

    with pytest.raises(ValueError, match=message):
        rfm_scores(summary, **arguments)


# cell → (customers, revenue) of the hand-made data; every other cell is empty
EXPECTED_CELLS = {
    "active_new": (1, Decimal("80.00")),  # customer 2: today, once
    "active_second": (1, Decimal("100.00")),  # customer 5: 29 days, twice
    "active_returning": (1, Decimal("500.00")),  # customer 1: 10 days, 3 purchase days
    "lost_fan": (1, Decimal("1500.00")),  # customer 3: 242 days, 5 purchase days
}


@ENGINES
def test_grid_cells(engine: Engine) -> None:
    summary = customer_summary(orders_table(), as_of=AS_OF, engine=engine)

    grid = rf_grid(summary, engine=engine)

    # median cycle of 30.75, 31 and 81 days is 31: thresholds 31, 62, 124 days
    assert grid.thresholds == RecencyThresholds(31, 62, 124, median_cycle_days=31.0)
    assert grid.cells.schema == GRID_CELLS_SCHEMA
    assert grid.cells["cell"].to_pylist() == list(CELLS)
    assert grid.total_customers == 4
    assert grid.total_revenue == Decimal("2180.00")
    for row in grid.cells.to_pylist():
        customers, revenue = EXPECTED_CELLS.get(row["cell"], (0, Decimal("0.00")))
        assert (row["customers"], row["revenue"]) == (customers, revenue), row["cell"]
        assert row["customer_share"] == customers / 4
        assert row["revenue_share"] == float(revenue) / 2180
    assert rows(grid.customers) == [
        (1, "active", "returning", "active_returning"),
        (2, "active", "new", "active_new"),
        (3, "lost", "fan", "lost_fan"),
        (5, "active", "second", "active_second"),
    ]


@ENGINES
def test_grid_cell_bounds(engine: Engine) -> None:
    summary = customer_summary(orders_table(), as_of=AS_OF, engine=engine)

    cells = rf_grid(summary, engine=engine).cells.to_pylist()

    bounds = {
        row["cell"]: (row["min_days"], row["max_days"], row["min_purchases"], row["max_purchases"])
        for row in cells
    }
    assert bounds["active_new"] == (0, 31, 1, 1)
    assert bounds["silent_second"] == (32, 62, 2, 2)
    assert bounds["sleeping_returning"] == (63, 124, 3, 4)
    assert bounds["lost_fan"] == (125, None, 5, None)


@ENGINES
def test_grid_with_explicit_thresholds_and_cuts(engine: Engine) -> None:
    summary = customer_summary(orders_table(), as_of=AS_OF, engine=engine)

    grid = rf_grid(summary, thresholds=[0, 29, 300], frequency_cuts=[2, 4, 6], engine=engine)

    assert grid.thresholds == RecencyThresholds(0, 29, 300)
    assert rows(grid.customers) == [
        (1, "silent", "second", "silent_second"),  # 10 days; 3 purchases: 2–3
        (2, "active", "new", "active_new"),
        (3, "sleeping", "returning", "sleeping_returning"),  # 242 days; 5: 4–5
        (5, "silent", "second", "silent_second"),  # 29 days: the silent limit itself
    ]
    assert sum(grid.cells["customers"].to_pylist()) == 4


@ENGINES
def test_customer_who_buys_today_becomes_active(engine: Engine) -> None:
    orders = orders_table()
    today = pa.table(
        {
            "customer_id": pa.array([3], pa.int64()),
            "ordered_at": pa.array(
                [datetime.datetime(2024, 6, 30, 2, 0, tzinfo=datetime.UTC)],
                pa.timestamp("us", "UTC"),
            ),
            "net_amount": pa.array([Decimal("10.00")], pa.decimal128(14, 2)),
        }
    )
    orders = pa.concat_tables([orders.select(["customer_id", "ordered_at", "net_amount"]), today])

    summary = customer_summary(orders, as_of=AS_OF, engine=engine)
    grid = rf_grid(summary, engine=engine)

    cells = grid.customers.to_pydict()
    cell = dict(zip(cells["customer_id"], cells["cell"], strict=True))
    assert cell[3] == "active_fan"


@ENGINES
def test_grid_without_repeat_customers_uses_the_fallback_cycle(engine: Engine) -> None:
    orders = orders_table().filter(pa.array([row in (4, 11) for row in range(15)]))

    summary = customer_summary(orders, as_of=AS_OF, engine=engine)
    grid = rf_grid(summary, fallback_cycle_days=45, engine=engine)

    assert grid.thresholds == RecencyThresholds(45, 90, 180, median_cycle_days=None)


@ENGINES
def test_grid_of_no_customers(engine: Engine) -> None:
    summary = customer_summary(orders_table().slice(0, 0), as_of=AS_OF, engine=engine)

    grid = rf_grid(summary, engine=engine)

    assert grid.cells.num_rows == 16
    assert grid.cells["customers"].to_pylist() == [0] * 16
    assert grid.cells["revenue_share"].to_pylist() == [0.0] * 16
    assert grid.customers.num_rows == 0


def test_thresholds_round_halves_up_and_stay_increasing() -> None:
    summary = customer_summary(orders_table(), as_of=AS_OF)

    assert rfm.recency_thresholds(summary, multiples=(0.5, 1.5, 2.5)).as_tuple() == (16, 47, 78)
    # 0.01 × 31 rounds to 0: at least 1, then one more than the previous
    assert rfm.recency_thresholds(summary, multiples=(0.01, 0.02, 0.03)).as_tuple() == (1, 2, 3)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"thresholds": [10, 5, 20]}, "increasing"),
        ({"thresholds": [1, 2]}, "three thresholds"),
        ({"frequency_cuts": [1, 3, 5]}, "frequency_cuts"),
        ({"frequency_cuts": [2, 2, 5]}, "frequency_cuts"),
        ({"multiples": [2.0, 1.0, 3.0]}, "increasing"),
    ],
)
def test_grid_rejects_bad_settings(arguments: dict, message: str) -> None:  # type: ignore[type-arg]
    summary = customer_summary(orders_table(), as_of=AS_OF)

    with pytest.raises(ValueError, match=message):
        rf_grid(summary, **arguments)


def test_analysis_on_a_shared_connection_leaves_nothing_behind() -> None:
    connection = duckdb.connect()

    analysis = rfm_analysis(
        orders_table(),
        as_of=AS_OF,
        scoring={"bins": 5},
        grid={"thresholds": (31, 62, 124)},
        engine="sql",
        connection=connection,
    )

    assert analysis.summary.num_rows == 4
    assert analysis.scores["segment"].to_pylist() == ["loyal", "new", "at_risk", "hibernating"]
    assert analysis.grid.thresholds.as_tuple() == (31, 62, 124)
    assert connection.sql("SELECT COUNT(*) FROM duckdb_tables() WHERE temporary").fetchall() == [
        (0,)
    ]
    assert connection.sql("SELECT COUNT(*) FROM duckdb_views() WHERE NOT internal").fetchall() == [
        (0,)
    ]


def test_orders_need_the_required_columns() -> None:
    with pytest.raises(ValueError, match="net_amount"):
        customer_summary(orders_table().drop_columns(["net_amount"]), as_of=AS_OF)


def test_amounts_in_other_types_become_cents() -> None:
    assert rfm.cents(pa.array([Decimal("1.5"), None, Decimal("-2.25")], pa.decimal128(10, 1 + 1)))
    assert rfm.cents(pa.array([1.005, 2.5, None])).to_pylist() == [100, 250, None]
    assert rfm.cents(pa.array([3, -1], pa.int32())).to_pylist() == [300, -100]
    assert rfm.cents(
        pa.array([Decimal("12.3"), Decimal("-0.1")], pa.decimal128(5, 1))
    ).to_pylist() == [1230, -10]
    sliced = pa.array([Decimal("1.00"), None, Decimal("-7.25")], pa.decimal128(14, 2)).slice(1)
    assert rfm.cents(sliced).to_pylist() == [None, -725]
    with pytest.raises(pa.ArrowInvalid):
        rfm.cents(pa.array([Decimal("0.001")], pa.decimal128(10, 3)))


def test_money_from_cents_keeps_signs_and_nulls() -> None:
    values = pa.array([0, -1, 123456789012, None], pa.int64())

    assert rfm.money(values).to_pylist() == [
        Decimal("0.00"),
        Decimal("-0.01"),
        Decimal("1234567890.12"),
        None,
    ]


def test_ntile_matches_sql_on_ties() -> None:
    rng = np.random.default_rng(3)
    for size, bins, high in [(0, 5, 1), (3, 5, 2), (17, 4, 3), (1000, 5, 70_000), (999, 7, 10)]:
        values = rng.integers(-high, high, size)
        connection = duckdb.connect()
        connection.register("numbers", pa.table({"position": np.arange(size), "value": values}))
        expected = connection.sql(
            f"SELECT NTILE({bins}) OVER (ORDER BY value, position) AS tile, position "
            "FROM numbers ORDER BY position"
        ).fetchnumpy()["tile"]
        assert rfm.ntile(values, bins).tolist() == list(expected)


@pytest.mark.parametrize(
    "tz",
    ["Asia/Shanghai", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"],
)
def test_local_days_match_zoneinfo(tz: str) -> None:
    from zoneinfo import ZoneInfo

    rng = np.random.default_rng(7)
    zone = ZoneInfo(tz)
    # around the DST changes of 2024 to the minute, and random instants from 1899 to 2030
    changes = [datetime.datetime(2024, 3, 10, 7), datetime.datetime(2024, 11, 3, 6)]
    changes += [datetime.datetime(2024, 4, 6, 15), datetime.datetime(2024, 10, 5, 15, 30)]
    changes += [datetime.datetime(1900, 12, 31, 15, 54)]  # Shanghai's LMT ends at 15:54:17
    micros = [
        int((change.replace(tzinfo=datetime.UTC) + datetime.timedelta(seconds=s)).timestamp())
        * 1_000_000
        for change in changes
        for s in range(-3600, 3601, 37)
    ]
    micros += rng.integers(-2_240_000_000, 1_900_000_000, 2000).astype(np.int64).tolist()
    micros = [m if m > 10**12 or m < -(10**12) else m * 1_000_000 for m in micros]
    values = pa.array(micros + [None], pa.timestamp("us", "UTC"))

    days = rfm.local_days(values, tz).to_pylist()

    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    expected = [
        ((epoch + datetime.timedelta(microseconds=m)).astimezone(zone).date() - D(1970, 1, 1)).days
        for m in micros
    ]
    assert days == expected + [None]


def test_local_days_of_naive_timestamps_and_dates() -> None:
    naive = pa.array([datetime.datetime(2024, 6, 30, 16, 0)], pa.timestamp("s"))
    dates = pa.array([D(2024, 6, 30)], pa.date32())

    assert rfm.local_days(naive).to_pylist() == [rfm.day_number(D(2024, 7, 1))]  # 16:00 UTC
    assert rfm.local_days(dates).to_pylist() == [rfm.day_number(D(2024, 6, 30))]
    with pytest.raises(TypeError):
        rfm.local_days(pa.array([1.5]))
