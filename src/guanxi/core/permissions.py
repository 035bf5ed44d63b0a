"""The one permission layer: roles, capabilities and store scoping.

Pages, the API, exports, search and autocomplete all read through ``scope``; a staff member who
is not an owner sees only the objects of the stores they belong to. Another store's object is
"not found" (404), never "forbidden", so that its existence does not leak.

Each scoped model names the path from itself to its store in ``store_scope``:
``"pk"`` for the store itself, ``"home_store"`` for a customer, ``"stores"`` for staff.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    STORE_MANAGER = "store_manager", _("Store manager")
    SALES = "sales", _("Sales")
    SERVICE_AGENT = "service_agent", _("Service agent")
    MARKETER = "marketer", _("Marketer")


ALL_ROLES = frozenset(Role)

# Capability -> roles that have it. Scoping to stores applies on top of this for every role
# but the owner.
CAPABILITIES: dict[str, frozenset[str]] = {
    "stores.view": ALL_ROLES,
    "stores.manage": frozenset({Role.OWNER}),
    "staff.view": frozenset({Role.OWNER, Role.STORE_MANAGER}),
    "staff.manage": frozenset({Role.OWNER}),
    "audit.view": frozenset({Role.OWNER}),
    "audit.view_object": frozenset({Role.OWNER, Role.STORE_MANAGER}),
    "organisation.manage": frozenset({Role.OWNER}),
    "customers.view": ALL_ROLES,
    "customers.create": frozenset({Role.OWNER, Role.STORE_MANAGER, Role.SALES, Role.SERVICE_AGENT}),
    "customers.change": frozenset({Role.OWNER, Role.STORE_MANAGER, Role.SALES, Role.SERVICE_AGENT}),
    "customers.delete": frozenset({Role.OWNER, Role.STORE_MANAGER}),
    "customers.export": frozenset({Role.OWNER, Role.STORE_MANAGER, Role.MARKETER}),
    "customers.view_sensitive": frozenset({Role.OWNER, Role.STORE_MANAGER, Role.SALES}),
}


def role_of(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return getattr(user, "role", None)


def is_owner(user: Any) -> bool:
    return role_of(user) == Role.OWNER


def has_capability(user: Any, capability: str) -> bool:
    role = role_of(user)
    if role is None:
        return False
    try:
        return role in CAPABILITIES[capability]
    except KeyError as exc:
        raise KeyError(f"Unknown capability {capability!r}") from exc


def register_capability(capability: str, roles: frozenset[str] | set[str]) -> None:
    """Domains add their capabilities at import time (in their ``apps.ready``)."""
    CAPABILITIES[capability] = frozenset(roles)


def store_ids(user: Any) -> frozenset[int] | None:
    """The stores a user may see; ``None`` means every store (owners)."""
    if role_of(user) is None:
        return frozenset()
    if is_owner(user):
        return None
    cached = getattr(user, "_guanxi_store_ids", None)
    if cached is None:
        cached = frozenset(user.stores.values_list("pk", flat=True))
        user._guanxi_store_ids = cached
    return cached


def scope(queryset: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    """Limit a queryset to what ``user`` may see."""
    model = queryset.model
    path = getattr(model, "store_scope", None)
    if path is None:
        raise TypeError(f"{model.__name__} has no store_scope; it cannot be scoped to stores.")
    if role_of(user) is None:
        return queryset.none()
    allowed = store_ids(user)
    if allowed is None:
        return queryset
    if path == "pk":
        return queryset.filter(pk__in=allowed)
    lookup = f"{path}__in"
    if model._meta.get_field(path.split("__")[0]).many_to_many:
        # A many-to-many path would repeat rows; filter through a subquery instead.
        ids = model._default_manager.filter(**{lookup: allowed}).values("pk")
        return queryset.filter(pk__in=ids)
    return queryset.filter(**{lookup: allowed})


def can_see_store(user: Any, store_id: int | None) -> bool:
    allowed = store_ids(user)
    return allowed is None or (store_id is not None and store_id in allowed)


def require_capability(user: Any, capability: str) -> None:
    """Raise ``PermissionDenied`` (audited by the handler) when the user lacks a capability."""
    if not has_capability(user, capability):
        raise PermissionDenied(capability)
