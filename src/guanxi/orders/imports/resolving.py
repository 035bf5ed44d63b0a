"""Looking up what the rows of an order file name: members (by phone, external ID or card
number), products (by SKU or barcode), stores (by code or name) and staff (by username).

Stores, staff and products are few enough to be read once. Members are many: the keys of the
whole file are collected first and looked up in chunks of ``LOOKUP_CHUNK`` (one query per chunk
and kind of key), never one query per row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.utils import translation

from guanxi.catalog.models import Product
from guanxi.core.i18n import localized
from guanxi.core.permissions import store_ids
from guanxi.customers.models import Customer
from guanxi.loyalty.models import LIVE_CARD_STATUSES, MemberCard, Membership
from guanxi.staff.models import Store

LOOKUP_CHUNK = 1000
T = TypeVar("T")


def in_chunks(items: Iterable[T], size: int = LOOKUP_CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def card_key(text: str) -> str:
    """A card number as stored: capitals, without the spaces and dashes people write in it."""
    return re.sub(r"[\s-]", "", text).upper()


# --- Members ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Holder:
    """Who an order is for: a customer (with their membership and live card, if they have one),
    or, for a household's card, the household's membership alone."""

    customer_id: int | None
    membership_id: int | None
    card_id: int | None
    store_id: int  # where the customer (or the household) is registered
    erased: bool = False

    def same_as(self, other: Holder) -> bool:
        """The same member: the same customer, or a household card and one of its members."""
        if self.customer_id is not None and other.customer_id is not None:
            return self.customer_id == other.customer_id
        if self.customer_id is None and other.customer_id is None:
            return self.membership_id == other.membership_id
        return self.membership_id is not None and self.membership_id == other.membership_id

    def merged(self, other: Holder) -> Holder:
        """The fuller of two holders that are ``same_as`` each other (a named card wins)."""
        customer = self if self.customer_id is not None else other
        card = self.card_id if self.card_id is not None else other.card_id
        return Holder(
            customer.customer_id, customer.membership_id, card, customer.store_id, customer.erased
        )


@dataclass(frozen=True, slots=True)
class _CustomerInfo:
    pk: int
    home_store_id: int
    household_id: int | None
    erased: bool


class MemberDirectory:
    """The members a file names, looked up in bulk by ``load``, then found by ``find``."""

    def __init__(self, *, actor: Any) -> None:
        self.allowed = None if actor is None else store_ids(actor)
        self.by_phone: dict[str, Holder] = {}
        self.by_external_id: dict[str, Holder] = {}
        self.by_card: dict[str, Holder] = {}

    def visible(self, holder: Holder) -> bool:
        return self.allowed is None or holder.store_id in self.allowed

    def load(self, *, phones: set[str], external_ids: set[str], card_numbers: set[str]) -> None:
        fields = ("pk", "phone", "external_id", "home_store_id", "household_id", "erased_at")
        customers: dict[int, _CustomerInfo] = {}
        phone_of: dict[str, int] = {}
        external_of: dict[str, int] = {}
        for lookup, keys, found in (
            ("phone__in", phones, phone_of),
            ("external_id__in", external_ids, external_of),
        ):
            for chunk in in_chunks(sorted(keys)):
                for row in Customer.objects.filter(**{lookup: chunk}).values(*fields):
                    customers[row["pk"]] = _CustomerInfo(
                        row["pk"], row["home_store_id"], row["household_id"], bool(row["erased_at"])
                    )
                    key = row["phone"] if lookup == "phone__in" else row["external_id"]
                    found[key] = row["pk"]
        cards: dict[str, dict[str, Any]] = {}
        for chunk in in_chunks(sorted(card_numbers)):
            for row in MemberCard.objects.filter(number__in=chunk).values(
                "pk",
                "number",
                "membership_id",
                "membership__customer_id",
                "membership__household__store_id",
            ):
                cards[row["number"]] = dict(row)
        missing = {
            row["membership__customer_id"]
            for row in cards.values()
            if row["membership__customer_id"] and row["membership__customer_id"] not in customers
        }
        for chunk in in_chunks(sorted(missing)):
            for row in Customer.objects.filter(pk__in=chunk).values(*fields):
                customers[row["pk"]] = _CustomerInfo(
                    row["pk"], row["home_store_id"], row["household_id"], bool(row["erased_at"])
                )
        memberships, live_cards = self._memberships(customers.values(), cards.values())
        holders = {
            pk: self._holder(info, memberships, live_cards) for pk, info in customers.items()
        }
        self.by_phone = {phone: holders[pk] for phone, pk in phone_of.items()}
        self.by_external_id = {key: holders[pk] for key, pk in external_of.items()}
        for number, row in cards.items():
            customer_id = row["membership__customer_id"]
            if customer_id:
                holder = holders[customer_id]
                self.by_card[number] = Holder(
                    customer_id, row["membership_id"], row["pk"], holder.store_id, holder.erased
                )
            else:
                self.by_card[number] = Holder(
                    None, row["membership_id"], row["pk"], row["membership__household__store_id"]
                )

    @staticmethod
    def _memberships(
        customers: Iterable[_CustomerInfo], cards: Iterable[dict[str, Any]]
    ) -> tuple[dict[tuple[str, int], int], dict[int, int]]:
        """(("customer"|"household", pk) -> membership pk, membership pk -> its live card pk)."""
        customers = list(customers)
        single = sorted(c.pk for c in customers if c.household_id is None)
        households = sorted({c.household_id for c in customers if c.household_id is not None})
        memberships: dict[tuple[str, int], int] = {}
        for lookup, keys in (("customer_id__in", single), ("household_id__in", households)):
            for chunk in in_chunks(keys):
                for pk, customer_id, household_id in Membership.objects.filter(
                    **{lookup: chunk}
                ).values_list("pk", "customer_id", "household_id"):
                    if customer_id:
                        memberships[("customer", customer_id)] = pk
                    else:
                        memberships[("household", household_id)] = pk
        membership_ids = set(memberships.values()) | {c["membership_id"] for c in cards}
        live: dict[int, int] = {}
        for chunk in in_chunks(sorted(membership_ids)):
            for membership_id, pk in MemberCard.objects.filter(
                membership_id__in=chunk, status__in=LIVE_CARD_STATUSES
            ).values_list("membership_id", "pk"):
                live[membership_id] = pk
        return memberships, live

    @staticmethod
    def _holder(
        info: _CustomerInfo, memberships: dict[tuple[str, int], int], live_cards: dict[int, int]
    ) -> Holder:
        key = ("household", info.household_id) if info.household_id else ("customer", info.pk)
        membership_id = memberships.get(key)  # type: ignore[arg-type]
        card_id = live_cards.get(membership_id) if membership_id is not None else None
        return Holder(info.pk, membership_id, card_id, info.home_store_id, info.erased)


# --- Products, stores, staff ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductInfo:
    pk: int
    sku: str
    category_id: int | None
    description: str
    cost: Decimal | None


class Catalogue:
    """Every product by SKU (as written, then ignoring case) and by barcode."""

    def __init__(self) -> None:
        language = translation.get_language()
        self.by_sku: dict[str, ProductInfo] = {}
        self.by_upper_sku: dict[str, ProductInfo] = {}
        self.by_barcode: dict[str, ProductInfo] = {}
        rows = Product.objects.values_list(
            "pk", "sku", "barcode", "category_id", "name_en", "name_zh_hans", "name_zh_hant", "cost"
        )
        for pk, sku, barcode, category_id, en, hans, hant, cost in rows.iterator(chunk_size=2000):
            info = ProductInfo(
                pk, sku, category_id, localized(en, hans, hant, language)[:200], cost
            )
            self.by_sku[sku] = info
            self.by_upper_sku.setdefault(sku.upper(), info)
            if barcode:
                self.by_barcode[barcode] = info

    def find(self, sku: str) -> ProductInfo | None:
        return (
            self.by_sku.get(sku) or self.by_upper_sku.get(sku.upper()) or self.by_barcode.get(sku)
        )


def store_keys() -> dict[str, int]:
    """Store code and name (lower case) -> store pk."""
    keys: dict[str, int] = {}
    for pk, code, name in Store.objects.values_list("pk", "code", "name"):
        keys.setdefault(code.strip().lower(), pk)
        keys.setdefault(name.strip().lower(), pk)
    return keys


def staff_keys() -> dict[str, int]:
    """Username (lower case) -> staff member pk; former staff included (old sales name them)."""
    users = get_user_model().objects.values_list("pk", "username")
    return {str(username).lower(): pk for pk, username in users}


def unique(items: Sequence[Holder]) -> list[Holder]:
    """The distinct members among ``items`` (a household card and its member are one)."""
    found: list[Holder] = []
    for item in items:
        for index, known in enumerate(found):
            if known.same_as(item):
                found[index] = known.merged(item)
                break
        else:
            found.append(item)
    return found
