"""Reads of store price lists, and the price of an item in a store on a day."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from guanxi.catalog.models import PriceList, PriceListItem, Product, Service
from guanxi.core.permissions import scope


def price_list_list(*, user: Any, store: Any = None) -> QuerySet[PriceList]:
    queryset = scope(PriceList.objects.all(), user).select_related("store")
    if store is not None:
        queryset = queryset.filter(store=store)
    return queryset.annotate(item_count=Count("items")).order_by("store__name", "name", "pk")


def price_list_get(*, user: Any, pk: int | str) -> PriceList | None:
    return scope(PriceList.objects.select_related("store"), user).filter(pk=pk).first()


def price_list_items(*, price_list: PriceList) -> QuerySet[PriceListItem]:
    return price_list.items.select_related("product", "service").order_by(
        "product__name_en", "service__name_en", "valid_from", "pk"
    )


def price_list_item_get(*, price_list: PriceList, pk: int | str) -> PriceListItem | None:
    return price_list.items.filter(pk=pk).first()


def price_for(
    *, item: Product | Service, store: Any, at: datetime.date | datetime.datetime | None = None
) -> Decimal:
    """What ``item`` costs in ``store`` on day ``at`` (today by default).

    A price from one of the store's price lists in use, valid on that day, wins; when several
    lists price the item, the most recently created list wins. Otherwise the list price.
    """
    if at is None:
        at = timezone.localdate()
    elif isinstance(at, datetime.datetime):
        at = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
    field = "product" if isinstance(item, Product) else "service"
    found = (
        PriceListItem.objects.filter(
            **{field: item},
            price_list__store=store,
            price_list__is_active=True,
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=at))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=at))
        .order_by("-price_list__created_at", "-price_list__pk", "-pk")
        .values_list("price", flat=True)
        .first()
    )
    return found if found is not None else item.price
