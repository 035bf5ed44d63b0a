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
    group: str = ""  # the key of a NavGroup: shown in that group's menu


@dataclass(frozen=True)
class NavGroup:
    """A menu in the navigation bar that holds the items naming it as their ``group``; it takes
    the place of its first item. A group with one visible item shows that item alone."""

    key: str
    label: Any  # a lazy translation
    icon: str
    namespaces: tuple[str, ...] = ()  # URL namespaces in which the menu shows as the current one


@dataclass(frozen=True)
class NavEntry:
    """One place in the navigation bar: a link (``item``) or a menu (``group`` and ``items``)."""

    item: NavItem | None = None
    group: NavGroup | None = None
    items: tuple[NavItem, ...] = ()

    def current(self, namespace: str | None) -> bool:
        """Whether a page of URL ``namespace`` belongs to this entry."""
        if self.item is not None:
            return namespace == self.item.key
        return self.group is not None and namespace in self.group.namespaces


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any]]
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every role
    order: int = 100


NAV: dict[str, NavItem] = {}
NAV_GROUPS: dict[str, NavGroup] = {}
PANELS: dict[str, DashboardPanel] = {}


def nav_register(item: NavItem) -> None:
    NAV[item.key] = item


def panel_register(panel: DashboardPanel) -> None:
    PANELS[panel.key] = panel


def nav_group_register(group: NavGroup) -> None:
    NAV_GROUPS[group.key] = group


def nav_for(user: Any) -> list[NavItem]:
    """The items ``user`` may see, in their order."""
    return sorted(
        (item for item in NAV.values() if has_capability(user, item.capability)),
        key=lambda item: (item.order, item.key),
    )


def nav_menu(user: Any) -> list[NavEntry]:
    """The navigation bar of ``user``: their items, those of one group gathered into a menu at
    the place of the group's first item."""
    entries: list[NavEntry] = []
    grouped: dict[str, list[NavItem]] = {}
    for item in nav_for(user):
        group = NAV_GROUPS.get(item.group)
        if group is None:
            entries.append(NavEntry(item=item))
            continue
        if group.key not in grouped:
            grouped[group.key] = []
            entries.append(NavEntry(group=group))
        grouped[group.key].append(item)
    menu = []
    for entry in entries:
        if entry.group is None:
            menu.append(entry)
            continue
        items = grouped[entry.group.key]
        menu.append(
            NavEntry(item=items[0])
            if len(items) == 1
            else NavEntry(group=entry.group, items=tuple(items))
        )
    return menu


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


@dataclass(frozen=True)
class CustomerDataHandler:
    """How one domain's records about a customer follow the customer's life events.

    - ``merge(source_id, target_id, actor)`` moves the records of the customer folded away onto
      the one kept and returns how many it moved;
    - ``export(customer_id)`` returns the records as a list of flat dicts ("download my data");
    - ``erase(customer_id, actor)`` anonymises personal data in them, keeping amounts and
      ledgers intact, and returns how many records it changed.
    """

    key: str
    label: Any  # a lazy translation: the name of the section in exports
    merge: Callable[[int, int, Any], int] | None = None
    export: Callable[[int], list[dict[str, Any]]] | None = None
    erase: Callable[[int, Any], int] | None = None
    order: int = 100


CUSTOMER_DATA: dict[str, CustomerDataHandler] = {}


def customer_data_register(handler: CustomerDataHandler) -> None:
    CUSTOMER_DATA[handler.key] = handler


def customer_data_handlers() -> list[CustomerDataHandler]:
    return sorted(CUSTOMER_DATA.values(), key=lambda h: (h.order, h.key))


@dataclass(frozen=True)
class Importer:
    """A kind of record the ``guanxi import <domain> FILE`` command can import.

    ``add_arguments(parser)`` adds the domain's options to its sub-command; ``run(options,
    stdout, stderr)`` imports and returns the exit code (non-zero when rows were rejected).
    """

    domain: str
    help: Any
    add_arguments: Callable[[Any], None]
    run: Callable[[dict[str, Any], Any, Any], int]


IMPORTERS: dict[str, Importer] = {}


def importer_register(importer: Importer) -> None:
    IMPORTERS[importer.domain] = importer


def importers() -> list[Importer]:
    return sorted(IMPORTERS.values(), key=lambda i: i.domain)


# Job kind -> the capability needed to download the file the job produced (checked again at
# download time, so a capability withdrawn after the export was started also closes the file).
JOB_DOWNLOAD_CAPABILITIES: dict[str, str] = {}


def job_download_capability_register(kind: str, capability: str) -> None:
    JOB_DOWNLOAD_CAPABILITIES[kind] = capability
