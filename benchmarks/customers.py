"""Benchmarks of the customer list: first page, a filtered page and a phone search."""

from __future__ import annotations

from urllib.parse import urlencode

from benchmarks.measure import Bench


def _store_of(bench: Bench, user: object | None) -> int:
    """The first store the user works in; the first store for the owner."""
    from guanxi.staff.models import Store

    stores = Store.objects.order_by("pk")
    if user is not None and getattr(user, "role", "") != "owner":
        stores = stores.filter(staff=user)
    return stores.values_list("pk", flat=True)[0]


def customer_list(bench: Bench) -> None:
    bench.get("Customers, page 1", "/customers/")


def customer_list_filtered(bench: Bench) -> None:
    """Customers of one store with a birthday this month, second page."""
    from django.utils import timezone

    month = timezone.localdate().month

    def url(user: object | None) -> str:
        query = {"store": _store_of(bench, user), "birthday_month": month, "page": 2}
        return f"/customers/?{urlencode(query)}"

    bench.get("Customers, store + birthday month, page 2", url)


def customer_phone_search(bench: Bench) -> None:
    """The counter's lookup: the last 4 digits of a member's phone, of a customer the user sees."""
    from guanxi.customers.models import Customer

    def url(user: object | None) -> str:
        customers = Customer.objects.order_by("pk")
        if user is not None and getattr(user, "role", "") != "owner":
            customers = customers.filter(home_store_id=_store_of(bench, user))
        phone = customers.values_list("phone", flat=True).first() or "+8613800000000"
        return f"/customers/?{urlencode({'q': phone[-4:]})}"

    bench.get("Customers, search by last 4 phone digits", url)


BENCHMARKS = [customer_list, customer_list_filtered, customer_phone_search]
