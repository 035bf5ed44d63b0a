"""Price lists and their items."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.catalog.models import PriceList, PriceListItem
from guanxi.catalog.services import price_list_create, price_list_item_add, price_list_item_delete
from guanxi.catalog.tests.factories import PriceListFactory, ProductFactory, ServiceFactory
from guanxi.core.models import AuditEvent

D = datetime.date


def test_manager_creates_a_price_list_for_their_store(db, manager_a, store_a):
    price_list = price_list_create(store=store_a, name=" Member prices ", actor=manager_a)

    assert price_list.name == "Member prices"
    event = AuditEvent.objects.get(object_type="catalog.pricelist")
    assert event.store_id == store_a.pk


def test_manager_cannot_create_a_price_list_for_another_store(db, manager_a, store_b):
    with pytest.raises(PermissionDenied):
        price_list_create(store=store_b, name="Theirs", actor=manager_a)
    assert PriceList.objects.count() == 0


def test_item_needs_exactly_one_of_product_or_service(db, owner):
    price_list = PriceListFactory()

    with pytest.raises(ValidationError):
        price_list_item_add(
            price_list=price_list,
            product=ProductFactory(),
            service=ServiceFactory(),
            price=Decimal("1.00"),
            actor=owner,
        )
    with pytest.raises(ValidationError):
        price_list_item_add(price_list=price_list, price=Decimal("1.00"), actor=owner)
    assert PriceListItem.objects.count() == 0


def test_item_cannot_end_before_it_starts(db, owner):
    with pytest.raises(ValidationError):
        price_list_item_add(
            price_list=PriceListFactory(),
            product=ProductFactory(),
            price=Decimal("1.00"),
            valid_from=D(2026, 5, 2),
            valid_to=D(2026, 5, 1),
            actor=owner,
        )
    assert PriceListItem.objects.count() == 0


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "overlaps"),
    [
        pytest.param(D(2026, 5, 31), D(2026, 6, 10), True, id="touching_last_day_case"),
        pytest.param(None, None, True, id="open_range_case"),
        pytest.param(D(2026, 6, 1), None, False, id="after_case"),
        pytest.param(None, D(2026, 4, 30), False, id="before_case"),
    ],
)
def test_overlapping_prices_for_one_item_are_refused(db, owner, valid_from, valid_to, overlaps):
    # given a May price for a product
    price_list = PriceListFactory()
    product = ProductFactory()
    price_list_item_add(
        price_list=price_list,
        product=product,
        price=Decimal("80.00"),
        valid_from=D(2026, 5, 1),
        valid_to=D(2026, 5, 31),
        actor=owner,
    )

    def add():
        return price_list_item_add(
            price_list=price_list,
            product=product,
            price=Decimal("70.00"),
            valid_from=valid_from,
            valid_to=valid_to,
            actor=owner,
        )

    if overlaps:
        with pytest.raises(ValidationError):
            add()
        assert PriceListItem.objects.count() == 1
    else:
        add()
        assert PriceListItem.objects.count() == 2


def test_item_delete_is_audited(db, owner):
    item = price_list_item_add(
        price_list=PriceListFactory(), product=ProductFactory(), price=Decimal("9.90"), actor=owner
    )

    price_list_item_delete(item=item, actor=owner)

    assert PriceListItem.objects.count() == 0
    event = AuditEvent.objects.filter(object_type="catalog.pricelistitem").latest("pk")
    assert event.action == "delete"
    assert event.changes["price"] == ["9.90", None]
