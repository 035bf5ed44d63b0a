"""Benchmarks of the customer list at scale (issue 3, "Lists"): the first page, a filtered page
(store + birthday month + tag), a deep page (by cursor, half-way down the list) and the phone
search by the last 4 digits and by the whole number, as the owner and as a sales user.

Target: p95 under 300 ms at 1,000,000 customers on SQLite and PostgreSQL.
"""

from __future__ import annotations

from urllib.parse import urlencode

from benchmarks.measure import Bench

DEEP_FRACTION = 2  # the deep page starts half-way down the user's list


def _store_of(user: object | None) -> int:
    """The first store the user works in; the first store for the owner."""
    from guanxi.staff.models import Store

    stores = Store.objects.order_by("pk")
    if user is not None and getattr(user, "role", "") != "owner":
        stores = stores.filter(staff=user)
    return stores.values_list("pk", flat=True)[0]


def _visible(user: object | None):  # noqa: ANN202 - a queryset of customers
    from guanxi.customers.models import Customer

    customers = Customer.objects.all()
    if user is not None and getattr(user, "role", "") != "owner":
        customers = customers.filter(home_store_id=_store_of(user))
    return customers


def _busiest_tag() -> int | None:
    from django.db.models import Count

    from guanxi.customers.models import Tag

    tag = Tag.objects.annotate(n=Count("customers")).filter(n__gt=0).order_by("-n", "pk").first()
    return tag.pk if tag else None


def _a_phone(user: object | None) -> str:
    """The phone of a customer in the middle of the user's list (not the first row cached)."""
    customers = _visible(user).order_by("pk")
    count = customers.count()
    return customers.values_list("phone", flat=True)[count // 3] if count else "+8613800000000"


def first_page(bench: Bench) -> None:
    bench.get("List: first page", "/customers/")


def filtered_page(bench: Bench) -> None:
    """One store, the birthday month of this month, the most used tag."""
    from django.utils import timezone

    month = timezone.localdate().month
    tag = _busiest_tag()

    def url(user: object | None) -> str:
        query = {"store": _store_of(user), "birthday_month": month}
        if tag is not None:
            query["tag"] = tag
        return f"/customers/?{urlencode(query)}"

    name = (
        "List: store + birthday month + tag"
        if tag
        else "List: store + birthday month (no tags seeded)"
    )
    bench.get(name, url)


def deep_page(bench: Bench) -> None:
    """The page that starts half-way down the list: keyset pagination makes it cost what the
    first page costs (an OFFSET would read half a million rows)."""
    from guanxi.customers.models import Customer
    from guanxi.customers.selectors.customer import _encode_cursor

    def url(user: object | None) -> str:
        customers = _visible(user).order_by("-created_at", "-pk")
        count = customers.count()
        middle: Customer | None = customers[count // DEEP_FRACTION] if count else None
        if middle is None:
            return "/customers/"
        return f"/customers/?{urlencode({'after': _encode_cursor('created_at', middle)})}"

    bench.get("List: deep page (half-way, by cursor)", url)


def phone_last4(bench: Bench) -> None:
    def url(user: object | None) -> str:
        return f"/customers/?{urlencode({'q': _a_phone(user)[-4:]})}"

    bench.get("Search: last 4 phone digits", url)


def phone_whole(bench: Bench) -> None:
    def url(user: object | None) -> str:
        return f"/customers/?{urlencode({'q': _a_phone(user)})}"

    bench.get("Search: whole phone number", url)


def quick_search_last4(bench: Bench) -> None:
    """The header's quick search (the htmx dropdown) by the last 4 digits."""

    def url(user: object | None) -> str:
        return f"/customers/quick-search/?{urlencode({'q': _a_phone(user)[-4:]})}"

    bench.get("Header quick search: last 4 phone digits", url)


BENCHMARKS = [first_page, filtered_page, deep_page, phone_last4, phone_whole, quick_search_last4]
