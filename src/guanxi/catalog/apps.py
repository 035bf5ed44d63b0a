from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "guanxi.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from guanxi.catalog import nav  # noqa: F401 - capabilities, navigation, history sources
