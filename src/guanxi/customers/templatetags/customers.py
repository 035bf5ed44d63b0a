"""Template helpers of the customers domain."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.core.permissions import has_capability

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_search_allowed(context: dict[str, Any]) -> bool:
    """Whether the signed-in staff member may search customers (the header search box)."""
    request = context.get("request")
    return has_capability(getattr(request, "user", None), "customers.view")
