"""The catalogue's declarations for the central permission-matrix test.

Products, services, categories and brands are organisation-wide; only price lists belong to a
store."""

from guanxi.catalog.tests.factories import PriceListFactory, PriceListItemFactory

ORGANISATION_WIDE = "organisation-wide catalogue, visible to every store"


def make_price_list(store):
    return PriceListFactory(store=store, name=f"Outofscope prices {store.code}")


def make_price_list_item(store):
    item = PriceListItemFactory(price_list=make_price_list(store))
    return {"pk": item.price_list_id, "item_pk": item.pk}


SCOPED_URLS = {
    "catalog:price-list-detail": make_price_list,
    "catalog:price-list-update": make_price_list,
    "catalog:price-list-item-add": make_price_list,
    "catalog:price-list-item-delete": make_price_list_item,
}

LIST_URLS = {
    "catalog:price-list-list": make_price_list,
}

UNSCOPED_URLS = {
    "catalog:product-detail": ORGANISATION_WIDE,
    "catalog:product-update": ORGANISATION_WIDE,
    "catalog:product-deactivate": ORGANISATION_WIDE,
    "catalog:service-detail": ORGANISATION_WIDE,
    "catalog:service-update": ORGANISATION_WIDE,
    "catalog:service-deactivate": ORGANISATION_WIDE,
    "catalog:category-update": ORGANISATION_WIDE,
    "catalog:brand-update": ORGANISATION_WIDE,
    "api-catalog-product-detail": ORGANISATION_WIDE,
    "api-catalog-service-detail": ORGANISATION_WIDE,
    "api-catalog-category-detail": ORGANISATION_WIDE,
}
