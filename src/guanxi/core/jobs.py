"""Background jobs with progress. A service creates the job, a Huey task runs it and reports
progress; the page polls ``core:job-detail`` and shows a progress bar."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone

from guanxi.core.choices import JobStatus
from guanxi.core.models import Job


def job_create(*, kind: str, title: str, actor: Any = None, store_id: int | None = None) -> Job:
    return Job.objects.create(
        kind=kind,
        title=title[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        store_id=store_id,
    )


def job_start(*, job_id: int, total: int = 0) -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        progress_total=total,
        progress_done=0,
        updated_at=timezone.now(),
    )


def job_progress(*, job_id: int, done: int, total: int | None = None, message: str = "") -> None:
    """Record progress; cheap enough to call every few hundred rows."""
    values: dict[str, Any] = {"progress_done": done, "updated_at": timezone.now()}
    if total is not None:
        values["progress_total"] = total
    if message:
        values["message"] = message[:300]
    Job.objects.filter(pk=job_id).update(**values)


def job_advance(*, job_id: int, by: int = 1) -> None:
    Job.objects.filter(pk=job_id).update(progress_done=F("progress_done") + by)


def job_finish(*, job_id: int, result: dict[str, Any] | None = None, message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED,
        progress_done=F("progress_total"),
        result=result or {},
        message=message[:300],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def job_fail(*, job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED,
        message=message[:300],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
