"""The catalogue's demo data: realistic, valid and the same for the same seed."""

import datetime
from decimal import Decimal

import pytest

import guanxi.staff.seeding  # noqa: F401 - registers the staff seeder the price list needs
from guanxi.catalog.models import Brand, PriceListItem, Product, Service
from guanxi.catalog.seeding import catalog_seed
from guanxi.catalog.services.catalogue import _product_search_text
from guanxi.catalog.validators import is_valid_ean13
from guanxi.core.seeding import SEEDERS, SeedContext
from guanxi.staff.tests.factories import StoreFactory

TODAY = datetime.date(2026, 3, 15)


def run(seed: int) -> list[tuple]:
    context = SeedContext(
        seed=seed,
        customers=0,
        store_count=1,
        password="x",
        today=TODAY,
        random=None,  # the seeder draws only from context.rng
        stores=[StoreFactory()],
    )
    catalog_seed(context)
    products = list(
        Product.objects.order_by("sku").values_list("sku", "barcode", "price", "cost", "is_active")
    )
    member_prices = list(
        PriceListItem.objects.order_by("pk").values_list(
            "product__sku", "service__name_en", "price"
        )
    )
    return [*products, *member_prices]


def test_catalog_seeder_is_registered_after_staff_and_customers():
    assert SEEDERS["catalog"].order == 30


def test_products_are_realistic_and_valid(db):
    rows = run(seed=7)[: Product.objects.count()]

    assert 110 <= len(rows) <= 130
    assert Brand.objects.filter(name__in=["自然堂", "百雀羚", "汤臣倍健", "Swisse"]).count() == 4
    assert all(is_valid_ean13(barcode) for _sku, barcode, *_ in rows)
    assert len({barcode for _sku, barcode, *_ in rows}) == len(rows)
    assert all(Decimal(0) < cost < price for _s, _b, price, cost, _a in rows)
    assert Service.objects.count() == 12
    assert PriceListItem.objects.count() == 13


def test_search_text_is_what_the_service_computes(db):
    run(seed=7)

    for product in Product.objects.select_related("brand")[:20]:
        assert product.search_text == _product_search_text(product, {})


@pytest.mark.parametrize(("other_seed", "same"), [(7, True), (8, False)])
def test_same_seed_same_catalogue(db, other_seed, same):
    first = run(seed=7)
    PriceListItem.objects.all().delete()
    Product.objects.all().delete()
    Service.objects.all().delete()
    Brand.objects.all().delete()

    second = run(seed=other_seed)

    assert (first == second) is same
