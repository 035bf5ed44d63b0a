"""Finding products and services by any name, in either script, by pinyin, SKU or barcode."""

import pytest

from guanxi.catalog.selectors import product_find_by_code, product_list, service_list
from guanxi.catalog.tests.factories import (
    BrandFactory,
    CategoryFactory,
    ProductFactory,
    ServiceFactory,
)


@pytest.fixture
def cream(db):
    ProductFactory(name_en="Other thing", sku="OTHER-1", barcode="")
    return ProductFactory(
        sku="CHANDO-001",
        barcode="6901234567892",
        name_en="Snow lotus cream",
        name_zh_hans="雪莲霜",
        name_zh_hant="雪蓮霜",
        brand=BrandFactory(name="自然堂"),
    )


@pytest.mark.parametrize(
    "term",
    [
        pytest.param("雪莲", id="simplified_case"),
        pytest.param("雪蓮", id="traditional_case"),
        pytest.param("xuelian", id="pinyin_case"),
        pytest.param("XLS", id="initials_case"),
        pytest.param("lotus Cream", id="english_with_space_case"),
        pytest.param("自然堂", id="brand_case"),
        pytest.param("chando-001", id="sku_case"),
        pytest.param("6901234567892", id="barcode_case"),
    ],
)
def test_product_is_found(cream, term):
    assert list(product_list(search=term)) == [cream]


def test_category_includes_its_sub_categories(db):
    parent = CategoryFactory(name_en="Cosmetics top")
    child = CategoryFactory(name_en="Skin care sub", parent=parent)
    in_child = ProductFactory(category=child)
    ProductFactory()  # another category

    assert list(product_list(category=parent)) == [in_child]


def test_find_by_code(cream):
    assert product_find_by_code(code="6901234567892") == cream
    assert product_find_by_code(code=" chando-001 ") == cream
    assert product_find_by_code(code="6901234567891") is None


def test_service_found_by_pinyin_and_filtered_by_activity(db):
    facial = ServiceFactory(name_en="Facial", name_zh_hans="面部护理")
    ServiceFactory(name_en="Massage", name_zh_hans="按摩", is_active=False)

    assert list(service_list(search="mianbu")) == [facial]
    assert list(service_list(is_active=True)) == [facial]
