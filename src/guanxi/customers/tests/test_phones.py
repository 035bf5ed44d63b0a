import pytest
from django.core.exceptions import ValidationError

from guanxi.customers.phones import phone_normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("13800138000", "+8613800138000", id="mobile_case"),
        pytest.param(" 138 0013 8000 ", "+8613800138000", id="mobile_spaces_case"),
        pytest.param("138-0013-8000", "+8613800138000", id="mobile_dashes_case"),
        pytest.param("+86 138 0013 8000", "+8613800138000", id="plus86_case"),
        pytest.param("0086-13800138000", "+8613800138000", id="0086_case"),
        pytest.param("8613800138000", "+8613800138000", id="86_without_plus_case"),
        pytest.param("(+86) 199.1234.5678", "+8619912345678", id="brackets_and_dots_case"),
        pytest.param("021-1234 5678", "+862112345678", id="landline_case"),
        pytest.param("+86 21 1234 5678", "+862112345678", id="landline_international_case"),
        pytest.param("0755 8888 1234", "+8675588881234", id="landline_3_digit_area_case"),
        pytest.param("+1 415 555 2671", "+14155552671", id="foreign_case"),
        pytest.param("00852 9123 4567", "+85291234567", id="hong_kong_0085_case"),
    ],
)
def test_normalises_to_e164(raw, expected):
    assert phone_normalise(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty_case"),
        pytest.param("1380013800", id="mobile_too_short_case"),
        pytest.param("138001380001", id="mobile_too_long_case"),
        pytest.param("12800138000", id="not_a_mobile_prefix_case"),
        pytest.param("+86 138 0013 80", id="plus86_too_short_case"),
        pytest.param("phone me", id="letters_case"),
        pytest.param("+12", id="foreign_too_short_case"),
        pytest.param("0211234", id="landline_too_short_case"),
    ],
)
def test_refuses_what_is_not_a_phone_number(raw):
    with pytest.raises(ValidationError) as exc:
        phone_normalise(raw)
    assert exc.value.code == "invalid_phone"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("１３８００１３８０００", "+8613800138000", id="full_width_digits_case"),
        pytest.param(
            "＋８６ １３８ ００１３ ８０００", "+8613800138000", id="full_width_plus_case"
        ),
    ],
)
def test_full_width_input(raw, expected):
    assert phone_normalise(raw) == expected


def test_region_setting_reads_national_numbers(settings):
    settings.GUANXI_PHONE_REGION = "HK"

    assert phone_normalise("9123 4567") == "+85291234567"
