from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "guanxi.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from guanxi.orders import (
            nav,  # noqa: F401 - capabilities, history sources, data handlers, tier spend
            nav_ui,  # noqa: F401 - the till and the order list in the main navigation
            order_panel,  # noqa: F401 - the "Orders" panel of the customer page
        )
        from guanxi.orders.imports import cli  # noqa: F401 - "guanxi import orders FILE"
