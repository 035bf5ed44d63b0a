"""Sequence rules on hand-made purchase histories, and against a plain-Python count."""

from __future__ import annotations

import datetime

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.analytics.sequences import (
    SEQUENCE_RULES_SCHEMA,
    NextPurchase,
    likely_next_purchases,
    sequence_rules,
)

D = datetime.datetime
CLEANSER, TONER, SERUM, MASK = 10, 20, 30, 40
HISTORY = [
    # 1: toner later the same day does not count; toner exactly 90 days later does
    (1, D(2024, 1, 1, 9), CLEANSER),
    (1, D(2024, 1, 1, 18), TONER),
    (1, D(2024, 3, 31, 12), TONER),
    # 2: toner 91 days after the first cleanser; buying cleanser again starts nothing new
    (2, D(2024, 1, 1, 10), CLEANSER),
    (2, D(2024, 3, 15, 10), CLEANSER),
    (2, D(2024, 4, 1, 10), TONER),
    # 3: toner before the cleanser does not count, toner 30 days after it does
    (3, D(2024, 1, 1, 10), TONER),
    (3, D(2024, 1, 10, 10), CLEANSER),
    (3, D(2024, 2, 9, 10), TONER),
    # 4: serum, then cleanser the next day
    (4, D(2024, 2, 1, 10), SERUM),
    (4, D(2024, 2, 2, 10), CLEANSER),
    # 5: one mask, nothing else
    (5, D(2024, 5, 1, 10), MASK),
    # 6: cleanser, toner the next day and again later (counted once), serum two days after
    (6, D(2024, 6, 1, 10), CLEANSER),
    (6, D(2024, 6, 2, 10), TONER),
    (6, D(2024, 6, 3, 10), SERUM),
    (6, D(2024, 6, 20, 10), TONER),
]


def lines_of(rows, ordered_at_type: pa.DataType | None = None) -> pa.Table:
    return pa.table(
        {
            "customer_id": pa.array([row[0] for row in rows], pa.int64()),
            "ordered_at": pa.array([row[1] for row in rows], ordered_at_type or pa.timestamp("us")),
            "item": pa.array([row[2] for row in rows], pa.int64()),
        }
    )


def figures(table: pa.Table) -> list[tuple]:
    return [
        (row["antecedent"], row["consequent"], row["customers"], row["probability"], row["lift"])
        for row in table.to_pylist()
    ]


def test_hand_history_at_90_days():
    # when
    result = sequence_rules(lines_of(HISTORY), min_customers=1)

    # then six customers; cleanser was bought by 5, toner by 4, serum by 2, mask by 1
    assert (result.customers, result.window_days) == (6, 90)
    assert result.rules.schema == SEQUENCE_RULES_SCHEMA
    assert result.rules.to_pylist()[0] == {
        "antecedent": CLEANSER,
        "consequent": TONER,
        "customers": 3,  # customers 1 (90 days), 3 (30 days) and 6 (1 day)
        "antecedent_customers": 5,
        "consequent_customers": 4,
        "probability": 0.6,
        "support": 0.5,
        "base_rate": 4 / 6,
        "lift": 0.9,  # 0.6 / (4 / 6)
        "mean_days": 121 / 3,
    }
    assert figures(result.rules) == [
        (CLEANSER, TONER, 3, 0.6, 0.9),
        (CLEANSER, SERUM, 1, 0.2, 0.6),  # customer 6; customer 4 bought serum first
        (TONER, CLEANSER, 1, 0.25, 0.3),  # customer 3
        (TONER, SERUM, 1, 0.25, 0.75),  # customer 6
        (SERUM, CLEANSER, 1, 0.5, 0.6),  # customer 4
        (SERUM, TONER, 1, 0.5, 0.75),  # customer 6, 17 days after the serum
    ]
    assert result.rules["mean_days"].to_pylist() == [121 / 3, 2.0, 9.0, 1.0, 1.0, 17.0]


def test_window_and_minimum_customers():
    # a 30-day window keeps customer 3 (exactly 30 days) and 6, not customer 1 (90 days)
    thirty = sequence_rules(lines_of(HISTORY), window_days=30, min_customers=2)

    assert figures(thirty.rules) == [(CLEANSER, TONER, 2, 0.4, 0.6)]
    assert thirty.rules["mean_days"].to_pylist() == [15.5]
    assert figures(sequence_rules(lines_of(HISTORY), min_customers=4).rules) == []


def test_days_are_local_calendar_days():
    # given Shanghai times: customer 1 buys at 04:00 and 10:00 on 2 January (one UTC day
    # apart), customer 2 at 23:00 on 1 January and 01:00 on 2 January (the same UTC day)
    utc = datetime.UTC
    rows = [
        (1, D(2024, 1, 1, 20, tzinfo=utc), CLEANSER),
        (1, D(2024, 1, 2, 2, tzinfo=utc), TONER),
        (2, D(2024, 1, 1, 15, tzinfo=utc), CLEANSER),
        (2, D(2024, 1, 1, 17, tzinfo=utc), TONER),
    ]

    result = sequence_rules(lines_of(rows, pa.timestamp("us", tz="Asia/Shanghai")), min_customers=1)

    # then only customer 2 bought toner on a later (local) day
    assert figures(result.rules) == [(CLEANSER, TONER, 1, 0.5, 0.5)]


def test_dates_and_nulls_are_accepted():
    rows = [(1, D(2024, 1, 1).date(), CLEANSER), (1, D(2024, 1, 2).date(), TONER)]
    lines = pa.concat_tables(
        [
            lines_of(rows, pa.date32()),
            pa.table(
                {
                    "customer_id": pa.array([None, 2], pa.int64()),
                    "ordered_at": pa.array([D(2024, 1, 3).date(), None], pa.date32()),
                    "item": pa.array([SERUM, SERUM], pa.int64()),
                }
            ),
        ]
    )

    result = sequence_rules(lines, min_customers=1)

    assert result.customers == 1
    assert figures(result.rules) == [(CLEANSER, TONER, 1, 1.0, 1.0)]


def test_no_purchases():
    result = sequence_rules(lines_of([]), min_customers=1)

    assert (result.customers, result.rules.num_rows) == (0, 0)
    assert result.rules.schema == SEQUENCE_RULES_SCHEMA


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        pytest.param({"window_days": 0}, ValueError, id="window_case"),
        pytest.param({"min_customers": 0}, ValueError, id="min_customers_case"),
    ],
)
def test_invalid_arguments(arguments, error):
    with pytest.raises(error):
        sequence_rules(lines_of(HISTORY), **arguments)


def test_ordered_at_must_be_a_date_or_timestamp():
    lines = lines_of(HISTORY).set_column(1, "ordered_at", pa.array(["2024-01-01"] * 16))

    with pytest.raises(TypeError, match="ordered_at"):
        sequence_rules(lines)


def reference(rows, window_days, min_customers):
    """The definition, counted customer by customer in Python."""
    days: dict[tuple[int, int], set[int]] = {}
    for customer, day, item in rows:
        days.setdefault((customer, item), set()).add(day)
    customers = {customer for customer, _, _ in rows}
    buyers: dict[int, int] = {}
    for _customer, item in days:
        buyers[item] = buyers.get(item, 0) + 1
    followed: dict[tuple[int, int], list[int]] = {}
    for (customer, a), a_days in days.items():
        anchor = min(a_days)
        for (other, b), b_days in days.items():
            later = [day - anchor for day in b_days if 1 <= day - anchor <= window_days]
            if other == customer and b != a and later:
                followed.setdefault((a, b), []).append(min(later))
    return [
        (
            a,
            b,
            len(gaps),
            len(gaps) / buyers[a],
            len(gaps) * len(customers) / (buyers[a] * buyers[b]),
        )
        for (a, b), gaps in sorted(followed.items())
        if len(gaps) >= min_customers
    ]


@pytest.fixture(scope="module")
def connection():
    shared = duckdb.connect()
    yield shared
    shared.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 6), st.integers(0, 120), st.integers(1, 5)),
        min_size=1,
        max_size=40,
    ),
    window_days=st.integers(1, 60),
    min_customers=st.integers(1, 3),
)
def test_random_histories_match_the_definition(connection, rows, window_days, min_customers):
    start = datetime.date(2024, 1, 1)
    lines = lines_of(
        [(c, start + datetime.timedelta(days=day), item) for c, day, item in rows], pa.date32()
    )

    result = sequence_rules(
        lines, window_days=window_days, min_customers=min_customers, connection=connection
    )

    assert figures(result.rules) == reference(rows, window_days, min_customers)


# --- likely next purchases ----------------------------------------------------------------


@pytest.fixture(scope="module")
def hand_rules():
    return sequence_rules(lines_of(HISTORY), min_customers=1).rules


def test_likely_next_purchases_from_what_was_bought(hand_rules):
    # a customer who bought cleanser on 1 June: toner (60%), then serum (20%)
    history = {CLEANSER: datetime.date(2024, 6, 1)}

    assert likely_next_purchases(
        hand_rules, history, as_of=datetime.date(2024, 6, 10), min_lift=0.0
    ) == [
        NextPurchase(item=TONER, antecedent=CLEANSER, probability=0.6, lift=0.9, customers=3),
        NextPurchase(item=SERUM, antecedent=CLEANSER, probability=0.2, lift=0.6, customers=1),
    ]
    # no rule lifts toner or serum above their base rate
    assert likely_next_purchases(hand_rules, history, as_of=datetime.date(2024, 6, 10)) == []


@pytest.mark.parametrize(
    ("recent_days", "items"),
    [
        # cut-off 11 May: cleanser and toner are recent; serum via toner (25%) beats via cleanser
        pytest.param(30, [(SERUM, TONER)], id="both_recent_case"),
        # cut-off 5 June: toner, bought that day, is still recent; cleanser (1 June) is not
        pytest.param(5, [(SERUM, TONER), (CLEANSER, TONER)], id="cutoff_day_is_recent_case"),
        # cut-off 6 June: nothing is recent; cleanser and serum tie at 25%, serum lifts more
        pytest.param(4, [(TONER, CLEANSER), (SERUM, TONER), (CLEANSER, TONER)], id="none_case"),
    ],
)
def test_likely_next_purchases_leave_out_recent_items(hand_rules, recent_days, items):
    history = {CLEANSER: datetime.date(2024, 6, 1), TONER: datetime.datetime(2024, 6, 5, 15)}

    found = likely_next_purchases(
        hand_rules,
        history,
        as_of=datetime.date(2024, 6, 10),
        recent_days=recent_days,
        min_lift=0.0,
    )

    assert [(n.item, n.antecedent) for n in found] == items


def test_likely_next_purchases_limit_and_empty(hand_rules):
    history = {CLEANSER: datetime.date(2024, 1, 1)}
    as_of = datetime.date(2024, 6, 10)

    assert len(likely_next_purchases(hand_rules, history, as_of=as_of, min_lift=0, limit=1)) == 1
    assert likely_next_purchases(hand_rules, {}, as_of=as_of) == []
    assert likely_next_purchases(hand_rules, {MASK: as_of}, as_of=as_of, min_lift=0) == []
