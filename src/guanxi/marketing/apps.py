from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "guanxi.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from guanxi.marketing import nav  # noqa: F401 - capabilities, navigation, history, data
