from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "guanxi.loyalty"
    label = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        from guanxi.loyalty import (
            nav,  # noqa: F401 - registers capabilities, history sources and data handlers
            tasks,  # noqa: F401 - registers the periodic expiry
        )
