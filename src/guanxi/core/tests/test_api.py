import re

import pytest
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction, JobStatus
from guanxi.core.jobs import job_create, job_progress, job_start
from guanxi.core.models import AuditEvent, Job

pytestmark = pytest.mark.django_db

EVENTS = reverse("api-audit-event-list")
EXPORT = reverse("api-audit-export")


@pytest.fixture
def api():
    return APIClient()


def job_url(job):
    return reverse("api-job-detail", kwargs={"pk": job.pk})


def test_job_detail(api, manager_a):
    job = job_create(kind="customers.export", title="Customers", actor=manager_a)
    job_start(job_id=job.pk, total=10)
    job_progress(job_id=job.pk, done=4)
    api.force_authenticate(manager_a)

    response = api.get(job_url(job))

    assert response.status_code == 200
    body = response.json()
    assert {
        k: body[k]
        for k in ("id", "kind", "status", "progress_done", "progress_total", "percent", "result")
    } == {
        "id": job.pk,
        "kind": "customers.export",
        "status": "running",
        "progress_done": 4,
        "progress_total": 10,
        "percent": 40,
        "result": {},
    }


def test_job_of_someone_else_is_not_found(api, manager_a, manager_b):
    job = job_create(kind="customers.export", title="B", actor=manager_b)
    api.force_authenticate(manager_a)

    response = api.get(job_url(job))

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


def test_not_signed_in_is_401(api):
    response = api.get(EVENTS)

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }
    assert response["WWW-Authenticate"] == "Token"


def test_audit_events_are_for_owners_only(api, manager_a):
    api.force_authenticate(manager_a)

    response = api.get(EVENTS)

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "permission_denied",
            "message": "You do not have permission to perform this action.",
            "fields": {},
        }
    }
    assert AuditEvent.objects.get().action == AuditAction.PERMISSION_DENIED


def test_owner_lists_filtered_audit_events(api, owner, store_a):
    audit_record(action=AuditAction.LOGOUT, actor=owner, message="bye", store_id=store_a.pk)
    audit_record(action=AuditAction.LOGIN_FAILED, message="username=x")
    api.force_authenticate(owner)

    response = api.get(EVENTS, {"action": "logout", "store": store_a.pk})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["next"] is None
    event = body["results"][0]
    assert {
        k: event[k] for k in ("action", "actor", "actor_name", "message", "store", "changes")
    } == {
        "action": "logout",
        "actor": owner.pk,
        "actor_name": "owner",
        "message": "bye",
        "store": store_a.pk,
        "changes": {},
    }


def test_audit_events_are_paginated(api, owner):
    for n in range(3):
        audit_record(action=AuditAction.LOGOUT, actor=owner, message=str(n))
    api.force_authenticate(owner)

    body = api.get(EVENTS, {"page_size": 2}).json()

    assert body["count"] == 3
    assert [e["message"] for e in body["results"]] == ["2", "1"]
    assert "page=2" in body["next"]


def test_invalid_filter_is_400(api, owner):
    api.force_authenticate(owner)

    response = api.get(EVENTS, {"date_from": "tomorrow", "action": "dance"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "The request has invalid fields."
    assert set(error["fields"]) == {"date_from", "action"}


def test_unknown_actor_is_400(api, owner):
    api.force_authenticate(owner)

    response = api.get(EVENTS, {"actor": 987654})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["actor"]


def test_export_starts_a_job(api, owner, django_capture_on_commit_callbacks):
    audit_record(action=AuditAction.LOGOUT, actor=owner)
    api.force_authenticate(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(EXPORT, {"action": "logout"}, format="json")

    job = Job.objects.get()
    assert response.status_code == 202
    assert response["Location"] == f"http://testserver{job_url(job)}"
    assert response.json()["url"] == response["Location"]
    assert response.json()["job"]["status"] == "queued"
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["rows"] == 1
    assert api.get(job_url(job)).json()["result"]["download_url"] == reverse(
        "core:job-download", kwargs={"pk": job.pk}
    )


def test_export_with_invalid_body_is_400(api, owner):
    api.force_authenticate(owner)

    response = api.post(EXPORT, {"date_to": "later"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["date_to"]
    assert not Job.objects.exists()


def test_export_is_for_owners_only(api, manager_a):
    api.force_authenticate(manager_a)

    response = api.post(EXPORT, {}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Job.objects.exists()


def test_core_schema_is_valid():
    GENERATOR_STATS.reset()

    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)

    validate_schema(schema)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    core_problems = [
        p
        for p in problems
        if "core/api/" in p
        # The token authentication of the staff app has no schema extension yet (reported).
        and "could not resolve authenticator" not in p
    ]
    assert core_problems == []
    assert {"/api/v1/jobs/{id}/", "/api/v1/audit-events/", "/api/v1/audit-events/export/"} <= set(
        schema["paths"]
    )
    listing = schema["paths"]["/api/v1/audit-events/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "q", "actor", "action", "object_type", "store", "date_from", "date_to", "page",
    }  # fmt: skip
    assert set(schema["paths"]["/api/v1/audit-events/export/"]["post"]["responses"]) == {
        "202", "400", "401", "403", "404",
    }  # fmt: skip


def test_schema_endpoint_serves(client, owner):
    client.force_login(owner)

    response = client.get(reverse("api-schema"))

    assert response.status_code == 200
    assert b"/api/v1/audit-events/" in response.content


def test_docs_use_only_local_assets(client, owner):
    client.force_login(owner)

    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r'"(https?://[^"]+)"', html)
    assets = [u for u in urls if u.endswith((".js", ".css", ".png"))]
    assert assets
    assert all(u.startswith("/static/") for u in assets), assets
    assert "cdn" not in html.lower()
