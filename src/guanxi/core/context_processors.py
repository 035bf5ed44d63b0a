from typing import Any

from django.conf import settings
from django.http import HttpRequest

from guanxi.core.registry import nav_menu


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    entries = nav_menu(user) if user is not None and user.is_authenticated else []
    namespace = getattr(getattr(request, "resolver_match", None), "namespace", None)
    return {
        "nav_entries": entries,
        "nav_current_groups": [
            entry.group.key for entry in entries if entry.group and entry.current(namespace)
        ],
        "guanxi_languages": settings.LANGUAGES,
        "guanxi_env": settings.GUANXI_ENV,
    }
