"""The orders pages' declarations for the central permission-matrix test."""

from guanxi.orders.tests.scoping import make_order_of, make_referenced_order_of

SCOPED_URLS = {
    "orders:order-detail": make_order_of,
    "orders:order-receipt": make_order_of,
    "orders:order-return": make_order_of,
}
LIST_URLS = {
    # The list shows each order's reference, and its search box finds it.
    "orders:order-list": make_referenced_order_of,
}
