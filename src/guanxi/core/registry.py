"""What domains contribute to the shell: navigation links and dashboard panels.

A domain registers its entries in ``AppConfig.ready``; a domain that is not built registers
nothing, so the navigation never shows a dead link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from guanxi.core.permissions import has_capability


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # a lazy translation
    url_name: str
    icon: str
    capability: str
    order: int = 100


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any]]
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every role
    order: int = 100


NAV: dict[str, NavItem] = {}
PANELS: dict[str, DashboardPanel] = {}


def nav_register(item: NavItem) -> None:
    NAV[item.key] = item


def panel_register(panel: DashboardPanel) -> None:
    PANELS[panel.key] = panel


def nav_for(user: Any) -> list[NavItem]:
    return sorted(
        (item for item in NAV.values() if has_capability(user, item.capability)),
        key=lambda item: (item.order, item.key),
    )


def panels_for(user: Any) -> list[DashboardPanel]:
    role = getattr(user, "role", None)
    return sorted(
        (p for p in PANELS.values() if not p.roles or role in p.roles),
        key=lambda p: (p.order, p.key),
    )


# Object history (the "History" tab): object type ("app_label.model_name") -> a function that
# returns the queryset of such objects the user may see. The history view shows the audit rows of
# an object only when the object is in that queryset, so history obeys the same store scoping.
HISTORY_SOURCES: dict[str, Callable[[Any], Any]] = {}


def history_register(object_type: str, visible_to: Callable[[Any], Any]) -> None:
    HISTORY_SOURCES[object_type] = visible_to
