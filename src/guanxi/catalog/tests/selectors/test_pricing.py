"""price_for: a store's valid price wins, otherwise the list price."""

import datetime
from decimal import Decimal

import pytest

from guanxi.catalog.selectors import price_for, price_list_list
from guanxi.catalog.tests.factories import (
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    ServiceFactory,
)

D = datetime.date


@pytest.fixture
def product(db):
    return ProductFactory(price=Decimal("100.00"))


def test_without_price_list_the_list_price_applies(product, store_a):
    assert price_for(item=product, store=store_a, at=D(2026, 5, 10)) == Decimal("100.00")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(D(2026, 4, 30), "100.00", id="before_case"),
        pytest.param(D(2026, 5, 1), "80.00", id="first_day_case"),
        pytest.param(D(2026, 5, 31), "80.00", id="last_day_case"),
        pytest.param(D(2026, 6, 1), "100.00", id="after_case"),
    ],
)
def test_store_price_applies_only_while_valid(product, store_a, day, expected):
    PriceListItemFactory(
        price_list=PriceListFactory(store=store_a),
        product=product,
        price="80.00",
        valid_from=D(2026, 5, 1),
        valid_to=D(2026, 5, 31),
    )

    assert price_for(item=product, store=store_a, at=day) == Decimal(expected)


def test_another_stores_price_does_not_apply(product, store_a, store_b):
    PriceListItemFactory(price_list=PriceListFactory(store=store_b), product=product, price="50")

    assert price_for(item=product, store=store_a, at=D(2026, 5, 1)) == Decimal("100.00")
    assert price_for(item=product, store=store_b, at=D(2026, 5, 1)) == Decimal("50.00")


def test_price_list_not_in_use_does_not_apply(product, store_a):
    PriceListItemFactory(
        price_list=PriceListFactory(store=store_a, is_active=False), product=product, price="50"
    )

    assert price_for(item=product, store=store_a, at=D(2026, 5, 1)) == Decimal("100.00")


def test_newest_price_list_wins(product, store_a):
    PriceListItemFactory(price_list=PriceListFactory(store=store_a), product=product, price="90")
    PriceListItemFactory(price_list=PriceListFactory(store=store_a), product=product, price="85")

    assert price_for(item=product, store=store_a, at=D(2026, 5, 1)) == Decimal("85.00")


def test_services_are_priced_like_products(db, store_a):
    service = ServiceFactory(price="298.00")
    PriceListItemFactory(
        price_list=PriceListFactory(store=store_a), product=None, service=service, price="258"
    )

    assert price_for(item=service, store=store_a, at=D(2026, 5, 1)) == Decimal("258.00")


def test_price_lists_are_scoped_to_the_users_stores(db, manager_a, owner, store_a, store_b):
    ours = PriceListFactory(store=store_a)
    theirs = PriceListFactory(store=store_b)

    assert list(price_list_list(user=manager_a)) == [ours]
    assert set(price_list_list(user=owner)) == {ours, theirs}
