"""Reads shared by every domain: jobs, audit events, health."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import QuerySet
from django.http import Http404

from guanxi.core.audit import object_type_of
from guanxi.core.choices import JobStatus
from guanxi.core.exports import export_file_resolve
from guanxi.core.filters import AuditEventFilter
from guanxi.core.models import AuditEvent, Job
from guanxi.core.permissions import has_capability, is_owner
from guanxi.core.registry import HISTORY_SOURCES


def job_list(*, user: Any) -> QuerySet[Job]:
    """Owners see every job; other staff the jobs they started."""
    jobs = Job.objects.all()
    if is_owner(user):
        return jobs
    return jobs.filter(created_by=user)


def job_file(*, job: Job) -> Path | None:
    """The file a finished job produced, if it is still there and lies under the exports folder."""
    name = (job.result or {}).get("file")
    if job.status != JobStatus.SUCCEEDED or not isinstance(name, str):
        return None
    return export_file_resolve(name)


def audit_event_filter(*, user: Any, filters: Mapping[str, Any] | None) -> AuditEventFilter:
    """The audit log filtered as asked; empty for anyone who may not read the log."""
    events = AuditEvent.objects.all()
    if not has_capability(user, "audit.view"):
        events = events.none()
    return AuditEventFilter(filters or {}, queryset=events)


def audit_event_list(
    *, user: Any, filters: Mapping[str, Any] | None = None
) -> QuerySet[AuditEvent]:
    """The audit rows matching valid filters; raises ``ValidationError`` on invalid ones."""
    filterset = audit_event_filter(user=user, filters=filters)
    if not filterset.is_valid():
        raise ValidationError(
            {name: list(errors) for name, errors in filterset.errors.items()}  # type: ignore[misc]
        )
    return filterset.qs


def store_names(*, store_ids: Iterable[int | None] | None = None) -> dict[int, str]:
    """Store names by id in one query (every store when no ids are given), for rows that carry
    only a store id."""
    stores = apps.get_model("staff", "Store")._default_manager.all()
    if store_ids is not None:
        ids = {pk for pk in store_ids if pk is not None}
        if not ids:
            return {}
        stores = stores.filter(pk__in=ids)
    return dict(stores.values_list("pk", "name"))


def history_object_get(*, user: Any, object_type: str, pk: str) -> models.Model:
    """The object whose history is asked for, if the user may see it; 404 otherwise."""
    source = HISTORY_SOURCES.get(object_type)
    if source is None:
        raise Http404(object_type)
    try:
        obj = source(user).filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        obj = None  # a pk of the wrong form names no object
    if obj is None:
        raise Http404(object_type)
    return obj


def object_history_list(*, obj: models.Model) -> QuerySet[AuditEvent]:
    """The audit rows about one object, newest first."""
    return AuditEvent.objects.filter(object_type=object_type_of(obj), object_pk=str(obj.pk))


def database_health() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def queue_health() -> dict[str, Any]:
    from huey.contrib.djhuey import HUEY

    try:
        pending = HUEY.pending_count()
        scheduled = HUEY.scheduled_count()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return {"ok": False, "backend": type(HUEY).__name__, "error": exc.__class__.__name__}
    return {
        "ok": True,
        "backend": type(HUEY).__name__,
        "immediate": HUEY.immediate,
        "pending": pending,
        "scheduled": scheduled,
    }
