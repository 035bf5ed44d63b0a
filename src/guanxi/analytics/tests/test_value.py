"""Deciles, margin concentration, ABC classes, the pyramid, profitability and the ideal customer
profile on the hand-made data set, and their sums on random data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from guanxi.analytics.rfm import customer_summary
from guanxi.analytics.tests.test_rfm_data import AS_OF, customers_table, orders_table
from guanxi.analytics.value import (
    CLASS_SCHEMA,
    CONCENTRATION_SCHEMA,
    DECILES_SCHEMA,
    PROFILE_SCHEMA,
    PROFITABILITY_SCHEMA,
    abc_classes,
    age_band_labels,
    customer_profitability,
    customer_pyramid,
    ideal_customer_profile,
    margin_concentration,
    value_deciles,
)

TOTAL = Decimal("2180.00")  # 500 + 80 + 1500 + 100
MARGIN = Decimal("900.00")  # 140 + 10 + 750 + unknown


def rows(table: pa.Table) -> list[tuple]:  # type: ignore[type-arg]
    return list(zip(*table.to_pydict().values(), strict=True))


@pytest.fixture(scope="module")
def summary() -> pa.Table:
    return customer_summary(orders_table(), as_of=AS_OF)


def test_monetary_deciles(summary: pa.Table) -> None:
    deciles = value_deciles(summary)

    # four buyers: one per decile, by spend 1500 (3), 500 (1), 100 (5), 80 (2); then six empty
    assert deciles.deciles.schema == DECILES_SCHEMA
    assert (deciles.total_customers, deciles.total_revenue, deciles.total_margin) == (
        4,
        TOTAL,
        MARGIN,
    )
    top = [
        (1, 1, Decimal("1500.00"), Decimal("750.00"), 0.25, 1500 / 2180, 750 / 900, 0.25,
         1500 / 2180, 750 / 900, Decimal("1500.00"), Decimal("1500.00"), 5, 5),
        (2, 1, Decimal("500.00"), Decimal("140.00"), 0.25, 500 / 2180, 140 / 900, 0.5,
         2000 / 2180, 890 / 900, Decimal("500.00"), Decimal("500.00"), 3, 3),
        (3, 1, Decimal("100.00"), Decimal("0.00"), 0.25, 100 / 2180, 0.0, 0.75,
         2100 / 2180, 890 / 900, Decimal("100.00"), Decimal("100.00"), 2, 2),
        (4, 1, Decimal("80.00"), Decimal("10.00"), 0.25, 80 / 2180, 10 / 900, 1.0,
         1.0, 1.0, Decimal("80.00"), Decimal("80.00"), 1, 1),
    ]  # fmt: skip
    empty = [
        (decile, 0, Decimal("0.00"), Decimal("0.00"), 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, None, None,
         None, None)
        for decile in range(5, 11)
    ]  # fmt: skip
    assert rows(deciles.deciles) == top + empty
    assert rows(deciles.customers) == [(1, 2), (2, 4), (3, 1), (5, 3)]


def test_purchase_deciles_break_ties_by_spend() -> None:
    # customers 1 and 2 both buy on one day; 2 spends more, so 2 comes first
    orders = orders_table().filter(pa.array([row in (0, 4) for row in range(15)]))
    summary = customer_summary(orders, as_of=AS_OF)

    deciles = value_deciles(summary, by="purchases")

    assert rows(deciles.customers) == [(1, 1), (2, 2)]
    assert deciles.deciles["revenue"].to_pylist()[:3] == [
        Decimal("100.00"),
        Decimal("80.00"),
        Decimal("0.00"),
    ]


def test_margin_concentration(summary: pa.Table) -> None:
    table = margin_concentration(summary)

    # margins 750, 140, 10, unknown (0) of 900: 750 reaches 80% (720) but not 90% (810);
    # with 140 it reaches 90%; all of 900 takes three customers
    assert table.schema == CONCENTRATION_SCHEMA
    assert rows(table) == [
        *[(k / 10, 1, 0.25, Decimal("750.00")) for k in range(1, 9)],
        (0.9, 2, 0.5, Decimal("890.00")),
        (1.0, 3, 0.75, Decimal("900.00")),
    ]


def test_margin_concentration_without_margin_is_empty() -> None:
    orders = orders_table().drop_columns(["margin"])
    summary = customer_summary(orders, as_of=AS_OF)

    table = margin_concentration(summary)

    assert table.num_rows == 10
    assert table["customers"].null_count == 10


def test_abc_classes(summary: pa.Table) -> None:
    classes = abc_classes(summary)

    # 80% of 2180 is 1744: 3 (0 before) and 1 (1500 before) are A; 95% is 2071: 5 (2000
    # before) is B; 2 (2100 before) is C
    assert classes.levels.schema == CLASS_SCHEMA
    assert rows(classes.levels) == [
        ("A", 2, Decimal("2000.00"), 0.5, 2000 / 2180),
        ("B", 1, Decimal("100.00"), 0.25, 100 / 2180),
        ("C", 1, Decimal("80.00"), 0.25, 80 / 2180),
    ]
    assert rows(classes.customers) == [(1, "A"), (2, "C"), (3, "A"), (5, "B")]


def test_abc_thresholds_are_exact(summary: pa.Table) -> None:
    # A while the spend before is under 0.6880733944954128 × 2180 = 1499.999999999999904, a
    # hair under the 1500 of customer 3 alone: customer 1 is no longer A (exact decimals)
    classes = abc_classes(summary, a_share=0.6880733944954128, b_share=0.95)

    assert rows(classes.customers)[0] == (1, "B")


def test_pyramid(summary: pa.Table) -> None:
    pyramid = customer_pyramid(summary, customers_table(), as_of=AS_OF)

    # four active buyers: ⌈1% · 4⌉ = ⌈5% · 4⌉ = ⌈20% · 4⌉ = 1, so one top and three small;
    # prospects: 4 (bought only after as_of) and 6; 7 registered after as_of
    assert pyramid.levels.schema == CLASS_SCHEMA
    assert rows(pyramid.levels) == [
        ("top", 1, Decimal("1500.00"), 1 / 6, 1500 / 2180),
        ("large", 0, Decimal("0.00"), 0.0, 0.0),
        ("medium", 0, Decimal("0.00"), 0.0, 0.0),
        ("small", 3, Decimal("680.00"), 0.5, 680 / 2180),
        ("inactive", 0, Decimal("0.00"), 0.0, 0.0),
        ("prospect", 2, Decimal("0.00"), 1 / 3, 0.0),
    ]
    assert pyramid.total_customers == 6
    assert rows(pyramid.customers) == [
        (1, "small"),
        (2, "small"),
        (3, "top"),
        (4, "prospect"),
        (5, "small"),
        (6, "prospect"),
    ]


def test_pyramid_levels_and_inactive_customers(summary: pa.Table) -> None:
    pyramid = customer_pyramid(
        summary, customers_table(), inactive_days=100, cumulative_shares=(0.34, 0.67, 0.99)
    )

    # customer 3 (242 days) is inactive; of 1, 5, 2 ⌈0.34·3⌉ = 2 are top, ⌈0.67·3⌉ = 3 large;
    # without as_of customer 7 is a prospect too
    assert rows(pyramid.customers) == [
        (1, "top"),
        (2, "large"),
        (3, "inactive"),
        (4, "prospect"),
        (5, "top"),
        (6, "prospect"),
        (7, "prospect"),
    ]
    assert sum(pyramid.levels["customers"].to_pylist()) == 7


def test_pyramid_without_customers_table(summary: pa.Table) -> None:
    pyramid = customer_pyramid(summary, inactive_days=0)

    # only customer 2 bought today: the one active buyer is top
    assert rows(pyramid.customers) == [
        (1, "inactive"),
        (2, "top"),
        (3, "inactive"),
        (5, "inactive"),
    ]


def test_profitability_flags_deal_customers(summary: pa.Table) -> None:
    table = customer_profitability(summary)

    assert table.schema == PROFITABILITY_SCHEMA
    assert rows(table) == [
        (3, 1, Decimal("1500.00"), Decimal("750.00"), 0.5, Decimal("0.00"), 0.0, 750 / 900, False),
        (1, 2, Decimal("500.00"), Decimal("140.00"), 0.4, Decimal("60.00"), 60 / 560, 890 / 900,
         False),
        # 20% discount, 12.5% margin: a deal customer
        (2, 3, Decimal("80.00"), Decimal("10.00"), 0.125, Decimal("20.00"), 0.2, 1.0, True),
        # unknown margin: never flagged
        (5, 4, Decimal("100.00"), None, None, Decimal("0.00"), 0.0, 1.0, False),
    ]  # fmt: skip


def test_profitability_thresholds(summary: pa.Table) -> None:
    table = customer_profitability(summary, deal_discount_share=0.1, deal_margin_ratio=0.4)

    # customer 1: 10.7% discount, 40% margin; customer 2 still qualifies
    assert table["deal"].to_pylist() == [False, True, True, False]


def test_ideal_customer_profile(summary: pa.Table) -> None:
    profile = ideal_customer_profile(summary, customers_table(), as_of=AS_OF, top_share=0.5)

    # top half by spend: 3 and 1 (women from Shanghai on WeChat, members, store 1, born 1985
    # and 1990: 39 and 34 in 2024); all buyers: 1, 2, 3, 5
    assert profile.schema == PROFILE_SCHEMA
    assert rows(profile) == [
        ("age_band", "30-39", 2, 2, 1.0, 0.5, 2.0),
        ("has_membership", "true", 2, 2, 1.0, 0.5, 2.0),
        ("preferred_channel", "wechat", 2, 2, 1.0, 0.5, 2.0),
        ("store_id", "1", 2, 2, 1.0, 0.5, 2.0),
        ("tier_rank", "2", 1, 1, 0.5, 0.25, 2.0),
        ("tier_rank", "3", 1, 1, 0.5, 0.25, 2.0),
        ("city", "Shanghai", 2, 3, 1.0, 0.75, 1.0 / 0.75),
        ("gender", "F", 2, 3, 1.0, 0.75, 1.0 / 0.75),
        ("age_band", "20-29", 0, 1, 0.0, 0.25, 0.0),
        ("city", "Beijing", 0, 1, 0.0, 0.25, 0.0),
        ("gender", "M", 0, 1, 0.0, 0.25, 0.0),
        ("has_membership", "false", 0, 2, 0.0, 0.5, 0.0),
        ("preferred_channel", "phone", 0, 1, 0.0, 0.25, 0.0),
        ("preferred_channel", "sms", 0, 1, 0.0, 0.25, 0.0),
        ("store_id", "2", 0, 2, 0.0, 0.5, 0.0),
        ("tier_rank", "1", 0, 1, 0.0, 0.25, 0.0),
    ]


def test_ideal_customer_profile_minimum_support(summary: pa.Table) -> None:
    profile = ideal_customer_profile(
        summary, customers_table(), as_of=AS_OF, top_share=0.2, min_support=0.5
    )

    # the top ⌈0.2 · 4⌉ = 1 buyer is customer 3; values held by at least 2 of the 4 buyers
    assert [(row[0], row[1], row[2], row[3]) for row in rows(profile)] == [
        ("age_band", "30-39", 1, 2),
        ("has_membership", "true", 1, 2),
        ("preferred_channel", "wechat", 1, 2),
        ("store_id", "1", 1, 2),
        ("city", "Shanghai", 1, 3),
        ("gender", "F", 1, 3),
        ("has_membership", "false", 0, 2),
        ("store_id", "2", 0, 2),
    ]


def test_age_bands() -> None:
    assert age_band_labels([20, 30, 40, 50, 60]) == [
        "<20",
        "20-29",
        "30-39",
        "40-49",
        "50-59",
        "60+",
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: value_deciles(s, by="margin"), "by must be"),
        (lambda s: abc_classes(s, a_share=0.9, b_share=0.8), "a_share"),
        (lambda s: abc_classes(s, a_share=1.5), "between 0 and 1"),
        (lambda s: customer_pyramid(s, cumulative_shares=(0.2, 0.1, 0.3)), "increasing"),
        (lambda s: customer_pyramid(s, inactive_days=-1), "inactive_days"),
        (
            lambda s: ideal_customer_profile(s, customers_table(), as_of=AS_OF, by="city"),
            "cannot rank",
        ),
    ],
)
def test_bad_settings_are_rejected(summary: pa.Table, call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call(summary)


def random_summary(seed: int) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(seed)
    size = 700
    micros = (
        int(datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC).timestamp()) * 1_000_000
        + rng.integers(0, 540 * 86_400, size) * 1_000_000
    )
    margins = rng.integers(-3_000, 20_000, size)
    orders = pa.table(
        {
            "customer_id": pa.array(rng.integers(1, 250, size), pa.int64()),
            "ordered_at": pa.array(micros, pa.int64()).cast(pa.timestamp("us", "UTC")),
            "net_amount": pa.array(
                [Decimal(int(v)).scaleb(-2) for v in rng.integers(0, 60_000, size)],
                pa.decimal128(14, 2),
            ),
            "margin": pa.array(
                [None if v < 0 else Decimal(int(v)).scaleb(-2) for v in margins],
                pa.decimal128(14, 2),
            ),
        }
    )
    customers = pa.table(
        {
            "customer_id": pa.array(range(1, 301), pa.int64()),
            "gender": pa.array(rng.choice(["F", "M"], 300).tolist()),
            "birth_year": pa.array(rng.integers(1950, 2006, 300), pa.int32()),
        }
    )
    return customer_summary(orders, as_of=datetime.date(2024, 6, 30)), customers


@pytest.mark.parametrize("seed", [1, 2])
def test_everything_adds_up_to_the_totals(seed: int) -> None:
    summary, customers = random_summary(seed)
    buyers = summary.num_rows
    revenue = sum(summary["total_spend"].to_pylist())
    margin = sum(value for value in summary["margin"].to_pylist() if value is not None)

    for by in ("total_spend", "purchases"):
        deciles = value_deciles(summary, by=by).deciles
        assert sum(deciles["customers"].to_pylist()) == buyers
        assert sum(deciles["revenue"].to_pylist()) == revenue
        assert sum(deciles["margin"].to_pylist()) == margin
        assert deciles["cumulative_revenue_share"][-1].as_py() == 1.0
        assert (
            sorted(deciles["customers"].to_pylist(), reverse=True)
            == deciles["customers"].to_pylist()
        )
    classes = abc_classes(summary).levels
    assert sum(classes["customers"].to_pylist()) == buyers
    assert sum(classes["revenue"].to_pylist()) == revenue
    pyramid = customer_pyramid(summary, customers, as_of=datetime.date(2024, 6, 30))
    assert sum(pyramid.levels["customers"].to_pylist()) == 300 == pyramid.customers.num_rows
    assert sum(pyramid.levels["revenue"].to_pylist()) == revenue
    concentration = margin_concentration(summary)
    assert concentration["margin"][-1].as_py() >= margin
    assert concentration["customers"].to_pylist() == sorted(concentration["customers"].to_pylist())
    profitability = customer_profitability(summary)
    assert profitability["cumulative_margin_share"][-1].as_py() == pytest.approx(1.0)
    profile = ideal_customer_profile(summary, customers, as_of=datetime.date(2024, 6, 30))
    genders = profile.filter(pa.compute.equal(profile["attribute"], "gender"))
    assert sum(genders["customers"].to_pylist()) == buyers
    assert sum(genders["top_customers"].to_pylist()) == -(-buyers // 5)
