from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from guanxi.core.money import allocate, format_money, money_round


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        pytest.param("0.005", "0.01", id="half_up_case"),
        pytest.param("-0.005", "-0.01", id="half_away_from_zero_case"),
        pytest.param("10.994", "10.99", id="down_case"),
        pytest.param(3, "3.00", id="integer_case"),
    ],
)
def test_money_round(amount, expected):
    assert money_round(amount) == Decimal(expected)


def test_float_is_refused():
    with pytest.raises(TypeError):
        money_round(0.1)  # type: ignore[arg-type]


def test_allocate_puts_remainder_on_last_line():
    assert allocate(Decimal("10.00"), [1, 1, 1]) == [
        Decimal("3.33"),
        Decimal("3.33"),
        Decimal("3.34"),
    ]


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2),
    weights=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=30),
)
def test_allocate_always_sums_to_total(total, weights):
    shares = allocate(total, weights)

    assert sum(shares) == total
    assert len(shares) == len(weights)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        pytest.param("en", "CN¥1,234.50", id="english_case"),
        pytest.param("zh-hans", "¥1,234.50", id="simplified_case"),
        pytest.param("zh-hant", "CN¥1,234.50", id="traditional_case"),
    ],
)
def test_format_money_per_locale(language, expected):
    with translation.override(language):
        assert format_money(Decimal("1234.5")) == expected


@pytest.mark.parametrize(
    ("template_text", "language", "expected"),
    [
        pytest.param("{{ amount|money }}", "zh-hans", "¥1,234.50", id="default_currency_case"),
        pytest.param(
            '{{ amount|money:"HKD" }}', "zh-hant", "HK$1,234.50", id="other_currency_case"
        ),
        pytest.param("{{ missing|money }}", "en", "", id="empty_case"),
    ],
)
def test_money_filter(template_text, language, expected):
    from django.template import Context, Template

    with translation.override(language):
        rendered = Template("{% load guanxi %}" + template_text).render(
            Context({"amount": Decimal("1234.5")})
        )

    assert rendered == expected


def test_currency_comes_from_settings(settings):
    settings.GUANXI_CURRENCY = "HKD"

    with translation.override("en"):
        assert format_money(Decimal("10")) == "HK$10.00"
