"""htmx helpers: one view serves the full page and its partial (as NetBox does)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_htmx_partial(request: HttpRequest) -> bool:
    """True for an htmx request that swaps part of a page.

    A boosted navigation and a history restore (the back button after a cache miss) need the
    whole page.
    """
    htmx = getattr(request, "htmx", None)
    return (
        bool(htmx)
        and not getattr(htmx, "boosted", False)
        and not getattr(htmx, "history_restore_request", False)
    )


def render_page_or_partial(
    request: HttpRequest,
    template: str,
    partial: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    name = partial if is_htmx_partial(request) else template
    return render(request, name, context or {}, status=status)


def hx_redirect(url: str) -> HttpResponse:
    """Tell htmx to navigate the whole page to ``url``."""
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response
