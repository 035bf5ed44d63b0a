from typing import Any

from django.conf import settings
from django.http import HttpRequest

from guanxi.core.registry import nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "nav_items": nav_for(user) if user is not None and user.is_authenticated else [],
        "guanxi_languages": settings.LANGUAGES,
        "guanxi_env": settings.GUANXI_ENV,
    }
