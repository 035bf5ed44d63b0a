import csv
import io
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from guanxi.core import services_audit
from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction, JobStatus
from guanxi.core.models import AuditEvent, Job
from guanxi.core.services_audit import AUDIT_EXPORT_KIND, audit_export_start

pytestmark = pytest.mark.django_db


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, so that Excel reads Chinese
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def export(owner, filters, capture):
    with capture(execute=True):
        job = audit_export_start(actor=owner, filters=filters)
    job.refresh_from_db()
    return job


def test_export_writes_filtered_rows_to_csv(owner, media_root, django_capture_on_commit_callbacks):
    audit_record(action=AuditAction.UPDATE, actor=owner, object_repr="王芳", message="=1+2")
    audit_record(action=AuditAction.LOGIN_FAILED, message="username=x")

    job = export(owner, {"action": "update"}, django_capture_on_commit_callbacks)

    assert job.status == JobStatus.SUCCEEDED
    assert job.kind == AUDIT_EXPORT_KIND
    assert job.result["download_url"] == reverse("core:job-download", kwargs={"pk": job.pk})
    assert job.result["rows"] == 1
    path = media_root / job.result["file"]
    assert path.parent == media_root / "exports"
    rows = read_csv(path)
    assert rows[0] == [
        "Time", "Staff member", "IP address", "Action", "Object type", "Object ID", "Object",
        "Store", "Details", "Changes",
    ]  # fmt: skip
    assert len(rows) == 2
    assert rows[1][1:] == ["owner", "", "Updated", "", "", "王芳", "", "'=1+2", ""]
    assert job.progress_done == job.progress_total == 1
    assert list(path.parent.iterdir()) == [path]  # no partial file left behind


def test_export_is_audited_with_its_filters(owner, django_capture_on_commit_callbacks):
    job = export(
        owner, {"q": "王", "action": "update", "page": "3"}, django_capture_on_commit_callbacks
    )

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == owner
    assert event.object_type == "core.job"
    assert event.object_pk == str(job.pk)
    assert event.changes == {"filters": {"q": "王", "action": "update"}}


def test_progress_is_reported_every_chunk(owner, django_capture_on_commit_callbacks):
    for n in range(5):
        audit_record(action=AuditAction.LOGOUT, actor=owner, message=str(n))

    with (
        mock.patch.object(services_audit, "CHUNK_SIZE", 2),
        mock.patch.object(
            services_audit, "job_progress", wraps=services_audit.job_progress
        ) as progress,
    ):
        job = export(owner, {"action": "logout"}, django_capture_on_commit_callbacks)

    assert [c.kwargs["done"] for c in progress.call_args_list] == [2, 4]
    assert (job.progress_done, job.progress_total, job.percent) == (5, 5, 100)


def test_cells_that_look_like_formulas_are_neutralised(
    owner, media_root, django_capture_on_commit_callbacks
):
    for text in ('=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "plain"):
        audit_record(action=AuditAction.LOGOUT, actor=owner, object_repr=text)

    job = export(owner, {"action": "logout"}, django_capture_on_commit_callbacks)

    objects = sorted(row[6] for row in read_csv(media_root / job.result["file"])[1:])
    assert objects == ["'+1", "'-1", '\'=HYPERLINK("x")', "'@SUM(A1)", "plain"]


@pytest.mark.parametrize("role", ["store_manager", "sales", "marketer"])
def test_only_owners_may_export(make_staff, store_a, role):
    staff = make_staff(role=role, stores=[store_a])

    with pytest.raises(PermissionDenied):
        audit_export_start(actor=staff, filters={})

    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_invalid_filters_start_nothing(owner):
    with pytest.raises(ValidationError) as error:
        audit_export_start(actor=owner, filters={"date_from": "yesterday"})

    assert "date_from" in error.value.message_dict
    assert not Job.objects.exists()


def test_failed_export_marks_the_job_and_leaves_no_file(
    owner, media_root, django_capture_on_commit_callbacks
):
    audit_record(action=AuditAction.LOGOUT, actor=owner)

    with mock.patch.object(services_audit, "_row", side_effect=RuntimeError("disk full")):
        job = export(owner, {}, django_capture_on_commit_callbacks)

    assert job.status == JobStatus.FAILED
    assert job.message == "The export failed. Please try again."
    assert list((media_root / "exports").iterdir()) == []


def test_export_page_starts_the_job_and_shows_progress(
    client, owner, django_capture_on_commit_callbacks
):
    audit_record(action=AuditAction.LOGOUT, actor=owner, message="wanted")
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:audit-export"), {"action": "logout"})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job-detail", kwargs={"pk": job.pk})
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "core/job_detail.html" in [t.name for t in page.templates]
    html = page.content.decode()
    assert "100%" in html
    assert f'href="{job.result["download_url"]}"' in html
    download = client.get(reverse("core:job-download", kwargs={"pk": job.pk}))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="audit-log-')
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "wanted" in body


def test_export_from_htmx_redirects_the_page(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:audit-export"), {}, headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse(
        "core:job-detail", kwargs={"pk": Job.objects.get().pk}
    )


def test_export_page_with_invalid_filters_goes_back(client, owner):
    client.force_login(owner)

    response = client.post(reverse("core:audit-export"), {"date_to": "soon"})

    assert response.status_code == 302
    assert response["Location"] == reverse("core:audit-log")
    assert not Job.objects.exists()


def test_store_manager_may_not_start_an_export(client, manager_a):
    client.force_login(manager_a)

    response = client.post(reverse("core:audit-export"), {})

    assert response.status_code == 403
    assert not Job.objects.exists()
