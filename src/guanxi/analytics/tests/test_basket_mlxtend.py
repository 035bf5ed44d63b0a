"""``basket_rules`` gives mlxtend's ``fpgrowth`` + ``association_rules`` figures on random baskets."""

from __future__ import annotations

import inspect
import math

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mlxtend.frequent_patterns import association_rules, fpgrowth

from guanxi.analytics.basket import BasketRules, basket_rules

TOLERANCE = 1e-9


def lines_of(baskets: list[list[int]]) -> pa.Table:
    return pa.table(
        {
            "basket_id": pa.array(
                [number for number, basket in enumerate(baskets) for _ in basket], pa.int64()
            ),
            "item": pa.array([item for basket in baskets for item in basket], pa.int64()),
        }
    )


def mlxtend_result(
    baskets: list[list[int]], min_support: float, max_len: int | None
) -> tuple[dict, dict]:
    """mlxtend's itemsets ``{items: support}`` and rules ``{(a, c): {figure: value}}``."""
    items = sorted({item for basket in baskets for item in basket})
    frame = pd.DataFrame(
        [[item in basket for item in items] for basket in baskets], columns=items, dtype=bool
    )
    itemsets = fpgrowth(frame, min_support=min_support, use_colnames=True, max_len=max_len)
    found = {
        frozenset(itemset): support
        for itemset, support in zip(itemsets["itemsets"], itemsets["support"], strict=True)
    }
    if not found:
        return found, {}
    figures = ["support", "confidence", "lift", "leverage", "conviction"]
    options: dict = {"metric": "confidence", "min_threshold": 0.0}
    parameters = inspect.signature(association_rules).parameters
    if "num_itemsets" in parameters:
        options["num_itemsets"] = len(frame)  # required since mlxtend 0.23.2
    if "return_metrics" in parameters:
        options["return_metrics"] = figures
    rules = association_rules(itemsets, **options)
    return found, {
        (frozenset(row["antecedents"]), frozenset(row["consequents"])): {
            figure: row[figure] for figure in figures
        }
        for row in rules.to_dict("records")
    }


def assert_same_as_mlxtend(ours: BasketRules, baskets, min_support, max_len) -> None:
    itemsets, rules = mlxtend_result(baskets, min_support, max_len)
    assert {
        frozenset(row["itemset"]): row["support"] for row in ours.itemsets.to_pylist()
    } == itemsets
    mine = {
        (frozenset(row["antecedent"]), frozenset(row["consequent"])): row
        for row in ours.rules.to_pylist()
    }
    assert mine.keys() == rules.keys()
    for key, theirs in rules.items():
        for figure, value in theirs.items():
            if math.isinf(value):
                assert math.isinf(mine[key][figure]), (key, figure)
            else:
                assert mine[key][figure] == pytest.approx(value, rel=TOLERANCE, abs=TOLERANCE)


@pytest.fixture(scope="module")
def connection():
    shared = duckdb.connect()
    yield shared
    shared.close()


baskets_strategy = st.lists(
    st.lists(st.integers(0, 9), min_size=1, max_size=7), min_size=1, max_size=40
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    baskets=baskets_strategy,
    min_count=st.integers(1, 8),
    max_len=st.sampled_from([1, 2, 3, None]),
)
def test_random_baskets_match_mlxtend(connection, baskets, min_count, max_len):
    # given a support halfway between two counts, so that rounding cannot decide
    min_support = min(1.0, (min_count - 0.5) / len(baskets))

    # when
    ours = basket_rules(
        lines_of(baskets), min_support=min_support, max_len=max_len, connection=connection
    )

    # then
    assert_same_as_mlxtend(ours, baskets, min_support, max_len)


def test_skewed_shop_matches_mlxtend(connection):
    # given 600 baskets of 25 products with a popularity skew and two affinities
    rng = np.random.default_rng(7)
    weights = 1 / np.arange(1, 26)
    baskets = []
    for _ in range(600):
        basket = rng.choice(25, size=1 + rng.poisson(2), p=weights / weights.sum()).tolist()
        if 0 in basket and rng.random() < 0.6:
            basket.append(11)
        if 3 in basket and rng.random() < 0.5:
            basket += [17, 19]
        baskets.append([100 + item for item in basket])

    # when
    ours = basket_rules(lines_of(baskets), min_support=0.015, connection=connection)

    # then itemsets of three items are found, and everything matches
    assert ours.itemsets["size"].to_pylist().count(3) > 5
    assert_same_as_mlxtend(ours, baskets, 0.015, 3)


def test_support_equal_to_the_minimum_is_kept_where_mlxtend_drops_it():
    # given {1, 2} in 7 of 25 baskets at a support of 0.28: 7 / 25 == 0.28, but mlxtend prunes
    # its conditional trees with ceil(0.28 * 25) == ceil(7.000000000000001) == 8 baskets
    baskets = [[1, 2]] * 7 + [[3]] * 8 + [[4]] * 10

    # when
    ours = basket_rules(lines_of(baskets), min_support=0.28)
    itemsets, _ = mlxtend_result(baskets, 0.28, 3)

    # then the pair is frequent here; mlxtend keeps the items but drops the pair
    assert ours.itemsets["itemset"].to_pylist() == [[1], [2], [3], [4], [1, 2]]
    assert set(itemsets) == {frozenset({1}), frozenset({2}), frozenset({3}), frozenset({4})}
