"""Sales forecasts per series (total, store or category) that know the seasons and the festivals.

``forecast_sales(orders)`` aggregates the orders (or, ``by="category"``, the order ``lines``) to
weekly (Monday to Sunday) or monthly sales per series on local dates (``tz``, Asia/Shanghai by
default), forecasts each series ``horizon`` periods ahead (12 weeks or 6 months by default) and
backtests it. Only complete periods are used: the data are taken to end on ``end`` (exclusive;
by default the day after the last order), and a period that does not end by then is left out.
Periods of a series without sales count as 0.

**The model** ("seasonal") is a log-linear regression fitted by least squares
(``numpy.linalg.lstsq``) of ``log(1 + sales)`` on

- an intercept and a linear trend (in years): growth at a constant rate;
- Fourier terms of the time of year, ``sin(2πk·t)`` and ``cos(2πk·t)`` for k = 1..3 (weekly) or
  1..2 (monthly), ``t`` in years: the smooth yearly season;
- festival windows, as the share of a period's days that fall in each window
  (``FESTIVAL_WINDOWS``): the three weeks before Spring Festival (lunar new year, which moves
  between 21 January and 20 February, so Fourier terms cannot catch it) and its holiday week;
  3.8 Women's Day and the week before it; 618 (the run-up 1–15 June and the last days 16–18);
  Double 11 (the run-up 1–9 November and 11.10–11.11); 12.12. A week holding the 11th of November
  thus gets the Double 11 term in whichever week it falls, year after year.

Regressors that are zero over the whole history (a festival not seen yet) are left out. The
forecast is ``exp(prediction) − 1`` (the median of the log-normal), and the prediction interval
(``interval``, 90% by default) is the least-squares one, ``prediction ± t·s·√(1 + x₀ᵀ(XᵀX)⁺x₀)``
in log space with ``s`` the residual standard error and Student's t on the residual degrees of
freedom, transformed back (and never below 0).

**Fallbacks** (``fallback=True`` in the summary). The seasonal model needs one and a half years
of history (78 weeks or 18 months: at least 61 and 6 residual degrees of freedom; by month a
festival's run-up and its days fall in the same month, so they count as one regressor). With
less, a series of at least 8 weeks or 6 months gets the "trend" model (the same regression on
intercept and trend only); a shorter one the "mean" model: the mean of its last 4 weeks or 3
months, with the interval from their spread (none from a single period).

**Backtest.** Rolling origins: the model is refitted on the history up to each origin and
forecasts the next ``horizon`` periods; the origins are ``n − horizon``, ``n − 2·horizon``, ...
(``backtest_origins`` of them, 4 by default), as far as the history before an origin still
gets the same model as the whole series. ``mape`` is the mean absolute percentage error over
all the forecast periods whose actual sales are not 0; ``naive_mape`` that of the seasonal naive
forecast (the same period a year before: 52 weeks or 12 months) over the same periods. Both are
null when there is no such period.

**Spark SQL.** The aggregation is one ``SELECT ... GROUP BY`` with ``date_trunc``, ``CAST``,
``||`` and a join, which Spark SQL runs unchanged; local dates are computed in Arrow first
(Spark: ``from_utc_timestamp``). The regressions run per series on a few hundred numbers.
"""

# The SQL is assembled from this module's own table and column names; no text from users
# reaches it.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from guanxi.analytics.basket import sql_session
from guanxi.analytics.cohorts import DEFAULT_TZ, local_dates

Granularity = Literal["week", "month"]
SeriesBy = Literal["total", "store", "category"]
ModelKind = Literal["seasonal", "trend", "mean"]
FloatArray = NDArray[np.float64]
DayArray = NDArray[np.datetime64]

DEFAULT_HORIZON: dict[str, int] = {"week": 12, "month": 6}
PERIODS_PER_YEAR: dict[str, int] = {"week": 52, "month": 12}
FOURIER_TERMS: dict[str, int] = {"week": 3, "month": 2}
#: History needed by the seasonal model (1.5 years) and by the trend model.
MIN_SEASONAL_PERIODS: dict[str, int] = {"week": 78, "month": 18}
MIN_TREND_PERIODS: dict[str, int] = {"week": 8, "month": 6}
#: Periods averaged by the mean model.
MEAN_PERIODS: dict[str, int] = {"week": 4, "month": 3}
DEFAULT_INTERVAL = 0.9
DEFAULT_BACKTEST_ORIGINS = 4
_DAYS_PER_YEAR = 365.2425

# First day of the lunar year starting in each Gregorian year, 2015–2036 (2036 lets the run-up
# window of late December 2035 see the next new year). Source: the
# Hong Kong Observatory's Gregorian–lunar calendar conversion tables, as are the dates of
# ``guanxi.orders.seeding.calendar.LUNAR_NEW_YEAR`` (checked against the ``lunardate`` tables);
# a test checks that both agree. That module is not imported here: its package needs Django.
# fmt: off
LUNAR_NEW_YEAR: dict[int, datetime.date] = {
    year: datetime.date.fromisoformat(day)
    for year, day in (
        (2015, "2015-02-19"), (2016, "2016-02-08"), (2017, "2017-01-28"),
        (2018, "2018-02-16"), (2019, "2019-02-05"), (2020, "2020-01-25"), (2021, "2021-02-12"),
        (2022, "2022-02-01"), (2023, "2023-01-22"), (2024, "2024-02-10"), (2025, "2025-01-29"),
        (2026, "2026-02-17"), (2027, "2027-02-06"), (2028, "2028-01-26"), (2029, "2029-02-13"),
        (2030, "2030-02-03"), (2031, "2031-01-23"), (2032, "2032-02-11"), (2033, "2033-01-31"),
        (2034, "2034-02-19"), (2035, "2035-02-08"), (2036, "2036-01-28"),
    )
}
# fmt: on
#: The years a forecast may cover (its history and horizon).
FESTIVAL_YEARS = (2015, 2035)

FORECAST_SCHEMA = pa.schema(
    [
        pa.field("series", pa.string(), nullable=False),
        pa.field("period_start", pa.date32(), nullable=False),
        pa.field("forecast", pa.float64(), nullable=False),
        pa.field("lower", pa.float64(), nullable=True),
        pa.field("upper", pa.float64(), nullable=True),
        pa.field("kind", pa.string(), nullable=False),
    ]
)
SUMMARY_SCHEMA = pa.schema(
    [
        pa.field("series", pa.string(), nullable=False),
        pa.field("model", pa.string(), nullable=False),
        pa.field("fallback", pa.bool_(), nullable=False),
        pa.field("periods", pa.int64(), nullable=False),
        pa.field("mape", pa.float64(), nullable=True),
        pa.field("naive_mape", pa.float64(), nullable=True),
        pa.field("backtest_origins", pa.int64(), nullable=False),
        pa.field("backtest_periods", pa.int64(), nullable=False),
    ]
)
SERIES_SCHEMA = pa.schema(
    [
        pa.field("series", pa.string(), nullable=False),
        pa.field("period_start", pa.date32(), nullable=False),
        pa.field("sales", pa.float64(), nullable=False),
    ]
)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesForecast:
    """A forecast of one series: the first days of the future periods, the forecast and its
    interval (NaN when the model cannot give one), the model and whether it is a fallback."""

    period_starts: list[datetime.date]
    forecast: FloatArray
    lower: FloatArray
    upper: FloatArray
    model: ModelKind

    @property
    def fallback(self) -> bool:
        return self.model != "seasonal"


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin backtest: MAPEs in percent (NaN when not computable), the origins used and
    the forecast periods scored."""

    mape: float
    naive_mape: float
    origins: int
    periods: int


@dataclass(frozen=True)
class SalesForecast:
    """The result of ``forecast_sales``: ``table`` (``FORECAST_SCHEMA``: per series its actual
    sales, ``kind = "actual"`` with the sales in ``forecast`` and no interval, then the forecast,
    ``kind = "forecast"``) and ``summary`` (``SUMMARY_SCHEMA``: one row per series)."""

    table: pa.Table
    summary: pa.Table


# --------------------------------------------------------------------------------------------
# Periods and festivals
# --------------------------------------------------------------------------------------------


def period_start(day: datetime.date, granularity: Granularity) -> datetime.date:
    """The first day of the week (Monday) or month holding ``day``."""
    if granularity == "week":
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


def period_starts(first: datetime.date, count: int, granularity: Granularity) -> DayArray:
    """``count`` consecutive period starts from ``first`` (a period start) as ``datetime64[D]``."""
    steps = np.arange(count)
    if granularity == "week":
        return np.datetime64(first, "D") + 7 * steps
    return (np.datetime64(first, "M") + steps).astype("datetime64[D]")


def _period_ends(starts: DayArray, granularity: Granularity) -> DayArray:
    if granularity == "week":
        return starts + 7
    return (starts.astype("datetime64[M]") + 1).astype("datetime64[D]")


def _lunar_new_year(years: NDArray[np.int64]) -> DayArray:
    low, high = min(LUNAR_NEW_YEAR), max(LUNAR_NEW_YEAR)
    table = np.array([LUNAR_NEW_YEAR[year] for year in range(low, high + 1)], "datetime64[D]")
    return table[years - low]


def _fixed(
    month: int, first: int, last: int
) -> Callable[[dict[str, NDArray[np.int64]]], NDArray[np.bool_]]:
    def window(parts: dict[str, NDArray[np.int64]]) -> NDArray[np.bool_]:
        inside: NDArray[np.bool_] = (
            (parts["month"] == month) & (parts["day"] >= first) & (parts["day"] <= last)
        )
        return inside

    return window


def _spring_run_up(parts: dict[str, NDArray[np.int64]]) -> NDArray[np.bool_]:
    this_year, next_year = parts["to_new_year"], parts["to_next_new_year"]
    return ((this_year >= 1) & (this_year <= 21)) | ((next_year >= 1) & (next_year <= 21))


def _spring_holiday(parts: dict[str, NDArray[np.int64]]) -> NDArray[np.bool_]:
    return (parts["to_new_year"] <= 0) & (parts["to_new_year"] >= -6)


#: The festival windows, by name: days relative to lunar new year, or fixed calendar days.
FESTIVAL_WINDOWS: dict[str, Callable[[dict[str, NDArray[np.int64]]], NDArray[np.bool_]]] = {
    "spring_festival_run_up": _spring_run_up,  # the 21 days before lunar new year
    "spring_festival_holiday": _spring_holiday,  # lunar new year and the 6 days after it
    "womens_day_run_up": _fixed(3, 1, 7),
    "womens_day": _fixed(3, 8, 8),
    "618_run_up": _fixed(6, 1, 15),
    "618": _fixed(6, 16, 18),
    "double_11_run_up": _fixed(11, 1, 9),
    "double_11": _fixed(11, 10, 11),
    "double_12": _fixed(12, 10, 12),
}


def festival_shares(starts: DayArray, granularity: Granularity) -> FloatArray:
    """For each period (by its start), the share of its days in each of ``FESTIVAL_WINDOWS``
    (one column per window, in order)."""
    if starts.size == 0:
        return np.zeros((0, len(FESTIVAL_WINDOWS)))
    ends = _period_ends(starts, granularity)
    days = np.arange(starts[0], ends[-1], dtype="datetime64[D]")
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    if years[0] < FESTIVAL_YEARS[0] or years[-1] > FESTIVAL_YEARS[1]:
        raise ValueError(
            f"the festival calendar covers {FESTIVAL_YEARS[0]}–{FESTIVAL_YEARS[1]}; "
            f"got periods in {int(years[0])}–{int(years[-1])}"
        )
    months = days.astype("datetime64[M]")
    parts = {
        "month": months.astype(np.int64) % 12 + 1,
        "day": (days - months.astype("datetime64[D]")).astype(np.int64) + 1,
        "to_new_year": (_lunar_new_year(years) - days).astype(np.int64),
        "to_next_new_year": (_lunar_new_year(years + 1) - days).astype(np.int64),
    }
    daily = np.column_stack([window(parts) for window in FESTIVAL_WINDOWS.values()])
    offsets = (starts - starts[0]).astype(np.int64)
    totals = np.add.reduceat(daily.astype(np.float64), offsets, axis=0)
    lengths = (ends - starts).astype(np.float64)
    shares: FloatArray = totals / lengths[:, None]
    return shares


def design_matrix(starts: DayArray, granularity: Granularity, origin: np.datetime64) -> FloatArray:
    """The seasonal model's regressors: intercept, trend in years since ``origin``, Fourier
    terms of the time of year (at the middle of each period) and the festival shares."""
    middles = starts + (_period_ends(starts, granularity) - starts) // 2
    trend = (middles - origin).astype(np.float64) / _DAYS_PER_YEAR
    year_time = middles.astype(np.float64) / _DAYS_PER_YEAR  # days since 1970-01-01, in years
    columns = [np.ones(starts.size), trend]
    for k in range(1, FOURIER_TERMS[granularity] + 1):
        columns += [np.sin(2 * np.pi * k * year_time), np.cos(2 * np.pi * k * year_time)]
    return np.column_stack([*columns, festival_shares(starts, granularity)])


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


def mape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Mean absolute percentage error in percent, over the periods whose actual value is not 0
    (NaN when there is none): ``100 · mean(|actual − forecast| / |actual|)``."""
    a = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    if a.shape != f.shape:
        raise ValueError("actual and forecast must have the same shape")
    scored = a != 0
    if not scored.any():
        return math.nan
    return float(100.0 * np.mean(np.abs(a[scored] - f[scored]) / np.abs(a[scored])))


def seasonal_naive(history: ArrayLike, horizon: int, season: int) -> FloatArray:
    """The value of the same period ``season`` periods earlier (NaN without a full season)."""
    values = np.asarray(history, dtype=np.float64)
    if values.size < season:
        return np.full(horizon, np.nan)
    last_season = values[values.size - season :]
    return np.array([last_season[step % season] for step in range(horizon)], dtype=np.float64)


def model_kind(periods: int, granularity: Granularity) -> ModelKind:
    """The model a history of ``periods`` periods gets (see the module docstring)."""
    if periods >= MIN_SEASONAL_PERIODS[granularity]:
        return "seasonal"
    if periods >= MIN_TREND_PERIODS[granularity]:
        return "trend"
    return "mean"


def forecast_series(
    first: datetime.date,
    values: ArrayLike,
    *,
    granularity: Granularity = "week",
    horizon: int | None = None,
    interval: float = DEFAULT_INTERVAL,
) -> SeriesForecast:
    """Forecast the series whose periods start at ``first`` (a period start) and hold ``values``
    (sales, not negative; at least one period) ``horizon`` periods ahead."""
    history = np.asarray(values, dtype=np.float64)
    steps = DEFAULT_HORIZON[granularity] if horizon is None else horizon
    if history.ndim != 1 or history.size == 0:
        raise ValueError("values must be a non-empty one-dimensional series")
    if not np.all(np.isfinite(history)):
        raise ValueError("values must be finite")
    if steps < 1:
        raise ValueError(f"horizon must be at least 1, got {horizon!r}")
    if not 0 < interval < 1:
        raise ValueError(f"interval must be between 0 and 1, got {interval!r}")
    sales = np.maximum(history, 0.0)
    starts = period_starts(first, sales.size + steps, granularity)
    future = starts[sales.size :]
    kind = model_kind(sales.size, granularity)
    if kind == "mean":
        forecast, lower, upper = _mean_model(sales[-MEAN_PERIODS[granularity] :], steps, interval)
    else:
        design = design_matrix(starts, granularity, starts[0])
        if kind == "trend":
            design = design[:, :2]
        forecast, lower, upper = _regression(design, np.log1p(sales), interval)
    return SeriesForecast(
        period_starts=[day.item() for day in future],
        forecast=forecast,
        lower=lower,
        upper=upper,
        model=kind,
    )


def _regression(
    design: FloatArray, target: FloatArray, interval: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    n = target.size
    train, ahead = design[:n], design[n:]
    used = np.any(train != 0, axis=0)  # a festival not seen yet has no estimable effect
    train, ahead = train[:, used], ahead[:, used]
    coefficients, _, rank, _ = np.linalg.lstsq(train, target, rcond=None)
    residuals = target - train @ coefficients
    freedom = n - int(rank)
    prediction = ahead @ coefficients
    forecast = np.expm1(prediction)
    if freedom < 1:
        nan = np.full(prediction.size, np.nan)
        return np.maximum(forecast, 0.0), nan, nan
    scale = math.sqrt(float(residuals @ residuals) / freedom)
    leverage = np.einsum("ij,jk,ik->i", ahead, np.linalg.pinv(train.T @ train), ahead)
    margin = float(stats.t.ppf(0.5 + interval / 2, freedom)) * scale * np.sqrt(1.0 + leverage)
    return (
        np.maximum(forecast, 0.0),
        np.maximum(np.expm1(prediction - margin), 0.0),
        np.maximum(np.expm1(prediction + margin), 0.0),
    )


def _mean_model(
    recent: FloatArray, steps: int, interval: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    mean = float(recent.mean())
    forecast = np.full(steps, mean)
    if recent.size < 2:
        nan = np.full(steps, np.nan)
        return forecast, nan, nan
    spread = float(recent.std(ddof=1)) * math.sqrt(1.0 + 1.0 / recent.size)
    margin = float(stats.t.ppf(0.5 + interval / 2, recent.size - 1)) * spread
    return forecast, np.full(steps, max(mean - margin, 0.0)), np.full(steps, mean + margin)


def backtest(
    first: datetime.date,
    values: ArrayLike,
    *,
    granularity: Granularity = "week",
    horizon: int | None = None,
    origins: int = DEFAULT_BACKTEST_ORIGINS,
) -> Backtest:
    """Rolling-origin backtest of ``forecast_series`` against the seasonal naive forecast."""
    history = np.asarray(values, dtype=np.float64)
    steps = DEFAULT_HORIZON[granularity] if horizon is None else horizon
    season = PERIODS_PER_YEAR[granularity]
    kind = model_kind(history.size, granularity)
    actual: list[FloatArray] = []
    predicted: list[FloatArray] = []
    naive: list[FloatArray] = []
    used = 0
    for number in range(1, origins + 1):
        origin = history.size - number * steps
        if origin < 1 or model_kind(origin, granularity) != kind:
            break
        result = forecast_series(first, history[:origin], granularity=granularity, horizon=steps)
        actual.append(history[origin : origin + steps])
        predicted.append(result.forecast)
        naive.append(seasonal_naive(history[:origin], steps, season))
        used += 1
    if not used:
        return Backtest(math.nan, math.nan, 0, 0)
    a, f, s = np.concatenate(actual), np.concatenate(predicted), np.concatenate(naive)
    return Backtest(
        mape=mape(a, f),
        naive_mape=mape(a, s) if np.all(np.isfinite(s)) else math.nan,
        origins=used,
        periods=int(np.count_nonzero(a)),
    )


# --------------------------------------------------------------------------------------------
# From orders to forecasts
# --------------------------------------------------------------------------------------------


def sales_series(
    orders: pa.Table,
    *,
    lines: pa.Table | None = None,
    by: SeriesBy = "total",
    granularity: Granularity = "week",
    tz: str = DEFAULT_TZ,
    end: datetime.date | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """Sales per series and complete period (``SERIES_SCHEMA``), dense: every period from a
    series' first sale to the last complete period, 0 where nothing was sold.

    Series are ``"total"``, ``"store:<store_id>"`` or ``"category:<category_id>"`` (from
    ``lines``: ``order_id``, ``category_id``, ``amount``; lines without a category are left
    out). Orders sales are ``net_amount``. ``end`` is the first day not covered by the data.
    """
    if granularity not in PERIODS_PER_YEAR:
        raise ValueError(f"granularity must be 'week' or 'month', not {granularity!r}")
    if by == "category" and lines is None:
        raise ValueError("a forecast by category needs the order lines")
    days = local_dates(orders["ordered_at"], tz)
    if len(days) == 0 or days.null_count == len(days):
        return SERIES_SCHEMA.empty_table()
    last_day: datetime.date = pc.max(days).as_py()
    stop = np.datetime64(end if end is not None else last_day + datetime.timedelta(days=1), "D")
    unit = "WEEK" if granularity == "week" else "MONTH"
    sales_orders = pa.table(
        {
            "order_id": pc.cast(orders["order_id"], pa.int64()),
            "store_id": pc.cast(orders["store_id"], pa.int64()),
            "day": days,
            "net_amount": orders["net_amount"],
        }
    )
    with sql_session(connection) as sql:
        sql.register("sales_orders", sales_orders)
        period = f"CAST(date_trunc('{unit}', o.day) AS DATE)"
        if by == "category":
            assert lines is not None
            sql.register("sales_lines", lines.select(["order_id", "category_id", "amount"]))
            select = (
                f"SELECT 'category:' || CAST(l.category_id AS VARCHAR) AS series, "
                f"{period} AS period_start, CAST(SUM(l.amount) AS DOUBLE) AS sales "
                f"FROM {sql.name('sales_lines')} l "
                f"JOIN {sql.name('sales_orders')} o ON o.order_id = l.order_id "
                f"WHERE l.category_id IS NOT NULL AND o.day IS NOT NULL "
                f"GROUP BY l.category_id, {period}"
            )
        else:
            key = "'total'" if by == "total" else "'store:' || CAST(o.store_id AS VARCHAR)"
            group = period if by == "total" else f"o.store_id, {period}"
            select = (
                f"SELECT {key} AS series, {period} AS period_start, "
                f"CAST(SUM(o.net_amount) AS DOUBLE) AS sales "
                f"FROM {sql.name('sales_orders')} o WHERE o.day IS NOT NULL GROUP BY {group}"
            )
        sparse = sql.table(select)
    observed: dict[str, dict[np.datetime64, float]] = {}
    for series, start, sales in zip(
        sparse["series"].to_pylist(),
        sparse["period_start"].to_pylist(),
        sparse["sales"].to_pylist(),
        strict=True,
    ):
        observed.setdefault(series, {})[np.datetime64(start, "D")] = float(sales or 0.0)
    names: list[str] = []
    starts: list[DayArray] = []
    values: list[FloatArray] = []
    for series in sorted(observed, key=_series_order):
        periods = observed[series]
        first = min(periods)
        if granularity == "week":  # the complete periods from the first sale on
            count = int((stop - first).astype(np.int64)) // 7
        else:
            count = int(
                (stop.astype("datetime64[M]") - first.astype("datetime64[M]")).astype(np.int64)
            )
        if count <= 0:
            continue
        first_day: datetime.date = first.astype(datetime.date)
        dense = period_starts(first_day, count, granularity)
        names += [series] * count
        starts.append(dense)
        values.append(np.array([periods.get(day, 0.0) for day in dense]))
    if not names:
        return SERIES_SCHEMA.empty_table()
    return pa.table(
        {
            "series": pa.array(names, pa.string()),
            "period_start": pa.array(
                np.concatenate(starts).astype(np.int64).astype(np.int32), pa.int32()
            ).cast(pa.date32()),
            "sales": pa.array(np.concatenate(values), pa.float64()),
        },
        schema=SERIES_SCHEMA,
    )


def _series_order(series: str) -> tuple[int, str, int]:
    kind, _, key = series.partition(":")
    return (0 if kind == "total" else 1, kind, int(key) if key.lstrip("-").isdigit() else 0)


def forecast_sales(
    orders: pa.Table,
    *,
    lines: pa.Table | None = None,
    by: SeriesBy = "total",
    granularity: Granularity = "week",
    horizon: int | None = None,
    tz: str = DEFAULT_TZ,
    end: datetime.date | None = None,
    interval: float = DEFAULT_INTERVAL,
    backtest_origins: int = DEFAULT_BACKTEST_ORIGINS,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> SalesForecast:
    """Forecast and backtest the sales of every series (see the module docstring)."""
    series_table = sales_series(
        orders, lines=lines, by=by, granularity=granularity, tz=tz, end=end, connection=connection
    )
    rows: dict[str, list[object]] = {name: [] for name in FORECAST_SCHEMA.names}
    summary: dict[str, list[object]] = {name: [] for name in SUMMARY_SCHEMA.names}
    names = series_table["series"].to_numpy(zero_copy_only=False)
    all_starts = series_table["period_start"].to_pylist()
    all_sales = series_table["sales"].to_numpy()
    boundaries = [0, *(np.flatnonzero(names[1:] != names[:-1]) + 1), len(names)]
    for low, high in zip(boundaries[:-1], boundaries[1:], strict=True):
        if high <= low:
            continue
        name, first, sales = str(names[low]), all_starts[low], all_sales[low:high]
        result = forecast_series(
            first, sales, granularity=granularity, horizon=horizon, interval=interval
        )
        check = backtest(
            first, sales, granularity=granularity, horizon=horizon, origins=backtest_origins
        )
        _extend(rows, name, all_starts[low:high], sales, None, None, "actual")
        _extend(
            rows,
            name,
            result.period_starts,
            result.forecast,
            result.lower,
            result.upper,
            "forecast",
        )
        for column, value in (
            ("series", name),
            ("model", result.model),
            ("fallback", result.fallback),
            ("periods", high - low),
            ("mape", None if math.isnan(check.mape) else check.mape),
            ("naive_mape", None if math.isnan(check.naive_mape) else check.naive_mape),
            ("backtest_origins", check.origins),
            ("backtest_periods", check.periods),
        ):
            summary[column].append(value)
    return SalesForecast(
        table=pa.table(rows, schema=FORECAST_SCHEMA),
        summary=pa.table(summary, schema=SUMMARY_SCHEMA),
    )


def _extend(
    rows: dict[str, list[object]],
    series: str,
    starts: Sequence[datetime.date],
    values: FloatArray,
    lower: FloatArray | None,
    upper: FloatArray | None,
    kind: str,
) -> None:
    count = len(starts)
    rows["series"] += [series] * count
    rows["period_start"] += list(starts)
    rows["forecast"] += [float(value) for value in values]
    rows["lower"] += [None] * count if lower is None else [_finite(value) for value in lower]
    rows["upper"] += [None] * count if upper is None else [_finite(value) for value in upper]
    rows["kind"] += [kind] * count


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None
