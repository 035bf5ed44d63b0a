"""Association rules on hand-made baskets, with their figures worked out on paper."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from guanxi.analytics.basket import (
    ITEMSETS_SCHEMA,
    RULES_SCHEMA,
    Suggestion,
    basket_rules,
    min_basket_count,
    often_bought_together,
)

# The textbook shop: 1 bread, 2 milk, 3 nappies, 4 beer, 5 eggs, 6 cola.
SHOP = [[1, 2], [1, 3, 4, 5], [2, 3, 4, 6], [1, 2, 3, 4], [1, 2, 3, 6]]
# Eight baskets; item 1 twice in the first (counts once), {1, 2, 3} in two of them.
ROUTINE = [[1, 2, 3, 1], [1, 2, 3], [1, 2], [1, 3], [2, 3, 4], [4], [5], [4, 5]]


def lines_of(baskets: list[list[int]]) -> pa.Table:
    return pa.table(
        {
            "basket_id": pa.array(
                [number for number, basket in enumerate(baskets, 1) for _ in basket], pa.int64()
            ),
            "item": pa.array([item for basket in baskets for item in basket], pa.int64()),
        }
    )


def rule(result_rules: pa.Table, antecedent: list[int], consequent: list[int]) -> dict:
    matches = [
        row
        for row in result_rules.to_pylist()
        if row["antecedent"] == antecedent and row["consequent"] == consequent
    ]
    assert len(matches) == 1
    return matches[0]


def test_textbook_itemsets_and_rules():
    # given five baskets and a support of 60% (three baskets)
    lines = lines_of(SHOP)

    # when
    result = basket_rules(lines, min_support=0.6)

    # then four items and four pairs are frequent, no triple
    assert result.baskets == 5
    assert result.min_count == 3
    assert result.itemsets.schema == ITEMSETS_SCHEMA
    assert result.itemsets.to_pylist() == [
        {"itemset": [1], "size": 1, "count": 4, "support": 0.8},
        {"itemset": [2], "size": 1, "count": 4, "support": 0.8},
        {"itemset": [3], "size": 1, "count": 4, "support": 0.8},
        {"itemset": [4], "size": 1, "count": 3, "support": 0.6},
        {"itemset": [1, 2], "size": 2, "count": 3, "support": 0.6},
        {"itemset": [1, 3], "size": 2, "count": 3, "support": 0.6},
        {"itemset": [2, 3], "size": 2, "count": 3, "support": 0.6},
        {"itemset": [3, 4], "size": 2, "count": 3, "support": 0.6},
    ]
    # and each pair gives a rule both ways
    assert result.rules.schema == RULES_SCHEMA
    assert [(row["antecedent"], row["consequent"]) for row in result.rules.to_pylist()] == [
        ([1], [2]),
        ([1], [3]),
        ([2], [1]),
        ([2], [3]),
        ([3], [1]),
        ([3], [2]),
        ([3], [4]),
        ([4], [3]),
    ]
    # beer always comes with nappies: 3 of 5 baskets; beer in 3, nappies in 4
    assert rule(result.rules, [4], [3]) == {
        "antecedent": [4],
        "consequent": [3],
        "count": 3,
        "antecedent_support": 0.6,
        "consequent_support": 0.8,
        "support": 0.6,
        "confidence": 1.0,
        "lift": 1.25,  # 1.0 / 0.8
        "leverage": 0.12,  # 0.6 - 0.6 * 0.8
        "conviction": float("inf"),
    }
    assert rule(result.rules, [3], [4]) == {
        "antecedent": [3],
        "consequent": [4],
        "count": 3,
        "antecedent_support": 0.8,
        "consequent_support": 0.6,
        "support": 0.6,
        "confidence": 0.75,
        "lift": 1.25,
        "leverage": 0.12,
        "conviction": 1.6,  # (1 - 0.6) / (1 - 0.75)
    }
    bread_milk = rule(result.rules, [1], [2])
    assert (bread_milk["confidence"], bread_milk["lift"]) == (0.75, 0.9375)
    assert (bread_milk["leverage"], bread_milk["conviction"]) == (-0.04, 0.8)


def test_triples_splits_and_duplicates():
    # given eight baskets, the first holding item 1 twice, at a support of two baskets
    lines = lines_of(ROUTINE)

    # when
    result = basket_rules(lines, min_support=0.25)

    # then the duplicate counts once, a support equal to min_support is kept, {1, 2, 3} is found
    assert (result.baskets, result.min_count) == (8, 2)
    assert [(row["itemset"], row["count"]) for row in result.itemsets.to_pylist()] == [
        ([1], 4),
        ([2], 4),
        ([3], 4),
        ([4], 3),
        ([5], 2),
        ([1, 2], 3),
        ([1, 3], 3),
        ([2, 3], 3),
        ([1, 2, 3], 2),
    ]
    # and the triple splits six ways after the six rules of the three pairs
    assert result.rules.num_rows == 12
    assert [(row["antecedent"], row["consequent"]) for row in result.rules.to_pylist()[6:]] == [
        ([1], [2, 3]),
        ([2], [1, 3]),
        ([3], [1, 2]),
        ([1, 2], [3]),
        ([1, 3], [2]),
        ([2, 3], [1]),
    ]
    assert rule(result.rules, [1, 2], [3]) == {
        "antecedent": [1, 2],
        "consequent": [3],
        "count": 2,
        "antecedent_support": 0.375,
        "consequent_support": 0.5,
        "support": 0.25,
        "confidence": 2 / 3,
        "lift": 4 / 3,  # 2 * 8 / (3 * 4)
        "leverage": 0.0625,  # (2 * 8 - 3 * 4) / 64
        "conviction": 1.5,  # (8 - 4) * 3 / (8 * (3 - 2))
    }
    three_then_pair = rule(result.rules, [3], [1, 2])
    assert (three_then_pair["confidence"], three_then_pair["lift"]) == (0.5, 4 / 3)
    assert three_then_pair["conviction"] == 1.25  # (8 - 3) * 4 / (8 * (4 - 2))
    one_then_two = rule(result.rules, [1], [2])
    assert (one_then_two["confidence"], one_then_two["lift"]) == (0.75, 1.5)
    assert (one_then_two["leverage"], one_then_two["conviction"]) == (0.125, 2.0)


@pytest.mark.parametrize(
    ("max_len", "itemsets", "rules"),
    [
        pytest.param(1, 5, 0, id="singles_case"),
        pytest.param(2, 8, 6, id="pairs_case"),
        pytest.param(3, 9, 12, id="triples_case"),
        pytest.param(None, 9, 12, id="unlimited_case"),
    ],
)
def test_max_len(max_len, itemsets, rules):
    result = basket_rules(lines_of(ROUTINE), min_support=0.25, max_len=max_len)

    assert (result.itemsets.num_rows, result.rules.num_rows) == (itemsets, rules)
    assert max(result.itemsets["size"].to_pylist()) == min(max_len or 3, 3)


def test_min_confidence_leaves_out_weaker_rules():
    # when only rules of at least 70% confidence are asked for
    result = basket_rules(lines_of(ROUTINE), min_support=0.25, min_confidence=0.7)

    # then the six pair rules (3/4) stay and the triple's (2/3, 2/4) go; itemsets are unchanged
    assert result.rules["confidence"].to_pylist() == [0.75] * 6
    assert result.itemsets.num_rows == 9


def test_four_item_itemsets_prune_on_every_subset():
    # given {1, 2, 3, 4} twice, {1, 2, 3, 5} twice and {1, 2, 4, 5} once
    baskets = [[1, 2, 3, 4]] * 2 + [[1, 2, 3, 5]] * 2 + [[1, 2, 4, 5], [3, 4, 5]]

    # when
    result = basket_rules(lines_of(baskets), min_support=2 / 6, max_len=None)

    # then the five items, the ten pairs, seven triples ({1, 4, 5}, {2, 4, 5} and {3, 4, 5}
    # are in one basket each) and two quadruples are frequent; {1, 2, 4, 5} is not a candidate
    sizes = result.itemsets["size"].to_pylist()
    assert [sizes.count(size) for size in (1, 2, 3, 4)] == [5, 10, 7, 2]
    fours = [row for row in result.itemsets.to_pylist() if row["size"] == 4]
    assert [(row["itemset"], row["count"]) for row in fours] == [
        ([1, 2, 3, 4], 2),
        ([1, 2, 3, 5], 2),
    ]
    # and every itemset of k items splits 2**k - 2 ways: 10 * 2 + 7 * 6 + 2 * 14
    assert result.rules.num_rows == 90


def test_empty_and_nothing_frequent():
    empty = basket_rules(lines_of([]), min_support=0.5)
    rare = basket_rules(lines_of([[1], [2], [3]]), min_support=0.5)

    assert (empty.baskets, empty.itemsets.num_rows, empty.rules.num_rows) == (0, 0, 0)
    assert empty.itemsets.schema == ITEMSETS_SCHEMA
    assert empty.rules.schema == RULES_SCHEMA
    assert (rare.baskets, rare.min_count, rare.itemsets.num_rows) == (3, 2, 0)


def test_null_rows_and_other_integer_types_are_accepted():
    lines = pa.table(
        {
            "basket_id": pa.array([1, 1, 2, 2, 3, None], pa.int32()),
            "item": pa.array([7, 8, 7, 8, None, 7], pa.int16()),
        }
    )

    result = basket_rules(lines, min_support=1.0)

    # basket 3 holds only a null item and is no basket; the row without a basket is ignored
    assert result.baskets == 2
    assert result.itemsets["itemset"].to_pylist() == [[7], [8], [7, 8]]


def test_shared_connection_is_left_clean():
    connection = duckdb.connect()
    connection.execute("CREATE TABLE mine AS SELECT 1 AS x")

    basket_rules(lines_of(ROUTINE), min_support=0.25, connection=connection)

    tables = connection.sql("SELECT table_name FROM information_schema.tables").fetchall()
    assert tables == [("mine",)]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param({"min_support": 0.0}, "min_support", id="zero_support_case"),
        pytest.param({"min_support": 1.5}, "min_support", id="support_above_one_case"),
        pytest.param(
            {"min_support": 0.5, "min_confidence": -0.1}, "min_confidence", id="confidence_case"
        ),
        pytest.param({"min_support": 0.5, "max_len": 0}, "max_len", id="max_len_case"),
    ],
)
def test_invalid_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        basket_rules(lines_of(SHOP), **arguments)


@pytest.mark.parametrize(
    ("min_support", "baskets", "count"),
    [
        pytest.param(0.28, 25, 7, id="product_rounds_up_case"),  # 0.28 * 25 == 7.000000000000001
        pytest.param(0.25, 8, 2, id="exact_case"),
        pytest.param(0.26, 8, 3, id="above_case"),
        pytest.param(0.001, 3, 1, id="at_least_one_case"),
        pytest.param(0.5, 0, 1, id="no_baskets_case"),
    ],
)
def test_min_basket_count(min_support, baskets, count):
    assert min_basket_count(min_support, baskets) == count


def test_often_bought_together_ranks_by_confidence_then_lift_then_item():
    rules = basket_rules(lines_of(ROUTINE), min_support=0.25).rules

    # a customer who bought 1 is offered 2 and 3 (75%, lift 1.5 each), by item id
    assert often_bought_together(rules, [1]) == [
        Suggestion(item=2, antecedent=(1,), confidence=0.75, lift=1.5, support=0.375),
        Suggestion(item=3, antecedent=(1,), confidence=0.75, lift=1.5, support=0.375),
    ]
    # one who bought 1 and 2: item 3 once, by its best rule ({1} -> {3} beats {1, 2} -> {3})
    assert often_bought_together(rules, {1, 2}) == [
        Suggestion(item=3, antecedent=(1,), confidence=0.75, lift=1.5, support=0.375)
    ]
    assert often_bought_together(rules, [1], limit=1) == [
        Suggestion(item=2, antecedent=(1,), confidence=0.75, lift=1.5, support=0.375)
    ]


def test_often_bought_together_leaves_out_owned_weak_and_unrelated_items():
    rules = basket_rules(lines_of(SHOP), min_support=0.6).rules

    # nappies (3) lead to bread, milk (lift 0.9375) and beer (lift 1.25); only beer lifts
    assert [s.item for s in often_bought_together(rules, [3])] == [4]
    assert [s.item for s in often_bought_together(rules, [3], min_lift=0.0)] == [4, 1, 2]
    assert often_bought_together(rules, [3, 4]) == []  # beer is already bought
    assert often_bought_together(rules, [5, 6]) == []  # eggs and cola are in no rule
    assert often_bought_together(rules, []) == []
    assert often_bought_together(rules.slice(0, 0), [3]) == []
