"""``guanxi analytics refresh | clv --params | export``."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from guanxi.analytics.exports import EXPORT_KINDS
from guanxi.analytics.models import AnalyticsRun, CustomerMetrics
from guanxi.analytics.tests.engine_data import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def refreshed(db):
    seed_demo(customers=120)
    out, err = io.StringIO(), io.StringIO()
    call_command("analytics", "refresh", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_refresh_prints_progress_on_stderr_and_a_summary(refreshed):
    out, err = refreshed
    run = AnalyticsRun.objects.get()

    assert out.startswith(f"Refreshed {run.customers} customers, {run.orders} orders")
    assert "  0% Reading orders and customers" in err
    assert err.rstrip().endswith("100% Done")


def test_clv_params_prints_the_fitted_models_as_json(refreshed):
    out = io.StringIO()
    call_command("analytics", "clv", "--params", stdout=out)
    printed = json.loads(out.getvalue())
    stored = AnalyticsRun.objects.get().results["clv"]

    assert set(printed["bgnbd"]) >= {"r", "alpha", "a", "b", "log_likelihood"}
    assert set(printed["gamma_gamma"]) >= {"p", "q", "gamma", "log_likelihood"}
    for name in ("r", "alpha", "a", "b", "log_likelihood"):
        assert printed["bgnbd"][name] == pytest.approx(stored["bgnbd"][name], rel=1e-9)
    assert printed["time_unit"] == "day"


def test_clv_without_params_says_what_to_do(db):
    with pytest.raises(CommandError):
        call_command("analytics", "clv")


@pytest.mark.parametrize("kind_case", EXPORT_KINDS)
def test_every_export_writes_the_same_rows_as_csv_and_json(refreshed, tmp_path, kind_case):
    csv_path, json_path = tmp_path / "out.csv", tmp_path / "out.json"
    call_command(
        "analytics",
        "export",
        kind_case,
        "--format",
        "csv",
        "--out",
        str(csv_path),
        stderr=io.StringIO(),
    )
    call_command(
        "analytics",
        "export",
        kind_case,
        "--format",
        "json",
        "--out",
        str(json_path),
        stderr=io.StringIO(),
    )

    with open(csv_path, encoding="utf-8") as handle:
        csv_rows = list(csv.DictReader(handle))
    json_rows = json.loads(json_path.read_text(encoding="utf-8"))
    assert len(csv_rows) == len(json_rows) > 0
    assert set(csv_rows[0]) == set(json_rows[0])
    if kind_case in ("rfm", "clv"):
        assert len(json_rows) == CustomerMetrics.objects.count()
    if kind_case == "grid":
        assert len(json_rows) == 16
        assert all(row["action"] for row in json_rows)
    if kind_case == "deciles":
        assert len(json_rows) == 20
    if kind_case == "pyramid":
        assert sum(row["customers"] for row in json_rows) == CustomerMetrics.objects.count()


def test_export_to_standard_output(refreshed):
    out = io.StringIO()
    call_command("analytics", "export", "pyramid", "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()

    assert lines[0] == "level,customers,revenue,customer_share,revenue_share"
    assert [line.split(",")[0] for line in lines[1:]] == [
        "top",
        "large",
        "medium",
        "small",
        "inactive",
        "prospect",
    ]


def test_export_before_any_refresh_fails_politely(db):
    with pytest.raises(CommandError, match="guanxi analytics refresh"):
        call_command("analytics", "export", "grid", stdout=io.StringIO())
