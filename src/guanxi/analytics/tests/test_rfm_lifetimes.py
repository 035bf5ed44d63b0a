"""The summary against lifetimes, and the NumPy engine against the SQL engine, on random data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifetimes.utils import summary_data_from_transaction_data

from guanxi.analytics.rfm import Engine, customer_summary, rf_grid, rfm_scores

AS_OF = datetime.date(2024, 6, 30)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
START = int(datetime.datetime(2022, 6, 1, tzinfo=datetime.UTC).timestamp()) * 1_000_000


def random_orders(seed: int, customers: int = 80, orders: int = 600) -> pa.Table:
    """Orders over two years and a month past ``AS_OF``, with same-day repeats, walk-ins,
    unknown margins and discounts, zero amounts and odd cents."""
    rng = np.random.default_rng(seed)
    customer = rng.integers(1, customers + 1, orders)
    # a third of the orders land within a few hours of another one of the same customer
    micros = START + rng.integers(0, 760 * 86_400, orders) * 1_000_000
    repeat = rng.random(orders) < 0.3
    micros[1:][repeat[1:]] = (
        micros[:-1][repeat[1:]] + rng.integers(0, 6 * 3_600, repeat[1:].sum()) * 1_000_000
    )
    customer[1:][repeat[1:]] = customer[:-1][repeat[1:]]
    net = rng.integers(0, 50_000, orders)
    net[rng.random(orders) < 0.05] = 0
    margin_known = rng.random(orders) > 0.2
    walk_in = rng.random(orders) < 0.05
    micros_array = pa.array(micros, pa.int64()).cast(pa.timestamp("us", "UTC"))
    return pa.table(
        {
            "order_id": pa.array(np.arange(1, orders + 1), pa.int64()),
            "customer_id": pa.array(customer, pa.int64(), mask=walk_in),
            "ordered_at": micros_array,
            "net_amount": cents_to_decimal(net),
            "margin": cents_to_decimal(net // 3, ~margin_known),
            "discount": cents_to_decimal(rng.integers(0, 2_000, orders), rng.random(orders) < 0.1),
        }
    )


def cents_to_decimal(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    decimals: list[Decimal | None] = [Decimal(int(value)).scaleb(-2) for value in values]
    if missing is not None:
        decimals = [None if gone else value for value, gone in zip(decimals, missing, strict=True)]
    return pa.array(decimals, pa.decimal128(14, 2))


def lifetimes_summary(orders: pa.Table, tz: str) -> pd.DataFrame:
    zone = ZoneInfo(tz)
    identified = orders.filter(orders["customer_id"].is_valid())
    micros = identified["ordered_at"].cast(pa.int64()).to_pylist()
    frame = pd.DataFrame(
        {
            "customer_id": identified["customer_id"].to_pylist(),
            "ordered_at": [
                (EPOCH + datetime.timedelta(microseconds=m)).astimezone(zone).replace(tzinfo=None)
                for m in micros
            ],
            "amount": identified["net_amount"].cast(pa.float64()).to_pylist(),
        }
    )
    return summary_data_from_transaction_data(
        frame,
        "customer_id",
        "ordered_at",
        monetary_value_col="amount",
        observation_period_end=AS_OF.isoformat(),
        freq="D",
    ).sort_index()


@pytest.mark.parametrize("engine", ["numpy", "sql"])
@pytest.mark.parametrize(
    ("seed", "tz"), [(1, "Asia/Shanghai"), (2, "America/New_York"), (3, "Asia/Shanghai")]
)
def test_summary_equals_lifetimes(seed: int, tz: str, engine: Engine) -> None:
    orders = random_orders(seed)

    ours = customer_summary(orders, as_of=AS_OF, tz=tz, engine=engine)
    theirs = lifetimes_summary(orders, tz)

    assert ours["customer_id"].to_pylist() == theirs.index.tolist()
    assert ours["frequency"].to_pylist() == theirs["frequency"].tolist()
    assert ours["recency"].to_pylist() == theirs["recency"].tolist()
    assert ours["age"].to_pylist() == theirs["T"].tolist()
    np.testing.assert_allclose(
        ours["monetary_value"].to_numpy(), theirs["monetary_value"].to_numpy(), rtol=1e-12
    )
    # and the integer columns agree with the model inputs
    assert ours["repeat_purchases"].to_pylist() == theirs["frequency"].astype(int).tolist()
    assert ours["tenure_days"].to_pylist() == theirs["T"].astype(int).tolist()


ORDER_ROWS = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(1, 9)),  # customer, None for a walk-in
        st.integers(0, 80 * 24 - 1),  # hour since the start
        st.integers(-500, 20_000),  # net amount in cents
        st.one_of(st.none(), st.integers(-200, 8_000)),  # margin
        st.one_of(st.none(), st.integers(0, 3_000)),  # discount
    ),
    min_size=0,
    max_size=40,
)


SHARED = duckdb.connect()  # one connection for every example: connecting is the slow part


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=ORDER_ROWS,
    as_of_day=st.integers(0, 90),
    tz=st.sampled_from(["Asia/Shanghai", "America/New_York"]),
)
def test_numpy_engine_equals_sql_engine(rows: list, as_of_day: int, tz: str) -> None:  # type: ignore[type-arg]
    start = datetime.datetime(2024, 2, 20, tzinfo=datetime.UTC)  # across New York's DST change
    orders = pa.table(
        {
            "customer_id": pa.array([row[0] for row in rows], pa.int64()),
            "ordered_at": pa.array(
                [
                    int((start + datetime.timedelta(hours=row[1])).timestamp()) * 1_000_000
                    for row in rows
                ],
                pa.int64(),
            ).cast(pa.timestamp("us", "UTC")),
            "net_amount": pa.array(
                [Decimal(row[2]).scaleb(-2) for row in rows], pa.decimal128(14, 2)
            ),
            "margin": pa.array(
                [None if row[3] is None else Decimal(row[3]).scaleb(-2) for row in rows],
                pa.decimal128(14, 2),
            ),
            "discount": pa.array(
                [None if row[4] is None else Decimal(row[4]).scaleb(-2) for row in rows],
                pa.decimal128(14, 2),
            ),
        }
    )
    as_of = datetime.date(2024, 2, 20) + datetime.timedelta(days=as_of_day)

    summary = customer_summary(orders, as_of=as_of, tz=tz, engine="numpy")
    expected = customer_summary(orders, as_of=as_of, tz=tz, engine="sql", connection=SHARED)

    assert summary.equals(expected)
    if summary.num_rows:
        scores = rfm_scores(summary, engine="numpy")
        assert scores.equals(rfm_scores(summary, engine="sql", connection=SHARED))
        grid = rf_grid(summary, engine="numpy")
        sql_grid = rf_grid(summary, engine="sql", connection=SHARED)
        assert grid.cells.equals(sql_grid.cells)
        assert grid.customers.equals(sql_grid.customers)
        assert grid.thresholds.as_tuple() == sql_grid.thresholds.as_tuple()


@pytest.mark.parametrize(
    ("categories", "order_step"),
    [(12, 1), (60_000, 1), (10**9, 10**7)],  # one block; many blocks; sparse values and orders
)
def test_favourites_numpy_equal_sql(categories: int, order_step: int) -> None:
    rng = np.random.default_rng(categories % 97)
    orders = random_orders(5, customers=200, orders=900)
    orders = orders.set_column(0, "order_id", pa.array(np.arange(1, 901) * order_step, pa.int64()))
    size = 2_500
    order_of_line = rng.integers(1, 905, size) * order_step  # a few lines of unknown orders
    category = rng.integers(0, 6, size) * (categories // 6) + 7
    lines = pa.table(
        {
            "order_id": pa.array(order_of_line, pa.int64()),
            "category_id": pa.array(category, pa.int64(), mask=rng.random(size) < 0.1),
            "brand_id": pa.array(rng.integers(1, 4, size), pa.int64()),  # many ties
            "amount": cents_to_decimal(rng.integers(-500, 5_000, size)),
        }
    )

    ours = customer_summary(orders, lines, as_of=AS_OF, engine="numpy")
    expected = customer_summary(orders, lines, as_of=AS_OF, engine="sql")

    assert ours.equals(expected)
    assert ours["favourite_category"].null_count < ours.num_rows
