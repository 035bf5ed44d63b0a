"""Panels of the customer page that other domains fill: the card and balances, segments,
lifetime value, tickets …

A domain registers a panel in its ``AppConfig.ready``::

    profile_panel_register(
        "loyalty.card", "loyalty/panels/customer_card.html", card_context, order=10
    )

``context_fn(request, customer)`` returns the template's context, or ``None`` to show nothing
(the user may not see it, or there is nothing to show). A domain that registers nothing adds
nothing to the page: there are no empty placeholders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

ContextFunction = Callable[[HttpRequest, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class ProfilePanel:
    key: str
    template: str
    context_fn: ContextFunction
    order: int = 100


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    html: str


PROFILE_PANELS: dict[str, ProfilePanel] = {}


def profile_panel_register(
    key: str, template: str, context_fn: ContextFunction, order: int = 100
) -> None:
    """Add (or replace) the panel ``key`` on every customer page."""
    PROFILE_PANELS[key] = ProfilePanel(
        key=key, template=template, context_fn=context_fn, order=order
    )


def profile_panel_unregister(key: str) -> None:
    PROFILE_PANELS.pop(key, None)


def profile_panels_for(request: HttpRequest, customer: Any) -> list[RenderedPanel]:
    """The panels to show on ``customer``'s page, in order, rendered (their template gets
    ``customer`` and what ``context_fn`` returned); those whose context is ``None`` are left
    out."""
    rendered = []
    for panel in sorted(PROFILE_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context_fn(request, customer)
        if context is not None:
            context = {"customer": customer, **context}
            html = render_to_string(panel.template, context, request=request)
            rendered.append(RenderedPanel(key=panel.key, html=html))
    return rendered
