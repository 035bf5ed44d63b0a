"""Products: creation, validation (SKU, EAN-13 barcode), updates and taking off sale, audited."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from guanxi.catalog.models import Product
from guanxi.catalog.services import product_create, product_deactivate, product_update
from guanxi.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory, ean13
from guanxi.catalog.validators import ean13_check_digit, is_valid_ean13
from guanxi.core.models import AuditEvent


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        pytest.param("6901234567892", True, id="valid_case"),
        pytest.param("4006381333931", True, id="valid_european_case"),
        pytest.param("6901234567891", False, id="wrong_check_digit_case"),
        pytest.param("690123456789", False, id="too_short_case"),
        pytest.param("69012345678921", False, id="too_long_case"),
        pytest.param("690123456789x", False, id="letter_case"),
        pytest.param("６９０１２３４５６７８９２", False, id="full_width_digits_case"),
    ],
)
def test_ean13_validity(code, valid):
    assert is_valid_ean13(code) is valid


def test_ean13_check_digit():
    assert ean13_check_digit("690123456789") == 2
    assert ean13_check_digit("400638133393") == 1


def test_create_saves_normalised_product_and_audits(db, owner):
    # given a category and a brand
    category = CategoryFactory(name_en="Skin care")
    brand = BrandFactory(name="自然堂")

    # when a product is created with a lower-case SKU and a spaced barcode
    product = product_create(
        sku=" czt-001 ",
        barcode="6901234 567892",
        name_en="Snow lotus cream",
        name_zh_hans="雪域精粹霜",
        name_zh_hant="雪域精粹霜",
        brand=brand,
        category=category,
        price=Decimal("168.00"),
        cost=Decimal("70.50"),
        actor=owner,
    )

    # then it is saved normalised, searchable, and audited
    product.refresh_from_db()
    assert (product.sku, product.barcode) == ("CZT-001", "6901234567892")
    assert product.margin == Decimal("97.50")
    assert product.margin_percent == Decimal("58.0")
    assert "自然堂" in product.search_text
    assert "xueyujingcuishuang" in product.search_text
    event = AuditEvent.objects.get(object_type="catalog.product", object_pk=str(product.pk))
    assert event.action == "create"
    assert event.actor_id == owner.pk
    assert event.changes["sku"] == [None, "CZT-001"]
    assert "search_text" not in event.changes


def test_wrong_check_digit_is_refused(db, owner):
    category = CategoryFactory()

    with pytest.raises(ValidationError) as raised:
        product_create(
            sku="A1",
            barcode="6901234567891",
            name_en="Cream",
            category=category,
            price=Decimal("1.00"),
            actor=owner,
        )

    assert raised.value.message_dict["barcode"] == [
        "This barcode's check digit is wrong: check the number on the pack."
    ]
    assert Product.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="catalog.product").exists()


@pytest.mark.parametrize(
    ("sku", "barcode", "field"),
    [
        pytest.param("sku-00001", "", "sku", id="same_sku_other_case_case"),
        pytest.param("OTHER", ean13(1), "barcode", id="same_barcode_case"),
    ],
)
def test_duplicate_sku_or_barcode_is_refused(db, owner, sku, barcode, field):
    # given a product with SKU SKU-00001 and barcode ean13(1)
    ProductFactory(sku="SKU-00001", barcode=ean13(1))

    with pytest.raises(ValidationError) as raised:
        product_create(
            sku=sku,
            barcode=barcode,
            name_en="Copy",
            category=CategoryFactory(),
            price=Decimal("1.00"),
            actor=owner,
        )

    errors = raised.value.message_dict
    assert field in errors or any(field in m.lower() for m in errors.get("__all__", []))
    assert Product.objects.count() == 1


def test_products_without_barcode_do_not_clash(db, owner):
    category = CategoryFactory()
    for sku in ("NB-1", "NB-2"):
        product_create(sku=sku, name_en=sku, category=category, price=Decimal("5.00"), actor=owner)

    assert list(Product.objects.filter(barcode="").values_list("sku", flat=True)) == [
        "NB-1",
        "NB-2",
    ]


def test_negative_price_is_refused(db, owner):
    with pytest.raises(ValidationError):
        product_create(
            sku="NEG", name_en="Neg", category=CategoryFactory(), price=Decimal("-1"), actor=owner
        )
    assert Product.objects.count() == 0


def test_update_audits_only_what_changed_and_refreshes_search_text(db, owner):
    product = ProductFactory(name_en="Old name", price=Decimal("100.00"))
    before = AuditEvent.objects.count()

    product_update(
        product=product,
        data={"name_zh_hans": "百雀羚水乳", "price": Decimal("120.00")},
        actor=owner,
    )

    product.refresh_from_db()
    assert product.price == Decimal("120.00")
    assert "baiquelingshuiru" in product.search_text
    event = AuditEvent.objects.latest("pk")
    assert AuditEvent.objects.count() == before + 1
    assert event.changes == {"name_zh_hans": ["", "百雀羚水乳"], "price": ["100.00", "120.00"]}


def test_update_that_changes_nothing_writes_nothing(db, owner):
    product = ProductFactory(price=Decimal("100.00"))
    before = AuditEvent.objects.count()

    product_update(product=product, data={"price": Decimal("100.00")}, actor=owner)

    assert AuditEvent.objects.count() == before


def test_deactivate_takes_off_sale_and_audits(db, owner):
    product = ProductFactory()

    product_deactivate(product=product, actor=owner)

    product.refresh_from_db()
    assert product.is_active is False
    assert AuditEvent.objects.latest("pk").changes == {"is_active": [True, False]}
