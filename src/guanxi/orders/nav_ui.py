"""The orders pages in the main navigation: the till and the order list."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.registry import NavItem, nav_register

nav_register(
    NavItem(
        key="orders-checkout",
        label=_("Checkout"),
        url_name="orders:checkout",
        icon="cart3",
        capability="orders.checkout",
        order=20,
    )
)
nav_register(
    NavItem(
        key="orders",
        label=_("Orders"),
        url_name="orders:order-list",
        icon="receipt",
        capability="orders.view",
        order=21,
    )
)
