"""What both ways of seeding orders share: the catalogue as the demand model sees it, the stores
and their staff (the cast), the payment habits and the top-up bonus rules."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from guanxi.catalog.models import Product, Service
from guanxi.core.permissions import Role
from guanxi.core.services import model_create
from guanxi.loyalty.models import BonusRule
from guanxi.orders.choices import PaymentMethod
from guanxi.orders.seeding.demand import (
    LAPSING,
    LOYAL,
    OCCASIONAL,
    TREATMENT,
    Assortment,
    Item,
    cumulative,
    draw,
    product_group,
)
from guanxi.staff.models import Store

CARD_SHARE = 0.92  # members who took the card offered when they joined
OTHER_STORE_SHARE = 0.04  # a sale in another store of the chain than the member's own
SPLIT_PAYMENT_SHARE = 0.06  # part by one method, the rest by another
# Mobile payment (WeChat Pay, Alipay) first, then bank card, then cash.
METHODS = (PaymentMethod.MOBILE, PaymentMethod.BANK_CARD, PaymentMethod.CASH)
METHOD_WEIGHTS = (0.62, 0.23, 0.15)
# Who keeps a balance on the card, by segment.
TOPPER_SHARE = {LOYAL: 0.25, LAPSING: 0.12, OCCASIONAL: 0.04}
TOPUP_AMOUNTS = ((500, 0.20), (1000, 0.40), (2000, 0.25), (3000, 0.10), (5000, 0.05))
# The demo's bonus rules (top up 1,000, get 100 …), made when the owner has none.
BONUS_RULES = ((1000, 100), (2000, 260), (3000, 450), (5000, 900))


TOPUP_VALUES = tuple(amount for amount, _weight in TOPUP_AMOUNTS)
TOPUP_CUMULATIVE = cumulative([weight for _amount, weight in TOPUP_AMOUNTS])
METHOD_CUMULATIVE = cumulative(METHOD_WEIGHTS)


def topup_amount(rng: random.Random) -> Decimal:
    return Decimal(draw(rng, TOPUP_VALUES, TOPUP_CUMULATIVE))


def assortment_load() -> Assortment:
    """Everything on sale, products by SKU then services by name: the demand model's items."""
    items: list[Item] = []
    # Sorted in Python, not by the database's collation: the same seed gives the same baskets
    # on SQLite and on PostgreSQL.
    products = sorted(
        Product.objects.filter(is_active=True).values_list(
            "sku", "pk", "name_en", "price", "category__name_en", "category__parent__name_en"
        )
    )
    for _sku, pk, name, price, category, parent in products:
        group = product_group(category or "", parent or "", name)
        bundle = any(word in name.lower() for word in ("gift set", "two-pack"))
        items.append(Item(pk=pk, kind="product", group=group, bundle=bundle, price=price))
    services = sorted(Service.objects.filter(is_active=True).values_list("name_en", "pk", "price"))
    for _name, pk, price in services:
        items.append(Item(pk=pk, kind="service", group=TREATMENT, bundle=False, price=price))
    return Assortment.build(items)


class Cast:
    """The stores and who works in them: who sells, who gives treatments, who signs returns."""

    def __init__(self, stores: list[Store] | None = None) -> None:
        self.stores = stores or list(Store.objects.order_by("pk"))
        self.store_index = {store.pk: index for index, store in enumerate(self.stores)}
        self.store_by_pk = {store.pk: store for store in self.stores}
        staff = get_user_model().objects.filter(is_active=True).prefetch_related("stores")
        self.sellers: dict[int, list[Any]] = {store.pk: [] for store in self.stores}
        self.beauticians: dict[int, list[Any]] = {store.pk: [] for store in self.stores}
        self.managers: dict[int, Any] = {}
        self.staff_stores: dict[int, set[int]] = {}
        self._staff_of: dict[int, set[int]] = {}
        owner = None
        for user in sorted(staff, key=lambda u: u.username):
            if user.role == Role.OWNER and owner is None:
                owner = user
            works_in = {s.pk for s in user.stores.all()}
            self.staff_stores[user.pk] = works_in
            for store_pk in works_in & set(self.sellers):
                if user.role == Role.SALES:
                    self.sellers[store_pk] += [user] * 3
                    self.beauticians[store_pk].append(user)
                elif user.role == Role.STORE_MANAGER:
                    self.sellers[store_pk].append(user)
                    self.managers.setdefault(store_pk, user)
                elif user.role == Role.SERVICE_AGENT:
                    self.beauticians[store_pk] += [user] * 2
        for store in self.stores:  # a store without staff: the owner serves
            fallback = self.managers.get(store.pk) or owner
            if fallback is None:
                raise RuntimeError("The orders seeder needs staff: run the staff seeder first.")
            self.managers.setdefault(store.pk, fallback)
            self.sellers[store.pk] = self.sellers[store.pk] or [fallback]
            self.beauticians[store.pk] = self.beauticians[store.pk] or self.sellers[store.pk]

    def store_for(self, rng: random.Random, home_store_pk: int) -> Store:
        """The member's own store, now and then another store of the chain."""
        if len(self.stores) > 1 and rng.random() < OTHER_STORE_SHARE:
            return rng.choice([s for s in self.stores if s.pk != home_store_pk])
        return self.store_by_pk[home_store_pk]

    def seller(self, rng: random.Random, store_pk: int, customer: Any = None) -> Any:
        """The member's own sales assistant when they work there, mostly; else anyone selling."""
        responsible = getattr(customer, "responsible_staff_id", None)
        if responsible and store_pk in self.staff_stores.get(responsible, ()):
            if rng.random() < 0.7:
                return next(
                    u
                    for u in self.sellers[store_pk] + self.beauticians[store_pk]
                    if u.pk == responsible
                )
        return rng.choice(self.sellers[store_pk])

    def staff_of(self, store_pk: int) -> set[int]:
        """The primary keys of everyone working in the store."""
        found = self._staff_of.get(store_pk)
        if found is None:
            found = self._staff_of[store_pk] = {
                user for user, stores in self.staff_stores.items() if store_pk in stores
            }
        return found

    def beautician(self, rng: random.Random, store_pk: int) -> Any:
        return rng.choice(self.beauticians[store_pk])

    def manager(self, store_pk: int) -> Any:
        return self.managers[store_pk]

    def topper_share(self, segment: str) -> float:
        return TOPPER_SHARE.get(segment, 0.0)

    def method_weights(self, rng: random.Random) -> tuple[float, ...]:
        """A member's own habit: the usual shares, tilted towards one method (cumulative
        weights of ``METHODS``, for ``draw``)."""
        favourite = draw(rng, range(len(METHODS)), METHOD_CUMULATIVE)
        return cumulative(
            [w + (0.5 if i == favourite else 0.0) for i, w in enumerate(METHOD_WEIGHTS)]
        )

    def bonus_rules_ensure(self) -> list[tuple[Decimal, Decimal]]:
        """The bonus rules in force; the demo's when there are none. As (minimum, bonus)."""
        rules = list(
            BonusRule.objects.filter(is_active=True, store__isnull=True)
            .order_by("minimum_topup")
            .values_list("minimum_topup", "bonus")
        )
        if rules or BonusRule.objects.exists():
            return rules
        for minimum, bonus in BONUS_RULES:
            model_create(
                instance=BonusRule(minimum_topup=Decimal(minimum), bonus=Decimal(bonus)),
                actor=None,
            )
        return [(Decimal(m), Decimal(b)) for m, b in BONUS_RULES]
