from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "guanxi.staff"
    label = "staff"
    verbose_name = _("Staff")

    def ready(self) -> None:
        from guanxi.staff import nav, signals  # noqa: F401 - registers navigation and audit hooks
