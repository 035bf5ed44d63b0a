"""The audit log export: a background job that writes the filtered log to a CSV file."""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.core import selectors
from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.exports import csv_safe, export_file_new
from guanxi.core.filters import audit_filter_data
from guanxi.core.jobs import job_create, job_fail, job_finish, job_progress, job_start
from guanxi.core.models import AuditEvent, Job
from guanxi.core.permissions import require_capability

logger = logging.getLogger(__name__)

AUDIT_EXPORT_KIND = "audit.export"
CHUNK_SIZE = 2000


@transaction.atomic
def audit_export_start(*, actor: Any, filters: Mapping[str, Any]) -> Job:
    """Start exporting the audit rows that match ``filters``; the job reports its progress.

    Raises ``PermissionDenied`` for anyone but an owner and ``ValidationError`` for invalid
    filters. The export is audited here, where the actor's IP address is known.
    """
    require_capability(actor, "audit.view")
    data = audit_filter_data(filters)
    selectors.audit_event_list(user=actor, filters=data)  # validates the filters
    job = job_create(kind=AUDIT_EXPORT_KIND, title=_("Audit log export"), actor=actor)
    audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        obj=job,
        object_repr=str(_("Audit log export")),
        changes={"filters": data},
        message=_("Audit log exported to CSV."),
    )

    from guanxi.core.tasks import audit_export_run as task

    transaction.on_commit(lambda: task(job.pk, data))
    return job


def _header() -> list[str]:
    return [
        _("Time"),
        _("Staff member"),
        _("IP address"),
        _("Action"),
        _("Object type"),
        _("Object ID"),
        _("Object"),
        _("Store"),
        _("Details"),
        _("Changes"),
    ]


def _row(event: AuditEvent, stores: dict[int, str], actions: dict[str, str]) -> list[str]:
    cells = [
        timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        event.actor_name,
        event.ip_address or "",
        actions.get(event.action, event.action),
        event.object_type,
        event.object_pk,
        event.object_repr,
        stores.get(event.store_id, "") if event.store_id is not None else "",
        event.message,
        json.dumps(event.changes, ensure_ascii=False, sort_keys=True) if event.changes else "",
    ]
    return [csv_safe(cell) for cell in cells]


def audit_export_run(*, job_id: int, filters: Mapping[str, Any]) -> None:
    """Write the export in chunks, reporting progress after each; runs in a Huey worker."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    actor = job.created_by
    path = None
    try:
        with translation.override(getattr(actor, "language", "") or settings.LANGUAGE_CODE):
            events = selectors.audit_event_list(user=actor, filters=filters)
            # The log grows while we write; export the rows that exist now, so that the count
            # and the progress bar stay true.
            last_pk = events.aggregate(last=Max("pk"))["last"] or 0
            events = events.filter(pk__lte=last_pk)
            total = events.count()
            job_start(job_id=job_id, total=total)
            path, name = export_file_new(prefix="audit-log")
            partial = path.with_name(f"{path.name}.part")
            stores = selectors.store_names()
            actions = {str(value): str(label) for value, label in AuditAction.choices}
            done = 0
            with partial.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(_header())
                for event in events.iterator(chunk_size=CHUNK_SIZE):
                    writer.writerow(_row(event, stores, actions))
                    done += 1
                    if done % CHUNK_SIZE == 0:
                        job_progress(job_id=job_id, done=done)
            os.replace(partial, path)
            job_finish(
                job_id=job_id,
                result={
                    "download_url": reverse("core:job-download", kwargs={"pk": job_id}),
                    "file": name,
                    "filename": f"audit-log-{timezone.localtime():%Y%m%d-%H%M}.csv",
                    "rows": done,
                },
                message=ngettext("%(count)d row exported.", "%(count)d rows exported.", done)
                % {"count": done},
            )
    except Exception:
        logger.exception("Audit export job %s failed", job_id)
        if path is not None:
            path.with_name(f"{path.name}.part").unlink(missing_ok=True)
        job_fail(job_id=job_id, message=_("The export failed. Please try again."))
