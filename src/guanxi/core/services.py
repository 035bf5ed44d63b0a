"""Generic write helpers every domain's services build on: create, update and delete a model
with validation and an audit row, in the manner of HackSoft's ``model_update``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction

from guanxi.core.audit import audit_record, diff, mask_changes, snapshot
from guanxi.core.choices import AuditAction

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def model_create(*, instance: M, actor: Any, m2m: dict[str, Iterable[Any]] | None = None) -> M:
    """Validate and save a new object, set its many-to-many fields and audit the creation."""
    instance.full_clean()
    instance.save()
    changes: dict[str, Any] = {name: [None, value] for name, value in snapshot(instance).items()}
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
        changes[name] = [None, sorted(v.pk if isinstance(v, models.Model) else v for v in values)]
    audit_record(action=AuditAction.CREATE, actor=actor, obj=instance, changes=changes)
    return instance


@transaction.atomic
def model_update(
    *,
    instance: M,
    data: dict[str, Any],
    actor: Any,
    m2m: dict[str, Iterable[Any]] | None = None,
) -> tuple[M, bool]:
    """Set the given fields, validate, save only what changed and audit the change.

    Returns the instance and whether anything changed; an update that changes nothing writes
    nothing, not even an audit row.
    """
    concrete = {f.name: f for f in instance._meta.concrete_fields}
    before = snapshot(instance, mask=False)
    raw_before = {n: getattr(instance, concrete[n].attname) for n in data if n in concrete}
    for name, value in data.items():
        setattr(instance, name, value)
    after = snapshot(instance, mask=False)
    changes: dict[str, Any] = diff(before, after)
    # Fields kept out of the audit (derived keys) are still saved when they change.
    changed_fields = set(changes) | {
        n for n, old in raw_before.items() if getattr(instance, concrete[n].attname) != old
    }
    for name, values in (m2m or {}).items():
        manager = getattr(instance, name)
        old = sorted(manager.values_list("pk", flat=True))
        new = sorted(v.pk if isinstance(v, models.Model) else v for v in values)
        if old != new:
            manager.set(new)
            changes[name] = [old, new]
    if not changes and not changed_fields:
        return instance, False
    instance.full_clean()
    fields = [n for n in concrete if n in changed_fields and not concrete[n].primary_key]
    if fields:
        if "updated_at" in concrete:
            fields.append("updated_at")
        instance.save(update_fields=fields)
    if not changes:
        return instance, True
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=instance,
        changes=mask_changes(instance, changes),
    )
    return instance, True


@transaction.atomic
def model_delete(*, instance: models.Model, actor: Any) -> None:
    """Delete an object and keep its last values in the audit log."""
    changes = {name: [value, None] for name, value in snapshot(instance).items()}
    audit_record(action=AuditAction.DELETE, actor=actor, obj=instance, changes=changes)
    instance.delete()
