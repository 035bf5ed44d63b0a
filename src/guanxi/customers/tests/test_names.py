import pytest

from guanxi.customers.names import name_key, search_key


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("陈小明", "陈小明", id="simplified_case"),
        pytest.param("陳小明", "陈小明", id="traditional_case"),
        pytest.param("陈 小明", "陈小明", id="spaces_case"),
        pytest.param("Anna Lee", "annalee", id="latin_case"),
        pytest.param("歐陽 娜娜", "欧阳娜娜", id="compound_surname_case"),
    ],
)
def test_name_key_makes_scripts_and_spacing_equal(name, expected):
    assert name_key(name) == expected


def test_search_key_holds_both_scripts_pinyin_and_initials():
    assert search_key("陳小明") == "陈小明 陳小明 chenxiaoming cxm"


def test_search_key_of_a_latin_name_is_the_name():
    assert search_key("Anna Lee") == "annalee"
