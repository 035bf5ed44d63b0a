"""Cleaning single cells: phones a spreadsheet mangled, Chinese dates, genders, consents."""

import datetime

import pytest

from guanxi.customers.imports.validation import (
    CellError,
    clean_birthday,
    clean_consent,
    clean_gender,
    clean_phone,
)

TODAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("13800138000", "+8613800138000", id="plain_case"),
        pytest.param("13800138000.0", "+8613800138000", id="float_text_case"),
        pytest.param(13800138000.0, "+8613800138000", id="float_cell_case"),
        pytest.param(13800138000, "+8613800138000", id="int_cell_case"),
        pytest.param("1.3800138E+10", "+8613800138000", id="scientific_all_digits_case"),
        pytest.param("1.3800138e10", "+8613800138000", id="scientific_lower_case"),
        pytest.param("１３８００１３８０００", "+8613800138000", id="full_width_case"),
        pytest.param("+86 138 0013 8000", "+8613800138000", id="plus86_case"),
        pytest.param("0086 13800138000", "+8613800138000", id="0086_case"),
        pytest.param("8613800138000", "+8613800138000", id="86_case"),
        pytest.param("021-12345678", "+862112345678", id="landline_case"),
    ],
)
def test_phone_is_recovered(value, expected):
    assert clean_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param(
            "1.38001E+10",
            "The spreadsheet rounded this number; digits were lost.",
            id="rounded_case",
        ),
        pytest.param(
            "1.38E+10", "The spreadsheet rounded this number; digits were lost.", id="3_digits_case"
        ),
        pytest.param("12345", "This is not a valid phone number.", id="short_case"),
        pytest.param("13800138000.5", "This is not a valid phone number.", id="fraction_case"),
        pytest.param(13800138000.5, "This is not a phone number.", id="fraction_cell_case"),
    ],
)
def test_phone_is_rejected_with_reason(value, reason):
    with pytest.raises(CellError) as error:
        clean_phone(value)

    assert error.value.reason == reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2024/1/5", datetime.date(2024, 1, 5), id="slashes_case"),
        pytest.param("2024-01-05", datetime.date(2024, 1, 5), id="iso_case"),
        pytest.param("2024.1.5", datetime.date(2024, 1, 5), id="dots_case"),
        pytest.param("2024年1月5日", datetime.date(2024, 1, 5), id="chinese_case"),
        pytest.param("２０２４年１月５日", datetime.date(2024, 1, 5), id="full_width_case"),
        pytest.param("20240105", datetime.date(2024, 1, 5), id="compact_case"),
        pytest.param(20240105, datetime.date(2024, 1, 5), id="compact_number_case"),
        pytest.param(45296, datetime.date(2024, 1, 5), id="excel_serial_case"),
        pytest.param("2024-01-05 00:00:00", datetime.date(2024, 1, 5), id="with_time_case"),
        pytest.param(datetime.datetime(2024, 1, 5), datetime.date(2024, 1, 5), id="cell_case"),
    ],
)
def test_birthday_formats_are_accepted(value, expected):
    assert clean_birthday(value, today=TODAY) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param("2023-02-30", "This date does not exist.", id="feb_30_case"),
        pytest.param("2023/13/01", "This date does not exist.", id="month_13_case"),
        pytest.param("2026-11-24", "A birthday cannot be in the future.", id="future_case"),
        pytest.param(
            "1906-11-22",
            "This birthday would make the customer older than 120 years.",
            id="too_old_case",
        ),
        pytest.param(
            "next tuesday",
            "This is not a date; write it as 2024-01-05, 2024/1/5 or 2024年1月5日.",
            id="words_case",
        ),
    ],
)
def test_impossible_birthdays_are_rejected(value, reason):
    with pytest.raises(CellError) as error:
        clean_birthday(value, today=TODAY)

    assert error.value.reason == reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("男", "male"),
        ("女", "female"),
        ("M", "male"),
        ("f", "female"),
        ("Male", "male"),
        ("female", "female"),
        ("女士", "female"),
        ("保密", ""),
    ],
)
def test_gender_words(value, expected):
    assert clean_gender(value) == expected


def test_unknown_gender_is_rejected():
    with pytest.raises(CellError):
        clean_gender("?")


@pytest.mark.parametrize(
    ("value", "expected"), [("是", True), ("yes", True), (True, True), ("否", False), ("N", False)]
)
def test_consent_words(value, expected):
    assert clean_consent(value) is expected


def test_fast_mobile_path_agrees_with_phone_normalise():
    # given every 3-digit mobile prefix with random subscriber numbers, 179 included
    import random

    from django.core.exceptions import ValidationError

    from guanxi.customers.phones import phone_normalise

    rng = random.Random(3)
    numbers = [f"1{p:02d}{rng.randrange(10**8):08d}" for p in range(30, 100) for _ in range(20)]

    # when each is cleaned as a cell and normalised as the customer form does
    for number in numbers:
        try:
            expected = phone_normalise(number)
        except ValidationError:
            expected = None
        try:
            got = clean_phone(number)
        except CellError:
            got = None

        # then both agree
        assert got == expected, number
