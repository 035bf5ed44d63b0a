"""Reads shared by every domain: jobs, audit events, health."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from guanxi.core.models import Job
from guanxi.core.permissions import is_owner


def job_list(*, user: Any) -> QuerySet[Job]:
    """Owners see every job; other staff the jobs they started."""
    jobs = Job.objects.all()
    if is_owner(user):
        return jobs
    return jobs.filter(created_by=user)


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
