"""The orders API's declarations for the central permission-matrix test."""

from guanxi.orders.choices import OrderSource
from guanxi.orders.tests.factories import make_order
from guanxi.staff.tests.factories import UserFactory


def make_order_of(store):
    return make_order(store, UserFactory(), price="59.00")


def make_referenced_order_of(store):
    reference = f"OUTSCOPE-ORDER-{store.code}".upper()
    make_order(store, UserFactory(), source=OrderSource.API, reference=reference)
    return reference


SCOPED_URLS = {
    "api-order-detail": make_order_of,
    "api-order-return-create": make_order_of,
}
LIST_URLS = {
    "api-order-list": make_referenced_order_of,
}
