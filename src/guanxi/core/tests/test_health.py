from unittest import mock

import pytest
from huey.contrib.djhuey import HUEY

from guanxi.core import selectors

pytestmark = pytest.mark.django_db


def test_healthy(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database_vendor"] in {"sqlite", "postgresql"}
    assert body["queue"] == {
        "ok": True,
        "backend": type(HUEY).__name__,
        "immediate": True,
        "pending": 0,
        "scheduled": 0,
    }


def test_database_failure_is_503(client):
    with mock.patch.object(selectors.connection, "cursor", side_effect=RuntimeError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == {"ok": False, "error": "RuntimeError"}
