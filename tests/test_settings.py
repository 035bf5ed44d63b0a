"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

GUANXI = [sys.executable, "-m", "guanxi.manage"]


def run(args, tmp_path: Path, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"GUANXI_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DEBUG"}
    }
    environment.update(
        {"GUANXI_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "guanxi.config.settings", **env}
    )
    return subprocess.run(
        [*GUANXI, *args], env=environment, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing, tmp_path):
    env = {"GUANXI_ENV": "production", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "crm.example.com"}
    del env[missing]

    result = run(["check"], tmp_path, **env)

    assert result.returncode == 2
    assert f"{missing} must be set when GUANXI_ENV=production." in result.stderr


def test_production_deploy_check_prints_no_warning(tmp_path):
    result = run(
        ["check", "--deploy"],
        tmp_path,
        GUANXI_ENV="production",
        SECRET_KEY="k" * 30 + "Q7-z" * 10,
        ALLOWED_HOSTS="crm.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_defaults_are_sqlite_wal_immediate_with_busy_timeout(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from django.db import connection;"
        "db = settings.DATABASES['default'];"
        "cur = connection.cursor(); cur.execute('PRAGMA journal_mode'); mode = cur.fetchone()[0];"
        "print(db['ENGINE'], db['NAME'], db['OPTIONS']['transaction_mode'],"
        " db['OPTIONS']['timeout'], mode, settings.HUEY['huey_class'], settings.DEBUG)"
    )
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"GUANXI_ENV", "DATABASE_URL", "REDIS_URL", "DEBUG"}
    }
    environment.update(
        {"GUANXI_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "guanxi.config.settings"}
    )

    out = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    ).stdout.split()

    assert out == [
        "django.db.backends.sqlite3",
        str(tmp_path / "guanxi.sqlite3"),
        "IMMEDIATE",
        "10",
        "wal",
        "huey.SqliteHuey",
        "False",
    ]


def test_demo_turns_debug_on_and_redis_url_switches_huey(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.DEBUG, settings.HUEY['huey_class'])"
    )
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    environment.update(
        {
            "GUANXI_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "guanxi.config.settings",
            "GUANXI_ENV": "demo",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        }
    )

    out = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    ).stdout.split()

    assert out == ["True", "huey.RedisHuey"]
