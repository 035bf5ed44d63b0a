"""Readable object history: audit rows turned into "field: from → to" lines.

Field names come from the model's ``verbose_name``; choice values become their labels and
related objects their names, so that a store manager reads "Home store: Store A → Store B"
rather than ``{"home_store": [1, 2]}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from guanxi.core.audit import MASK
from guanxi.core.choices import AuditAction
from guanxi.core.filters import DENIAL_ACTIONS
from guanxi.core.models import AuditEvent

EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    changes: list[FieldChange]

    @property
    def is_denial(self) -> bool:
        return self.event.action in DENIAL_ACTIONS


def _field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _related_names(field: models.Field | None, events: Iterable[AuditEvent], name: str) -> dict:
    """Names of the related objects a foreign key or many-to-many field pointed to, in one query."""
    if field is None or not (field.many_to_one or field.many_to_many or field.one_to_one):
        return {}
    pks: set[Any] = set()
    for event in events:
        for value in (event.changes or {}).get(name, [None, None])[:2]:
            if isinstance(value, list):
                pks.update(v for v in value if v is not None)
            elif value is not None and value != MASK:
                pks.add(value)
    if not pks:
        return {}
    related = field.related_model
    if related is None or isinstance(related, str):
        return {}
    try:
        return {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=pks)}
    except (ValueError, TypeError):
        return {}


def _display(value: Any, field: models.Field | None, names: dict) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if value == MASK:
        return MASK
    if isinstance(value, list):
        return ", ".join(_display(v, field, names) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value in names:
        return names[value]
    if field is not None and field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def history_entries(events: Iterable[AuditEvent], model: type[models.Model]) -> list[HistoryEntry]:
    """Readable entries for audit rows about objects of ``model``."""
    events = list(events)
    field_names = {name for e in events for name in (e.changes or {})}
    fields = {name: _field(model, name) for name in field_names}
    related = {name: _related_names(fields[name], events, name) for name in field_names}
    entries = []
    for event in events:
        changes = []
        for name, values in (event.changes or {}).items():
            field = fields[name]
            pair = values if isinstance(values, list) and len(values) == 2 else [None, values]
            if event.action == AuditAction.CREATE and pair[1] in (None, "", []):
                continue  # a new object's empty fields say nothing
            label = str(field.verbose_name).capitalize() if field is not None else name
            changes.append(
                FieldChange(
                    label=label,
                    old=_display(pair[0], field, related[name]),
                    new=_display(pair[1], field, related[name]),
                )
            )
        entries.append(HistoryEntry(event=event, changes=changes))
    return entries
