"""The audit trail: every write to a business object, sign-ins, denials and exports.

Rows are append-only; the database itself refuses UPDATE and DELETE on them (migration 0002).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from guanxi.core import context
from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent

MASK = "••••••"


def object_type_of(obj: models.Model | type[models.Model]) -> str:
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}"


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def masked_fields(obj: models.Model) -> set[str]:
    """Fields whose values never enter the audit log (passwords, secrets)."""
    return set(getattr(obj, "audit_masked_fields", ())) | {"password"}


def audited_fields(obj: models.Model) -> list[models.Field]:
    skip = set(getattr(obj, "audit_skipped_fields", ())) | {
        "created_at",
        "updated_at",
        "last_login",
    }
    return [f for f in obj._meta.concrete_fields if f.name not in skip and not f.primary_key]


def snapshot(
    obj: models.Model, fields: Iterable[str] | None = None, *, mask: bool = True
) -> dict[str, Any]:
    """The current values of an object's audited fields, with secrets masked unless told not to."""
    masked = masked_fields(obj) if mask else set()
    names = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in audited_fields(obj):
        if names is not None and field.name not in names:
            continue
        value = getattr(obj, field.attname)
        data[field.name] = MASK if field.name in masked and value else _plain(value)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def mask_changes(obj: models.Model, changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Replace the old and new values of secret fields with a mask, keeping the fact of change."""
    masked = masked_fields(obj)
    return {
        name: [MASK if v else v for v in values] if name in masked else values
        for name, values in changes.items()
    }


def store_id_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    getter = getattr(obj, "audit_store_id", None)
    if callable(getter):
        return getter()
    return None


def audit_record(
    *,
    action: str | AuditAction,
    actor: Any = None,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    message: str = "",
    object_type: str = "",
    object_pk: str = "",
    object_repr: str = "",
    store_id: int | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit row. The actor and IP default to the current request's."""
    ctx = context.current()
    actor = actor if actor is not None else ctx.actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_pk = object_pk or str(obj.pk)
        object_repr = object_repr or str(obj)
        store_id = store_id if store_id is not None else store_id_of(obj)
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=(getattr(actor, "get_username", lambda: "")() if actor else "")[:150],
        ip_address=ip_address or ctx.ip_address,
        action=str(action),
        object_type=object_type,
        object_pk=object_pk,
        object_repr=object_repr[:200],
        store_id=store_id,
        changes=_plain(changes or {}),
        message=message[:300],
    )
