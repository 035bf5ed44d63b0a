"""Sales forecasts: festival regressors, MAPE and baselines by hand, and the recovery of a known
season with a Double 11 spike on synthetic sales."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from guanxi.analytics.forecast import (
    FESTIVAL_WINDOWS,
    FORECAST_SCHEMA,
    LUNAR_NEW_YEAR,
    SERIES_SCHEMA,
    SUMMARY_SCHEMA,
    backtest,
    festival_shares,
    forecast_sales,
    forecast_series,
    mape,
    model_kind,
    period_starts,
    sales_series,
    seasonal_naive,
)

D = datetime.date
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
WINDOWS = list(FESTIVAL_WINDOWS)


def shares_of(start: D, granularity: str) -> dict[str, float]:
    row = festival_shares(np.array([start], "datetime64[D]"), granularity)[0]
    return {name: share for name, share in zip(WINDOWS, row, strict=True) if share}


def test_festival_shares_of_weeks_and_months() -> None:
    # Double 11 2023 falls on a Saturday: the week of 6 November holds 4 run-up days and 11.10–11.11
    assert shares_of(D(2023, 11, 6), "week") == {"double_11_run_up": 4 / 7, "double_11": 2 / 7}
    # lunar new year 2024 is Saturday 10 February
    assert shares_of(D(2024, 2, 5), "week") == {
        "spring_festival_run_up": 5 / 7,
        "spring_festival_holiday": 2 / 7,
    }
    # lunar new year 2023 is 22 January: the run-up is 1–21 January, the holiday 22–28
    assert shares_of(D(2023, 1, 1), "month") == {
        "spring_festival_run_up": 21 / 31,
        "spring_festival_holiday": 7 / 31,
    }
    assert shares_of(D(2024, 3, 1), "month") == {"womens_day_run_up": 7 / 31, "womens_day": 1 / 31}
    assert shares_of(D(2024, 6, 1), "month") == {"618_run_up": 15 / 30, "618": 3 / 30}
    assert shares_of(D(2024, 12, 9), "week") == {"double_12": 3 / 7}
    assert shares_of(D(2024, 8, 5), "week") == {}
    with pytest.raises(ValueError, match="2015–2035"):
        festival_shares(np.array([D(2036, 1, 7)], "datetime64[D]"), "week")


def test_lunar_new_year_agrees_with_the_demo_calendar() -> None:
    from guanxi.orders.seeding.calendar import LUNAR_NEW_YEAR as DEMO

    assert {year: DEMO[year] for year in LUNAR_NEW_YEAR} == LUNAR_NEW_YEAR
    assert min(LUNAR_NEW_YEAR) == 2015


def test_mape_by_hand() -> None:
    # |110-100|/100 = 0.1, |150-200|/200 = 0.25, the 0 actual is skipped, 0 → mean 0.35 / 3
    assert mape([100, 200, 0, 50], [110, 150, 5, 50]) == pytest.approx(100 * 0.35 / 3)
    assert mape([100, 200, 0, 50], [110, 150, 5, 50]) == pytest.approx(11.666666666666666)
    assert math.isnan(mape([0, 0], [1, 2]))
    with pytest.raises(ValueError, match="same shape"):
        mape([1, 2], [1])


def test_seasonal_naive_by_hand() -> None:
    np.testing.assert_array_equal(seasonal_naive([1, 2, 3, 4, 5], 4, 3), [3, 4, 5, 3])
    assert np.isnan(seasonal_naive([1, 2], 2, 3)).all()


def test_backtest_of_the_mean_model_by_hand() -> None:
    # six weeks: the mean model; origins 4 (mean of 10..40 = 25 vs 50, 20) and 2 (15 vs 30, 40)
    result = backtest(D(2024, 1, 1), [10, 20, 30, 40, 50, 20], horizon=2, origins=2)

    assert result.mape == pytest.approx(100 * (0.5 + 0.25 + 0.5 + 0.625) / 4)
    assert result.mape == pytest.approx(46.875)
    assert math.isnan(result.naive_mape)  # no year of history
    assert (result.origins, result.periods) == (2, 4)


def test_model_kinds_and_fallbacks() -> None:
    assert [model_kind(n, "week") for n in (1, 7, 8, 77, 78)] == [
        "mean",
        "mean",
        "trend",
        "trend",
        "seasonal",
    ]
    assert [model_kind(n, "month") for n in (5, 6, 17, 18)] == ["mean", "trend", "trend"] + [
        "seasonal"
    ]
    single = forecast_series(D(2024, 1, 1), [70.0], horizon=3)
    assert single.model == "mean"
    assert single.fallback
    np.testing.assert_array_equal(single.forecast, [70.0, 70.0, 70.0])
    assert np.isnan(single.lower).all()
    assert np.isnan(single.upper).all()
    assert single.period_starts == [D(2024, 1, 8), D(2024, 1, 15), D(2024, 1, 22)]

    # a perfectly log-linear series: the trend model extends it exactly
    growth = np.expm1(np.log(100.0) + 0.01 * np.arange(10))
    trend = forecast_series(D(2024, 1, 1), growth, horizon=2)
    assert trend.model == "trend"
    assert trend.fallback
    np.testing.assert_allclose(trend.forecast, np.expm1(np.log(100.0) + 0.01 * np.array([10, 11])))
    assert trend.period_starts == [D(2024, 3, 11), D(2024, 3, 18)]


# --------------------------------------------------------------------------------------------
# Synthetic sales: trend + yearly season + Double 11 spike
# --------------------------------------------------------------------------------------------

FIRST_DAY = D(2021, 1, 4)  # a Monday
END = D(2023, 10, 2)  # a Monday: the data stop on Sunday 1 October 2023


def true_daily_sales(day: D) -> float:
    years = (day - FIRST_DAY).days / 365.25
    season = 1 + 0.25 * math.sin(2 * math.pi * day.timetuple().tm_yday / 365.25)
    spike = 4.0 if (day.month, day.day) in ((11, 10), (11, 11)) else 1.0
    return 10_000 * math.exp(0.15 * years) * season * spike


def synthetic_orders(last: D) -> pa.Table:
    rng = np.random.default_rng(2024)
    days = [FIRST_DAY + datetime.timedelta(days=n) for n in range((last - FIRST_DAY).days + 1)]
    noise = np.exp(rng.normal(0.0, 0.05, len(days)))
    amounts = np.round(np.array([true_daily_sales(day) for day in days]) * noise, 2)
    noon = np.array(days, "datetime64[D]").astype("datetime64[us]") + np.timedelta64(4, "h")
    return pa.table(
        {
            "order_id": pa.array(range(1, len(days) + 1), pa.int64()),
            "customer_id": pa.array([None] * len(days), pa.int64()),
            "store_id": pa.array([1] * len(days), pa.int64()),
            # noon in Shanghai
            "ordered_at": pa.array(noon.astype(np.int64), pa.int64()).cast(
                pa.timestamp("us", tz="UTC")
            ),
            "net_amount": pa.array(amounts, pa.float64()).cast(pa.decimal128(14, 2)),
        }
    )


@pytest.fixture(scope="module")
def synthetic() -> pa.Table:
    # the orders go on to Wednesday 4 October; ``end`` cuts the history at 1 October
    return synthetic_orders(D(2023, 10, 4))


def test_the_forecast_recovers_the_double_11_week(synthetic: pa.Table) -> None:
    result = forecast_sales(synthetic, end=END)
    table, summary = result.table, result.summary

    assert table.schema == FORECAST_SCHEMA
    assert summary.schema == SUMMARY_SCHEMA
    actual = table.filter(pa.compute.equal(table["kind"], "actual")).to_pylist()
    ahead = table.filter(pa.compute.equal(table["kind"], "forecast")).to_pylist()
    assert len(actual) == 143
    assert actual[0]["period_start"] == FIRST_DAY
    assert actual[-1]["period_start"] == D(2023, 9, 25)  # the partial week of 2 October is left out
    assert [row["period_start"] for row in ahead] == [
        END + datetime.timedelta(weeks=n) for n in range(12)
    ]
    assert {row["series"] for row in table.to_pylist()} == {"total"}

    # the spike week (6–12 November 2023, 11.11 on Saturday) is the highest of the horizon and
    # within 8% of the true sales; every true week lies within the 90% interval
    forecast = np.array([row["forecast"] for row in ahead])
    truth = np.array(
        [
            sum(
                true_daily_sales(row["period_start"] + datetime.timedelta(days=d)) for d in range(7)
            )
            for row in ahead
        ]
    )
    spike = [row["period_start"] for row in ahead].index(D(2023, 11, 6))
    assert int(np.argmax(forecast)) == spike
    assert abs(forecast[spike] / truth[spike] - 1) < 0.08
    assert np.max(np.abs(forecast / truth - 1)) < 0.08
    assert all(row["lower"] <= t <= row["upper"] for row, t in zip(ahead, truth, strict=True))

    [row] = summary.to_pylist()
    assert row["series"] == "total"
    assert row["model"] == "seasonal"
    assert not row["fallback"]
    assert row["periods"] == 143
    # origins 131, 119, 107, 95, 83 would be a fifth: 4 by default, 48 weeks scored
    assert (row["backtest_origins"], row["backtest_periods"]) == (4, 48)
    assert row["mape"] < 6.0
    assert row["naive_mape"] > 1.5 * row["mape"]


def test_monthly_forecast_beats_the_seasonal_naive_baseline(synthetic: pa.Table) -> None:
    result = forecast_sales(synthetic, granularity="month", end=END)
    ahead = [row for row in result.table.to_pylist() if row["kind"] == "forecast"]

    assert [row["period_start"] for row in ahead] == [
        D(2023, 10, 1),
        D(2023, 11, 1),
        D(2023, 12, 1),
        D(2024, 1, 1),
        D(2024, 2, 1),
        D(2024, 3, 1),
    ]
    [row] = result.summary.to_pylist()
    assert row["model"] == "seasonal"
    assert row["periods"] == 33
    assert row["mape"] < row["naive_mape"]


def test_series_by_store_and_category_with_fallbacks() -> None:
    # store 1 sells 100 a day from 1 January 2024 (11 weeks), store 2 opens on 12 February (5)
    orders, lines = [], []
    day = D(2024, 1, 1)
    while day < D(2024, 3, 18):
        for store in (1, 2):
            if store == 2 and day < D(2024, 2, 12):
                continue
            order_id = len(orders) + 1
            at = datetime.datetime(day.year, day.month, day.day, 7, 30, tzinfo=SHANGHAI)
            orders.append((order_id, store, at, Decimal("100.00")))
            lines += [(order_id, 7, Decimal("60.00")), (order_id, 8, Decimal("40.00"))]
        day += datetime.timedelta(days=1)
    table = pa.table(
        {
            "order_id": pa.array([o[0] for o in orders], pa.int64()),
            "customer_id": pa.array([None] * len(orders), pa.int64()),
            "store_id": pa.array([o[1] for o in orders], pa.int64()),
            "ordered_at": pa.array([o[2] for o in orders], pa.timestamp("us", tz="UTC")),
            "net_amount": pa.array([o[3] for o in orders], pa.decimal128(14, 2)),
        }
    )
    line_table = pa.table(
        {
            "order_id": pa.array([line[0] for line in lines], pa.int64()),
            "category_id": pa.array([line[1] for line in lines], pa.int64()),
            "amount": pa.array([line[2] for line in lines], pa.decimal128(14, 2)),
        }
    )

    by_store = sales_series(table, by="store")
    assert by_store.schema == SERIES_SCHEMA
    weekly = {(r["series"], r["period_start"]): r["sales"] for r in by_store.to_pylist()}
    assert len([key for key in weekly if key[0] == "store:1"]) == 11
    assert len([key for key in weekly if key[0] == "store:2"]) == 5
    assert set(weekly.values()) == {700.0}
    # in UTC every order is on the day before (23:30): from 31 December, March is incomplete
    utc = sales_series(table, by="total", granularity="month", tz="UTC")
    assert utc.to_pylist() == [
        {"series": "total", "period_start": D(2023, 12, 1), "sales": 100.0},
        {"series": "total", "period_start": D(2024, 1, 1), "sales": 3100.0},
        {"series": "total", "period_start": D(2024, 2, 1), "sales": 2900.0 + 1900.0},
    ]

    result = forecast_sales(table, by="store", horizon=3)
    summary = {row["series"]: row for row in result.summary.to_pylist()}
    assert summary["store:1"]["model"] == "trend"
    assert summary["store:1"]["fallback"]
    assert summary["store:2"]["model"] == "mean"
    assert summary["store:2"]["fallback"]
    # constant sales: both forecasts are exact, and so is the backtest of store 1
    ahead = [row for row in result.table.to_pylist() if row["kind"] == "forecast"]
    assert [row["forecast"] for row in ahead] == pytest.approx([700.0] * 6)
    assert summary["store:1"]["mape"] == pytest.approx(0.0, abs=1e-9)
    # origin 8 gets the trend model too; before origin 5 the mean model would: 1 origin
    assert (summary["store:1"]["backtest_origins"], summary["store:1"]["backtest_periods"]) == (
        1,
        3,
    )
    # store 2: the mean model from origin 2 on; no year of history for the seasonal naive one
    assert summary["store:2"]["mape"] == 0.0
    assert summary["store:2"]["backtest_origins"] == 1
    assert summary["store:2"]["naive_mape"] is None

    categories = sales_series(table, lines=line_table, by="category", granularity="month")
    assert [(r["series"], r["period_start"], r["sales"]) for r in categories.to_pylist()] == [
        ("category:7", D(2024, 1, 1), 31 * 60.0),
        ("category:7", D(2024, 2, 1), (29 + 18) * 60.0),
        ("category:8", D(2024, 1, 1), 31 * 40.0),
        ("category:8", D(2024, 2, 1), (29 + 18) * 40.0),
    ]
    with pytest.raises(ValueError, match="order lines"):
        sales_series(table, by="category")


def test_period_starts() -> None:
    assert [d.item() for d in period_starts(D(2024, 11, 1), 3, "month")] == [
        D(2024, 11, 1),
        D(2024, 12, 1),
        D(2025, 1, 1),
    ]
    assert [d.item() for d in period_starts(D(2024, 12, 30), 2, "week")] == [
        D(2024, 12, 30),
        D(2025, 1, 6),
    ]
