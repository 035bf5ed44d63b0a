"""Creating and changing member events.

Who may: the ``marketing.events`` capability (owners, store managers, marketers), for an event
of a store they work in; an event of every store (no store) is the owner's.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.permissions import can_see_store, has_capability, is_owner, require_capability
from guanxi.core.services import model_create, model_update
from guanxi.marketing.models import MemberEvent
from guanxi.marketing.selectors import registration_live_count

CAPABILITY = "marketing.events"
EVENT_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "store",
    "capacity",
    "registration_open",
    "minimum_tier",
    "minimum_spend",
    "spend_since",
    "spend_days",
    "requires_package",
)


def _store_id(store: Any) -> int | None:
    return getattr(store, "pk", store)


def can_manage_event(user: Any, store: Any) -> bool:
    """Whether ``user`` may create, change and draw the lottery of an event of ``store``
    (a store, its id, or ``None`` for every store)."""
    if not has_capability(user, CAPABILITY):
        return False
    store_id = _store_id(store)
    if store_id is None:
        return is_owner(user)
    return can_see_store(user, store_id)


def _require_manage(user: Any, store: Any) -> None:
    require_capability(user, CAPABILITY)
    if not can_manage_event(user, store):
        raise PermissionDenied(CAPABILITY)


@transaction.atomic
def event_create(*, actor: Any, **data: Any) -> MemberEvent:
    """Create an event from the ``EVENT_FIELDS`` given; validated and audited."""
    _require_manage(actor, data.get("store"))
    unknown = set(data) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    event = MemberEvent(
        **data, created_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    return model_create(instance=event, actor=actor)


@transaction.atomic
def event_update(*, event: MemberEvent, data: dict[str, Any], actor: Any) -> MemberEvent:
    """Change an event (under a lock on its row); the capacity never falls below the customers
    already registered."""
    locked = MemberEvent.objects.select_for_update().get(pk=event.pk)
    _require_manage(actor, locked.store_id)
    if "store" in data:
        _require_manage(actor, data["store"])
    changes = {name: value for name, value in data.items() if name in EVENT_FIELDS}
    capacity = changes.get("capacity")
    if capacity is not None:
        registered = registration_live_count(event=locked)
        if capacity < registered:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(registered)s customers are registered: the capacity cannot be lower."
                    )
                    % {"registered": registered}
                }
            )
    updated, _changed = model_update(instance=locked, data=changes, actor=actor)
    return updated
