"""Writes of store price lists and their items. Callers pass objects already scoped to the user;
a store manager may only create a price list for a store they belong to."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.catalog.models import PriceList, PriceListItem, Product, Service
from guanxi.core.permissions import can_see_store
from guanxi.core.services import model_create, model_delete, model_update

PRICE_LIST_FIELDS = frozenset({"name", "is_active"})


@transaction.atomic
def price_list_create(*, store: Any, name: str, is_active: bool = True, actor: Any) -> PriceList:
    if not can_see_store(actor, store.pk):
        raise PermissionDenied("catalog.manage")
    return model_create(
        instance=PriceList(store=store, name=name.strip(), is_active=is_active), actor=actor
    )


@transaction.atomic
def price_list_update(*, price_list: PriceList, data: dict[str, Any], actor: Any) -> PriceList:
    extra = set(data) - PRICE_LIST_FIELDS
    if extra:
        raise TypeError(f"not updatable: {', '.join(sorted(extra))}")
    data = dict(data)
    if isinstance(data.get("name"), str):
        data["name"] = data["name"].strip()
    price_list, _changed = model_update(instance=price_list, data=data, actor=actor)
    return price_list


def _check_overlap(item: PriceListItem) -> None:
    """Two prices for the same item in one list may not apply on the same day."""
    others = PriceListItem.objects.filter(price_list=item.price_list_id)
    if item.product_id:
        others = others.filter(product=item.product_id)
    else:
        others = others.filter(service=item.service_id)
    if item.pk:
        others = others.exclude(pk=item.pk)
    far_past, far_future = datetime.date.min, datetime.date.max
    start, end = item.valid_from or far_past, item.valid_to or far_future
    for other in others:
        if (other.valid_from or far_past) <= end and start <= (other.valid_to or far_future):
            raise ValidationError(
                _("This list already has a price for this item on some of these days.")
            )


@transaction.atomic
def price_list_item_add(
    *,
    price_list: PriceList,
    price: Decimal,
    product: Product | None = None,
    service: Service | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    actor: Any,
) -> PriceListItem:
    item = PriceListItem(
        price_list=price_list,
        product=product,
        service=service,
        price=price,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    item.full_clean()
    # Lock the list so that two staff members cannot add overlapping prices at the same time.
    PriceList.objects.select_for_update().filter(pk=price_list.pk).first()
    _check_overlap(item)
    return model_create(instance=item, actor=actor)


@transaction.atomic
def price_list_item_delete(*, item: PriceListItem, actor: Any) -> None:
    model_delete(instance=item, actor=actor)
