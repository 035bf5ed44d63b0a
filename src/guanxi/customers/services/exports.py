"""Export the filtered customer list as CSV or XLSX.

Small exports are streamed straight to the browser. More than ``BACKGROUND_THRESHOLD`` rows run
as a background job with a progress bar and a download (core's job pattern). Every export is
audited with its filters, format and size; an export with skin and health columns also writes a
"viewed sensitive data" row. Erased customers are never exported.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.exports import export_file_new
from guanxi.core.jobs import job_create, job_fail, job_finish, job_progress, job_start
from guanxi.core.models import Job
from guanxi.core.permissions import has_capability, require_capability
from guanxi.customers.exports import customer_csv_lines, customer_xlsx_write
from guanxi.customers.models import Customer
from guanxi.customers.selectors import CustomerFilters, customer_list

logger = logging.getLogger(__name__)

EXPORT_KIND = "customers.export"
FORMATS = ("csv", "xlsx")
BACKGROUND_THRESHOLD = 5000
CHUNK_SIZE = 500


@dataclass(frozen=True)
class CustomerExport:
    """What the export view serves: the rows to stream now, or the job that writes them."""

    file_format: str
    include_sensitive: bool
    rows: int
    customers: QuerySet[Customer] | None = None
    job: Job | None = None

    @property
    def filename(self) -> str:
        return f"customers-{timezone.localdate():%Y%m%d}.{self.file_format}"


def filters_from_dict(data: dict[str, Any]) -> CustomerFilters:
    """The filters of ``CustomerFilters.as_dict()`` back as filters (dates were written in ISO
    form for the job's arguments and the audit row)."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(CustomerFilters):
        if field.name not in data:
            continue
        value = data[field.name]
        if isinstance(value, str) and "date" in str(field.type):
            value = datetime.date.fromisoformat(value)
        values[field.name] = value
    return CustomerFilters(**values)


def customer_export_queryset(
    *, user: Any, filters: CustomerFilters, include_sensitive: bool
) -> QuerySet[Customer]:
    """The customers an export writes: the user's filtered list without erased customers, with
    what the columns need loaded in batches."""
    customers = (
        customer_list(user=user, filters=filters)
        .filter(erased_at__isnull=True)
        .prefetch_related("tags")
    )
    if include_sensitive:
        customers = customers.select_related("sensitive_profile")
    return customers


def _audit(*, actor: Any, filters: CustomerFilters, export: dict[str, Any], path: str) -> None:
    changes: dict[str, Any] = {"filters": filters.as_dict(), "rows": export["rows"]}
    if export["file_format"] != "csv":
        changes["format"] = export["file_format"]
    if export["include_sensitive"]:
        changes["sensitive"] = True
    audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        object_type="customers.customer",
        store_id=filters.store_id,
        changes=changes,
        message=path,
    )
    if export["include_sensitive"]:
        audit_record(
            action=AuditAction.VIEW_SENSITIVE,
            actor=actor,
            object_type="customers.sensitiveprofile",
            store_id=filters.store_id,
            changes={"filters": filters.as_dict(), "rows": export["rows"]},
            message=_("Skin and health data exported."),
        )


@transaction.atomic
def customer_export_prepare(
    *,
    actor: Any,
    filters: CustomerFilters,
    file_format: str = "csv",
    include_sensitive: bool = False,
    path: str = "",
) -> CustomerExport:
    """Check, count and audit an export; start a background job when it is large.

    Skin and health columns are included only when asked for and the actor may see sensitive
    data; otherwise the request for them is quietly dropped (and the audit row says so).
    """
    require_capability(actor, "customers.export")
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    include_sensitive = include_sensitive and has_capability(actor, "customers.view_sensitive")
    customers = customer_export_queryset(
        user=actor, filters=filters, include_sensitive=include_sensitive
    )
    rows = customers.count()
    _audit(
        actor=actor,
        filters=filters,
        export={"rows": rows, "file_format": file_format, "include_sensitive": include_sensitive},
        path=path,
    )
    if rows <= BACKGROUND_THRESHOLD:
        return CustomerExport(
            file_format=file_format,
            include_sensitive=include_sensitive,
            rows=rows,
            customers=customers,
        )
    job = job_create(
        kind=EXPORT_KIND,
        title=_("Customer export"),
        actor=actor,
        store_id=filters.store_id,
    )
    from guanxi.customers.tasks import customer_export_run as task

    options = {"file_format": file_format, "include_sensitive": include_sensitive}
    filter_data = filters.as_dict()
    transaction.on_commit(lambda: task(job.pk, filter_data, options))
    return CustomerExport(
        file_format=file_format, include_sensitive=include_sensitive, rows=rows, job=job
    )


def customer_export_run(
    *, job_id: int, filters: dict[str, Any], file_format: str, include_sensitive: bool
) -> None:
    """Write a large export to a file in the exports folder, reporting progress; runs in a
    Huey worker, with the permissions of the staff member who started it."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    actor = job.created_by
    path = None
    try:
        with translation.override(getattr(actor, "language", "") or settings.LANGUAGE_CODE):
            include_sensitive = include_sensitive and has_capability(
                actor, "customers.view_sensitive"
            )
            customers = customer_export_queryset(
                user=actor, filters=filters_from_dict(filters), include_sensitive=include_sensitive
            )
            # Customers keep registering while we write: export those that exist now.
            last_pk = customers.aggregate(last=Max("pk"))["last"] or 0
            customers = customers.filter(pk__lte=last_pk)
            total = customers.count()
            job_start(job_id=job_id, total=total)
            path, name = export_file_new(prefix="customers", suffix=f".{file_format}")
            partial = path.with_name(f"{path.name}.part")
            rows = customers.iterator(chunk_size=CHUNK_SIZE)

            def progress(done: int) -> None:
                job_progress(job_id=job_id, done=done)

            if file_format == "xlsx":
                with partial.open("wb") as handle:
                    done = customer_xlsx_write(
                        rows, handle, include_sensitive=include_sensitive, progress=progress
                    )
            else:
                done = 0
                lines = customer_csv_lines(rows, include_sensitive=include_sensitive)
                with partial.open("w", encoding="utf-8", newline="") as text:
                    text.write(next(lines))  # the byte-order mark and the header
                    for line in lines:
                        text.write(line)
                        done += 1
                        if done % CHUNK_SIZE == 0:
                            progress(done)
            os.replace(partial, path)
            job_finish(
                job_id=job_id,
                result={
                    "download_url": reverse("core:job-download", kwargs={"pk": job_id}),
                    "file": name,
                    "filename": f"customers-{timezone.localdate():%Y%m%d}.{file_format}",
                    "rows": done,
                },
                message=ngettext(
                    "%(count)d customer exported.", "%(count)d customers exported.", done
                )
                % {"count": done},
            )
    except Exception:
        logger.exception("Customer export job %s failed", job_id)
        if path is not None:
            path.with_name(f"{path.name}.part").unlink(missing_ok=True)
        job_fail(job_id=job_id, message=_("The export failed. Please try again."))
