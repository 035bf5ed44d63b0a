"""Cleaning the cells of an order file: times of sale, amounts, quantities, references."""

import datetime
from decimal import Decimal

import pytest

from guanxi.customers.imports.validation import CellError
from guanxi.orders.imports.cells import (
    clean_amount,
    clean_quantity,
    clean_reference,
    clean_time,
)

NOW = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)  # 16:00 in Shanghai
UTC = datetime.UTC


def utc(*parts):
    return datetime.datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-01-05 14:30", utc(2026, 1, 5, 6, 30)),
        ("2026-01-05 14:30:15", utc(2026, 1, 5, 6, 30, 15)),
        ("2026/1/5 9:05", utc(2026, 1, 5, 1, 5)),
        ("2026.1.5 9:05", utc(2026, 1, 5, 1, 5)),
        ("2026年1月5日 14:30", utc(2026, 1, 5, 6, 30)),
        ("2026年1月5日14时30分", utc(2026, 1, 5, 6, 30)),
        ("2026年1月5日 14時30分15秒", utc(2026, 1, 5, 6, 30, 15)),
        ("２０２６－０１－０５　１４：３０", utc(2026, 1, 5, 6, 30)),
        ("2026-01-05T14:30:00+08:00", utc(2026, 1, 5, 6, 30)),
        ("2026-01-05T06:30:00Z", utc(2026, 1, 5, 6, 30)),
        ("2026-01-05 14:30:00.250", utc(2026, 1, 5, 6, 30, 0, 250000)),
        ("2026-01-05", utc(2026, 1, 4, 16, 0)),
        ("20260105", utc(2026, 1, 4, 16, 0)),
        ("20260105143000", utc(2026, 1, 5, 6, 30)),
        (20260105, utc(2026, 1, 4, 16, 0)),
        (datetime.datetime(2026, 1, 5, 14, 30), utc(2026, 1, 5, 6, 30)),
        (datetime.date(2026, 1, 5), utc(2026, 1, 4, 16, 0)),
        (46027.6041666667, utc(2026, 1, 5, 6, 30)),  # an Excel day count: 2026-01-05 14:30
    ],
    ids=lambda value: str(value) if not isinstance(value, datetime.datetime) else None,
)
def test_times_of_sale_are_read_as_local_time(cell, expected):
    assert clean_time(cell, now=NOW) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("2026-02-30 10:00", "This date does not exist."),
        ("2026-01-05 24:10", "This time of day does not exist."),
        ("2026-01-05 14:61", "This time of day does not exist."),
        (
            "05/01/2026",
            "This is not a time of sale; write it as 2024-01-05 14:30, 2024/1/5 14:30:00 or "
            "2024年1月5日 14:30.",
        ),
        (
            "yesterday",
            "This is not a time of sale; write it as 2024-01-05 14:30, 2024/1/5 14:30:00 or "
            "2024年1月5日 14:30.",
        ),
        ("2026-11-23 16:11", "The time of sale is in the future."),
        ("1969-12-31 10:00", "This time is before 1970; check the year."),
    ],
    ids=lambda value: value if not value[0].isupper() else None,
)
def test_impossible_times_are_refused(cell, reason):
    with pytest.raises(CellError) as error:
        clean_time(cell, now=NOW)

    assert error.value.reason == reason


def test_a_few_minutes_ahead_is_not_the_future():
    assert clean_time("2026-11-23 16:09", now=NOW) == utc(2026, 11, 23, 8, 9)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("1,280.50", "1280.50"),
        ("¥99", "99.00"),
        ("￥99.90", "99.90"),
        ("99元", "99.00"),
        ("RMB 1,000", "1000.00"),
        ("１２３.４５", "123.45"),
        ("0", "0.00"),
        (19.9, "19.90"),
        (1280, "1280.00"),
    ],
    ids=str,
)
def test_amounts(cell, expected):
    assert clean_amount(cell) == Decimal(expected)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("-5", "An amount cannot be negative."),
        ("−5", "An amount cannot be negative."),
        (-0.5, "An amount cannot be negative."),
        ("abc", "This is not an amount."),
        ("12,34", "This is not an amount."),
        ("1.2.3", "This is not an amount."),
        ("NaN", "This is not an amount."),
        ("Infinity", "This is not an amount."),
        ("12.345", "An amount has at most two decimal places."),
        ("10000000000", "This amount is too large."),
        (True, "This is not an amount."),
    ],
    ids=str,
)
def test_bad_amounts(cell, reason):
    with pytest.raises(CellError) as error:
        clean_amount(cell)

    assert error.value.reason == reason


@pytest.mark.parametrize(("cell", "expected"), [("3", 3), ("2.0", 2), (4, 4), (5.0, 5), ("３", 3)])
def test_quantities(cell, expected):
    assert clean_quantity(cell) == expected


@pytest.mark.parametrize("cell", ["0", "-1", "1.5", 2.5, "two", True])
def test_bad_quantities(cell):
    with pytest.raises(CellError) as error:
        clean_quantity(cell)

    assert error.value.reason == "The quantity must be a whole number of at least 1."


def test_references_are_trimmed_and_numbers_lose_their_decimal_point():
    assert clean_reference("  POS-1  ") == "POS-1"
    assert clean_reference(100234.0) == "100234"
    with pytest.raises(CellError) as error:
        clean_reference("X" * 65)
    assert error.value.reason == "An order reference has at most 64 characters."
