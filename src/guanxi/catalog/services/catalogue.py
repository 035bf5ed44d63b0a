"""Writes of the catalogue: categories, brands, products and services (organisation-wide)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.catalog.models import Brand, Category, Product, Service
from guanxi.catalog.search import catalogue_search_text
from guanxi.core.services import model_create, model_update

PRODUCT_FIELDS = frozenset(
    {
        "sku",
        "barcode",
        "name_en",
        "name_zh_hans",
        "name_zh_hant",
        "brand",
        "category",
        "price",
        "cost",
        "is_active",
    }
)
SERVICE_FIELDS = frozenset(
    {
        "name_en",
        "name_zh_hans",
        "name_zh_hant",
        "category",
        "duration_minutes",
        "price",
        "is_active",
    }
)
CATEGORY_FIELDS = frozenset({"name_en", "name_zh_hans", "name_zh_hant", "parent"})


def _strip_names(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("name_en", "name_zh_hans", "name_zh_hant"):
        if key in data and isinstance(data[key], str):
            data[key] = data[key].strip()
    return data


def _unknown(data: dict[str, Any], allowed: frozenset[str]) -> None:
    extra = set(data) - allowed
    if extra:
        raise TypeError(f"not updatable: {', '.join(sorted(extra))}")


# --- Categories -----------------------------------------------------------------------------------


def _check_parent(category: Category, parent: Category | None) -> None:
    node = parent
    while node is not None:
        if category.pk is not None and node.pk == category.pk:
            raise ValidationError(
                {"parent": _("A category cannot be filed under itself or one of its own.")}
            )
        node = node.parent


@transaction.atomic
def category_create(
    *,
    name_en: str,
    name_zh_hans: str = "",
    name_zh_hant: str = "",
    parent: Category | None = None,
    actor: Any,
) -> Category:
    data = _strip_names(
        {"name_en": name_en, "name_zh_hans": name_zh_hans, "name_zh_hant": name_zh_hant}
    )
    return model_create(instance=Category(parent=parent, **data), actor=actor)


@transaction.atomic
def category_update(*, category: Category, data: dict[str, Any], actor: Any) -> Category:
    _unknown(data, CATEGORY_FIELDS)
    if "parent" in data:
        _check_parent(category, data["parent"])
    category, _changed = model_update(instance=category, data=_strip_names(dict(data)), actor=actor)
    return category


# --- Brands ---------------------------------------------------------------------------------------


@transaction.atomic
def brand_create(*, name: str, actor: Any) -> Brand:
    return model_create(instance=Brand(name=name.strip()), actor=actor)


@transaction.atomic
def brand_update(*, brand: Brand, name: str, actor: Any) -> Brand:
    brand, _changed = model_update(instance=brand, data={"name": name.strip()}, actor=actor)
    return brand


# --- Products -------------------------------------------------------------------------------------


def normalise_sku(sku: str) -> str:
    return "".join(sku.split()).upper()


def _merged(instance: Any, data: dict[str, Any], name: str) -> Any:
    """A field's value after ``data`` is applied, without touching the instance yet (the
    audit compares before and after)."""
    return data[name] if name in data else getattr(instance, name)


def _names(instance: Any, data: dict[str, Any]) -> list[str]:
    return [_merged(instance, data, n) for n in ("name_en", "name_zh_hans", "name_zh_hant")]


def _product_search_text(product: Product, data: dict[str, Any]) -> str:
    brand = _merged(product, data, "brand")
    return catalogue_search_text(
        names=[*_names(product, data), brand.name if brand else ""],
        codes=[_merged(product, data, "sku"), _merged(product, data, "barcode")],
    )


def _product_clean(data: dict[str, Any]) -> dict[str, Any]:
    data = _strip_names(data)
    if "sku" in data:
        data["sku"] = normalise_sku(data["sku"] or "")
    if "barcode" in data:
        data["barcode"] = "".join((data["barcode"] or "").split())
    return data


@transaction.atomic
def product_create(
    *,
    sku: str,
    name_en: str,
    category: Category,
    price: Decimal,
    name_zh_hans: str = "",
    name_zh_hant: str = "",
    barcode: str = "",
    brand: Brand | None = None,
    cost: Decimal | None = None,
    is_active: bool = True,
    actor: Any,
) -> Product:
    data = _product_clean(
        {
            "sku": sku,
            "barcode": barcode,
            "name_en": name_en,
            "name_zh_hans": name_zh_hans,
            "name_zh_hant": name_zh_hant,
        }
    )
    product = Product(
        **data, brand=brand, category=category, price=price, cost=cost, is_active=is_active
    )
    product.search_text = _product_search_text(product, {})
    return model_create(instance=product, actor=actor)


@transaction.atomic
def product_update(*, product: Product, data: dict[str, Any], actor: Any) -> Product:
    _unknown(data, PRODUCT_FIELDS)
    data = _product_clean(dict(data))
    data["search_text"] = _product_search_text(product, data)
    product, _changed = model_update(instance=product, data=data, actor=actor)
    return product


def product_deactivate(*, product: Product, actor: Any) -> Product:
    """Take a product off sale: it stays in past orders and price lists, but is not sold."""
    return product_update(product=product, data={"is_active": False}, actor=actor)


# --- Services -------------------------------------------------------------------------------------


def _service_search_text(service: Service, data: dict[str, Any]) -> str:
    return catalogue_search_text(names=_names(service, data))


@transaction.atomic
def service_create(
    *,
    name_en: str,
    category: Category,
    duration_minutes: int,
    price: Decimal,
    name_zh_hans: str = "",
    name_zh_hant: str = "",
    is_active: bool = True,
    actor: Any,
) -> Service:
    data = _strip_names(
        {"name_en": name_en, "name_zh_hans": name_zh_hans, "name_zh_hant": name_zh_hant}
    )
    service = Service(
        **data,
        category=category,
        duration_minutes=duration_minutes,
        price=price,
        is_active=is_active,
    )
    service.search_text = _service_search_text(service, {})
    return model_create(instance=service, actor=actor)


@transaction.atomic
def service_update(*, service: Service, data: dict[str, Any], actor: Any) -> Service:
    _unknown(data, SERVICE_FIELDS)
    data = _strip_names(dict(data))
    data["search_text"] = _service_search_text(service, data)
    service, _changed = model_update(instance=service, data=data, actor=actor)
    return service


def service_deactivate(*, service: Service, actor: Any) -> Service:
    """Stop offering a service; it stays in past orders and packages."""
    return service_update(service=service, data={"is_active": False}, actor=actor)
