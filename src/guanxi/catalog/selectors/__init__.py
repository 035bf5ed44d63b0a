"""Reads of the catalog domain."""

from guanxi.catalog.selectors.catalogue import (
    brand_get,
    brand_list,
    category_get,
    category_list,
    category_tree,
    product_find_by_code,
    product_get,
    product_list,
    service_get,
    service_list,
)
from guanxi.catalog.selectors.pricing import (
    price_for,
    price_list_get,
    price_list_item_get,
    price_list_items,
    price_list_list,
)

__all__ = [
    "brand_get",
    "brand_list",
    "category_get",
    "category_list",
    "category_tree",
    "price_for",
    "price_list_get",
    "price_list_item_get",
    "price_list_items",
    "price_list_list",
    "product_find_by_code",
    "product_get",
    "product_list",
    "service_get",
    "service_list",
]
