"""Importing customers from a CSV or XLSX file: check (dry run) and commit.

The page and the command line share ``customer_import_run``; the page runs it as a background
job (``customer_import_start``) whose progress bar is ``core:job-detail`` and whose report is kept
on the job and as a CSV file to download.
"""

from __future__ import annotations

import datetime
import functools
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.exports import export_file_new
from guanxi.core.jobs import job_create, job_fail, job_finish, job_progress, job_start
from guanxi.core.models import Job
from guanxi.core.permissions import can_see_store, require_capability
from guanxi.core.services import model_create, model_update
from guanxi.customers.imports.committing import (
    CREATE,
    UPDATE,
    Writer,
    chunks,
    likely_duplicates,
    plan,
)
from guanxi.customers.imports.mapping import resolve_mapping, suggest_mapping
from guanxi.customers.imports.reading import ImportFileError, ImportLimits, read_table
from guanxi.customers.imports.report import ImportReport
from guanxi.customers.imports.validation import CleanRow, DuplicateFinder, RowValidator
from guanxi.customers.models import ImportMapping
from guanxi.customers.services.completeness import completeness_weights
from guanxi.staff.models import Store

logger = logging.getLogger(__name__)

IMPORT_KIND = "customers.import"
UPLOADS_DIR = "imports"
PROGRESS_EVERY = 1000
UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx")
UPLOAD_MAX_AGE = datetime.timedelta(days=1)

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ImportOptions:
    """What the user chose for one import."""

    file_name: str
    mapping: Mapping[str, str] | None = None  # header -> field; None: the suggested mapping
    encoding: str | None = None  # None or "auto": detected
    default_store_id: int | None = None
    dry_run: bool = True
    skip_invalid: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "mapping": dict(self.mapping) if self.mapping is not None else None,
            "encoding": self.encoding,
            "default_store_id": self.default_store_id,
            "dry_run": self.dry_run,
            "skip_invalid": self.skip_invalid,
        }


def _default_store(options: ImportOptions, actor: Any) -> Store | None:
    if options.default_store_id is None:
        return None
    store = Store.objects.filter(pk=options.default_store_id).first()
    if store is None or (actor is not None and not can_see_store(actor, store.pk)):
        raise ApplicationError(_("You do not work in this store."), code="store")
    return store


def customer_import_run(
    *, path: Path, options: ImportOptions, actor: Any, progress: Progress | None = None
) -> ImportReport:
    """Read, check and (unless a dry run) write one file. ``actor`` None is the command line,
    which may file customers under every store. Raises ``ImportFileError`` for a file that
    cannot be imported at all; invalid rows are in the report.

    Every row is checked before anything is written, so "all or nothing" writes nothing when a
    row is invalid. The writing itself is one transaction per chunk of rows, not one for the
    whole file: SQLite would otherwise hold its write lock for the whole import and the shop's
    counter could not save a sale meanwhile, and the progress bar could not move. A crash half
    way leaves the chunks written so far; the upsert makes importing the file again finish it.
    """
    table = read_table(path, encoding=options.encoding)
    mapping = options.mapping if options.mapping is not None else suggest_mapping(table.headers)
    columns = resolve_mapping(table.headers, mapping)
    validator = RowValidator(
        headers=table.headers,
        columns=columns,
        actor=actor,
        default_store=_default_store(options, actor),
        today=timezone.localdate(),
    )
    report = ImportReport(
        file_name=options.file_name,
        kind=table.kind,
        encoding=table.encoding,
        dry_run=options.dry_run,
        skip_invalid=options.skip_invalid,
    )
    total = int(table.details.get("estimated_rows") or 0)
    report_progress = progress or (lambda done, total, message: None)
    checking = _("Checking rows")
    finder = DuplicateFinder(validator)
    valid: list[CleanRow] = []
    for number, cells in table.rows:
        report.rows += 1
        row, issues = validator.validate(number, cells)
        if row is not None:
            issues, warnings = finder.check(row)
            report.warnings += warnings
            if not issues:
                valid.append(row)
        report.issues += issues
        if report.rows % PROGRESS_EVERY == 0:
            report_progress(report.rows, max(total, report.rows), checking)
    total = report.rows
    report_progress(total, total, checking)

    applicable: list[CleanRow] = []
    for chunk in chunks(valid):
        planned, issues = plan(chunk, actor=actor, validator=validator)
        report.issues += issues
        report.warnings += likely_duplicates(chunk, actor=actor, validator=validator)
        applicable += [p.row for p in planned]
        if options.dry_run:
            report.created += sum(1 for p in planned if p.action == CREATE)
            report.updated += sum(1 for p in planned if p.action == UPDATE)
            report.unchanged += sum(1 for p in planned if p.action not in (CREATE, UPDATE))
    report.sort()
    if options.dry_run or (report.issues and not options.skip_invalid):
        return report

    saving = _("Saving customers")
    report_progress(0, len(applicable), saving)
    writer = Writer(
        actor=actor,
        weights=completeness_weights(),
        message=_("Imported from %(file)s") % {"file": options.file_name},
    )
    store_names = dict(Store.objects.values_list("pk", "name"))
    done = 0
    for chunk in chunks(applicable):
        with transaction.atomic():
            planned, issues = plan(chunk, actor=actor, validator=validator)
            report.issues += issues  # changed by someone else since the check: skipped
            writer.write(planned, store_names)
        done += len(chunk)
        report_progress(done, len(applicable), saving)
    report.created, report.updated, report.unchanged = (
        writer.created,
        writer.updated,
        writer.unchanged,
    )
    report.committed = True
    report.sort()
    if writer.created or writer.updated:
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            object_type="customers.import",
            object_repr=options.file_name[:200],
            store_id=options.default_store_id,
            changes={
                "file": options.file_name,
                "rows": report.rows,
                "created": writer.created,
                "updated": writer.updated,
                "unchanged": writer.unchanged,
                "invalid_rows": report.invalid_rows,
            },
            message=report.summary(),
        )
    return report


# --- Uploaded files ---------------------------------------------------------------------------


def uploads_root() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOADS_DIR


def import_upload_store(*, upload: UploadedFile) -> str:
    """Keep an uploaded file under MEDIA_ROOT/imports/ with an unguessable name; returns the
    name. Refuses a file that is too large before writing it."""
    limits = ImportLimits.from_settings()
    if upload.size is not None and upload.size > limits.max_bytes:
        raise ImportFileError(
            _("The file is %(size)s MB; files of up to %(limit)s MB can be imported.")
            % {"size": f"{upload.size / 2**20:.0f}", "limit": f"{limits.max_bytes / 2**20:.0f}"},
            code="too_large",
        )
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ImportFileError(_("Only CSV and XLSX files can be imported."), code="type")
    root = uploads_root()
    root.mkdir(parents=True, exist_ok=True)
    import_upload_purge()
    name = f"{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(12)}{suffix}"
    with (root / name).open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return name


def import_upload_purge(*, max_age: datetime.timedelta = UPLOAD_MAX_AGE) -> int:
    """Remove uploads older than ``max_age`` (files checked but never imported); returns how
    many. Their links expire at the same age."""
    cutoff = time.time() - max_age.total_seconds()
    removed = 0
    for path in uploads_root().glob("*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def import_upload_path(name: str) -> Path | None:
    """The path of a stored upload, if ``name`` names one inside the uploads folder."""
    root = uploads_root().resolve()
    path = (root / name).resolve()
    if path.parent != root or not path.is_file():
        return None
    return path


# --- Background jobs --------------------------------------------------------------------------


@transaction.atomic
def customer_import_start(*, actor: Any, upload_name: str, options: ImportOptions) -> Job:
    """Run a check or an import of an uploaded file in the background; returns the job whose
    page shows the progress and, at the end, the report."""
    require_capability(actor, "customers.import")
    if import_upload_path(upload_name) is None:
        raise ApplicationError(_("The uploaded file is no longer here; upload it again."))
    _default_store(options, actor)
    title = (
        _("Checking the customer import %(file)s")
        if options.dry_run
        else _("Importing customers from %(file)s")
    ) % {"file": options.file_name}
    job = job_create(kind=IMPORT_KIND, title=title, actor=actor, store_id=options.default_store_id)
    params = {"upload": upload_name, **options.as_dict()}

    from guanxi.customers.tasks import customer_import_job_run as task

    transaction.on_commit(lambda: task(job.pk, params))
    return job


def file_import_job_run(
    *,
    job_id: int,
    params: Mapping[str, Any],
    file_name: str,
    run: Callable[..., Any],
    failed: Callable[[], str],
    report_prefix: str,
) -> None:
    """The background part of a file import (customers, orders), in a Huey worker: in the
    language of who started it, ``run(path=, actor=, progress=)`` the import on the uploaded
    file with the job's progress, then finish the job with the report (a CSV to download) or
    fail it with the refusal, or with ``failed()`` on an unexpected error."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    actor = job.created_by
    language = getattr(actor, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        path = import_upload_path(str(params.get("upload", "")))
        job_start(job_id=job_id)
        try:
            if path is None:
                raise ApplicationError(_("The uploaded file is no longer here; upload it again."))
            report = run(
                path=path,
                actor=actor,
                progress=lambda done, total, message: job_progress(
                    job_id=job_id, done=done, total=total, message=message
                ),
            )
        except ApplicationError as error:
            job_fail(job_id=job_id, message=error.message)
            return
        except Exception:
            logger.exception("Import job %s failed", job_id)
            job_fail(job_id=job_id, message=failed())
            return
        report_path, report_name = export_file_new(prefix=report_prefix)
        report.write_csv(report_path)
        if report.committed:
            path.unlink(missing_ok=True)
        job_finish(
            job_id=job_id,
            result={
                **report.as_dict(),
                "upload": "" if report.committed else params.get("upload", ""),
                "file": report_name,
                "filename": f"{Path(file_name).stem}-report.csv",
                "download_url": reverse("core:job-download", kwargs={"pk": job_id}),
            },
            message=report.summary(),
        )


def customer_import_job_run(*, job_id: int, params: Mapping[str, Any]) -> None:
    """The background part of ``customer_import_start``; runs in a Huey worker."""
    options = ImportOptions(
        file_name=str(params["file_name"]),
        mapping=params.get("mapping"),
        encoding=params.get("encoding"),
        default_store_id=params.get("default_store_id"),
        dry_run=bool(params.get("dry_run", True)),
        skip_invalid=bool(params.get("skip_invalid", False)),
    )
    file_import_job_run(
        job_id=job_id,
        params=params,
        file_name=options.file_name,
        run=functools.partial(customer_import_run, options=options),
        failed=lambda: _(
            "The import failed. Customers saved before the failure stay saved; "
            "importing the file again continues where it stopped."
        ),
        report_prefix="customer-import-report",
    )


# --- Saved mappings ---------------------------------------------------------------------------


@transaction.atomic
def import_mapping_save(*, name: str, columns: Mapping[str, str], actor: Any) -> ImportMapping:
    """Save a column mapping under a name to use again (replacing one of the same name)."""
    require_capability(actor, "customers.import")
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the mapping a name."))
    columns = {header: field for header, field in columns.items() if field}
    existing = ImportMapping.objects.filter(name=name).first()
    if existing is not None:
        mapping, _changed = model_update(instance=existing, data={"columns": columns}, actor=actor)
        return mapping
    return model_create(
        instance=ImportMapping(name=name, columns=columns, created_by=actor), actor=actor
    )
