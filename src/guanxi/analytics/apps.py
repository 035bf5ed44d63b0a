from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "guanxi.analytics"
    label = "analytics"
    verbose_name = _("Customer intelligence")

    def ready(self) -> None:
        from guanxi.analytics import (
            capabilities,  # noqa: F401 - analytics.view, analytics.manage, analytics.audience
            data_handlers,  # noqa: F401 - metrics and audiences follow merge, export, erasure
            nav,  # noqa: F401 - analytics.reports, the menu, dashboard and customer-page panels
            tasks,  # noqa: F401 - registers the nightly refresh
        )
