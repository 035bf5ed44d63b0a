"""Writes of the catalog domain: <entity>_<action>(*, ...) functions."""

from guanxi.catalog.services.catalogue import (
    brand_create,
    brand_update,
    category_create,
    category_update,
    normalise_sku,
    product_create,
    product_deactivate,
    product_update,
    service_create,
    service_deactivate,
    service_update,
)
from guanxi.catalog.services.pricing import (
    price_list_create,
    price_list_item_add,
    price_list_item_delete,
    price_list_update,
)

__all__ = [
    "brand_create",
    "brand_update",
    "category_create",
    "category_update",
    "normalise_sku",
    "price_list_create",
    "price_list_item_add",
    "price_list_item_delete",
    "price_list_update",
    "product_create",
    "product_deactivate",
    "product_update",
    "service_create",
    "service_deactivate",
    "service_update",
]
