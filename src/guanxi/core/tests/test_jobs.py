import pytest
from django.urls import reverse

from guanxi.core.choices import JobStatus
from guanxi.core.jobs import job_create, job_finish, job_progress, job_start
from guanxi.core.models import Job
from guanxi.core.services_audit import AUDIT_EXPORT_KIND

pytestmark = pytest.mark.django_db


def detail(job):
    return reverse("core:job-detail", kwargs={"pk": job.pk})


def download(job):
    return reverse("core:job-download", kwargs={"pk": job.pk})


def finished_export(job, media_root, *, name="exports/report.csv", content="a,b\r\n"):
    path = media_root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    job_finish(
        job_id=job.pk,
        result={"download_url": download(job), "file": name, "filename": "report.csv"},
    )
    job.refresh_from_db()
    return job


def test_running_job_polls_every_second(client, manager_a):
    job = job_create(kind="customers.export", title="Customers", actor=manager_a)
    job_start(job_id=job.pk, total=200)
    job_progress(job_id=job.pk, done=50)
    client.force_login(manager_a)

    response = client.get(detail(job), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert [t.name for t in response.templates] == ["core/partials/_job_progress.html"]
    assert "<html" not in html
    assert f'hx-get="{detail(job)}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert 'aria-valuenow="25"' in html
    assert "50 / 200" in html


def test_finished_job_stops_polling_and_offers_the_file(client, manager_a, media_root):
    job = finished_export(
        job_create(kind="customers.export", title="Customers", actor=manager_a), media_root
    )
    client.force_login(manager_a)

    html = client.get(detail(job)).content.decode()

    assert "every 1s" not in html
    assert "100%" in html
    assert f'href="{download(job)}"' in html


def test_failed_job_shows_its_message(client, manager_a):
    from guanxi.core.jobs import job_fail

    job = job_create(kind="customers.export", title="Customers", actor=manager_a)
    job_fail(job_id=job.pk, message="Out of paper.")
    client.force_login(manager_a)

    html = client.get(detail(job), headers={"HX-Request": "true"}).content.decode()

    assert "Failed · Out of paper." in html
    assert "bg-danger" in html
    assert "every 1s" not in html


def test_staff_see_only_their_own_jobs(client, manager_a, manager_b, media_root):
    job = finished_export(
        job_create(kind="customers.export", title="B", actor=manager_b), media_root
    )
    client.force_login(manager_a)

    assert client.get(detail(job)).status_code == 404
    assert client.get(download(job)).status_code == 404


def test_owner_sees_every_job(client, owner, manager_b, media_root):
    job = finished_export(
        job_create(kind="customers.export", title="B", actor=manager_b), media_root
    )
    client.force_login(owner)

    response = client.get(download(job))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a,b\r\n"


def test_audit_exports_are_for_owners_only(client, manager_a, media_root):
    job = finished_export(
        job_create(kind=AUDIT_EXPORT_KIND, title="Audit", actor=manager_a), media_root
    )
    client.force_login(manager_a)

    assert client.get(download(job)).status_code == 403


def test_unfinished_job_has_nothing_to_download(client, owner):
    job = job_create(kind="customers.export", title="Customers", actor=owner)
    client.force_login(owner)

    assert client.get(download(job)).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../secret.txt", id="outside_media_case"),
        pytest.param("other/report.csv", id="outside_exports_case"),
        pytest.param("exports/missing.csv", id="missing_file_case"),
    ],
)
def test_only_existing_files_under_exports_are_served(client, owner, media_root, name):
    (media_root.parent / "secret.txt").write_text("secret")
    (media_root / "other").mkdir(parents=True)
    (media_root / "other" / "report.csv").write_text("x")
    job = job_create(kind="customers.export", title="Customers", actor=owner)
    job_finish(job_id=job.pk, result={"file": name, "filename": "x.csv"})
    client.force_login(owner)

    assert client.get(download(job)).status_code == 404
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
