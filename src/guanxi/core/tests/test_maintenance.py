import datetime
import os

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from guanxi.core import tasks
from guanxi.core.idempotency import IdempotencyKey
from guanxi.core.services_maintenance import (
    access_attempt_purge,
    export_file_purge,
    idempotency_key_purge,
    session_purge,
)

pytestmark = pytest.mark.django_db


def session(expire_date):
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expire_date)
    return store.session_key


def test_expired_sessions_are_purged():
    now = timezone.now()
    expired = session(now - datetime.timedelta(minutes=1))
    alive = session(now + datetime.timedelta(minutes=30))

    session_purge()

    assert list(Session.objects.values_list("session_key", flat=True)) == [alive]
    assert expired != alive


def attempt(username, minutes_ago):
    row = AccessAttempt.objects.create(
        username=username,
        ip_address="203.0.113.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=3,
    )
    AccessAttempt.objects.filter(pk=row.pk).update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )


def test_attempts_older_than_the_cool_off_are_purged(settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    attempt("stale", minutes_ago=16)
    attempt("fresh", minutes_ago=14)

    deleted = access_attempt_purge()

    assert deleted == 1
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["fresh"]


def test_attempts_stay_without_a_cool_off(settings):
    settings.AXES_COOLOFF_TIME = None
    attempt("forever", minutes_ago=60 * 24 * 365)

    assert access_attempt_purge() == 0
    assert AccessAttempt.objects.count() == 1


def test_export_files_older_than_seven_days_are_deleted(media_root):
    exports = media_root / "exports"
    exports.mkdir(parents=True)
    now = timezone.now()
    old, recent = exports / "old.csv", exports / "recent.csv"
    for path, age in (
        (old, datetime.timedelta(days=7, minutes=1)),
        (recent, datetime.timedelta(days=6)),
    ):
        path.write_text("x")
        stamp = (now - age).timestamp()
        os.utime(path, (stamp, stamp))

    deleted = export_file_purge(now=now)

    assert deleted == 1
    assert sorted(p.name for p in exports.iterdir()) == ["recent.csv"]


def test_export_purge_without_folder_does_nothing(media_root):
    assert export_file_purge() == 0


def test_periodic_tasks_are_scheduled():
    periodic = {t.name for t in HUEY._registry.periodic_tasks}

    assert {"session_purge", "access_attempt_purge", "export_file_purge"} <= {
        name.rsplit(".", 1)[-1] for name in periodic
    }


def test_nightly_runs_at_local_time_in_utc(settings):
    settings.TIME_ZONE = "Asia/Shanghai"

    runs = tasks.nightly(3, 10)

    assert runs(datetime.datetime(2025, 6, 1, 19, 10))  # 03:10 in Shanghai, in UTC
    assert not runs(datetime.datetime(2025, 6, 1, 3, 10))


def test_idempotency_keys_older_than_thirty_days_are_purged(owner):
    now = timezone.now()
    old, recent = (
        IdempotencyKey.objects.create(
            user=owner, key=key, request_method="POST", request_path="/api/v1/x/", request_hash="h"
        )
        for key in ("old", "recent")
    )
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=31))
    IdempotencyKey.objects.filter(pk=recent.pk).update(created_at=now - datetime.timedelta(days=29))

    deleted = idempotency_key_purge(now=now)

    assert deleted == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]
