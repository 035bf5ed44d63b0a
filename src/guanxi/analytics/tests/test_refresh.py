"""The refresh services: now, in the background with progress, nightly; settings and actions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.analytics.choices import RecencyBand, RunStatus
from guanxi.analytics.models import AnalyticsRun, CustomerMetrics, GridCellAction
from guanxi.analytics.selectors import (
    analytics_settings_get,
    customer_metrics_get,
    customer_purchase_totals,
    grid_cell_actions,
    run_latest,
)
from guanxi.analytics.services import (
    analytics_refresh,
    analytics_refresh_nightly,
    analytics_refresh_start,
    analytics_settings_update,
    grid_action_update,
)
from guanxi.analytics.tests.engine_data import seed_demo
from guanxi.core.choices import JobStatus
from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent, Job
from guanxi.core.permissions import Role
from guanxi.customers.models import Customer
from guanxi.orders.tests.factories import make_order
from guanxi.staff.models import Store
from guanxi.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    """An owner of our own: the demo seeder already made the one called "owner"."""
    return UserFactory(username="analytics-owner", role=Role.OWNER)


@pytest.fixture
def seeded(db):
    return seed_demo(customers=150)


def test_a_customer_who_buys_today_is_active_on_the_next_refresh(seeded, owner):
    analytics_refresh(forecasts=False)
    quiet = (
        CustomerMetrics.objects.filter(recency_band__in=[RecencyBand.SLEEPING, RecencyBand.LOST])
        .select_related("customer")
        .order_by("customer_id")
        .first()
    )
    before = quiet.recency_band
    store = Store.objects.get(pk=quiet.customer.home_store_id)
    purchases = quiet.purchases

    order = make_order(store, owner, customer=quiet.customer, price="80.00")
    totals = customer_purchase_totals(quiet.customer)
    analytics_refresh(forecasts=False)

    after = customer_metrics_get(quiet.customer)
    assert before in (RecencyBand.SLEEPING, RecencyBand.LOST)
    assert after.recency_band == RecencyBand.ACTIVE
    assert after.recency_days == 0
    assert after.purchases == purchases + 1
    assert after.last_purchase_at == timezone.localdate()
    # the live totals knew before the refresh
    assert totals.last_purchase_at == order.ordered_at
    assert totals.purchases == quiet.customer.orders.exclude(status="returned").count()
    assert totals.total_spend == after.total_spend


def test_the_background_refresh_reports_progress_and_finishes_the_job(
    seeded, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = analytics_refresh_start(actor=owner)

    job.refresh_from_db()
    run = run_latest()
    assert job.status == JobStatus.SUCCEEDED
    assert job.kind == "analytics.refresh"
    assert job.result["run"] == run.pk
    assert run.job_id == job.pk
    assert run.created_by == owner
    assert run.status == RunStatus.SUCCEEDED
    assert run.customers == Customer.objects.count()
    assert run.seconds > 0
    assert run.peak_memory_mib > 0
    assert set(run.results) >= {
        "grid",
        "segments",
        "deciles",
        "margin_concentration",
        "abc",
        "pyramid",
        "profitability",
        "icp",
        "clv",
        "cohorts",
        "kpi",
        "forecast",
        "rules",
        "sequences",
    }
    assert {"week", "month"} <= set(run.results["forecast"])
    assert AuditEvent.objects.filter(object_type="analytics.analyticsrun").count() == 1


def test_a_second_background_refresh_is_refused_while_one_runs(db, owner):
    Job.objects.create(kind="analytics.refresh", title="running", status=JobStatus.RUNNING)

    with pytest.raises(ApplicationError):
        analytics_refresh_start(actor=owner)


@pytest.mark.parametrize("role_case", [Role.SALES, Role.STORE_MANAGER, Role.MARKETER])
def test_only_the_owner_refreshes(db, make_staff, role_case):
    with pytest.raises(PermissionDenied):
        analytics_refresh_start(actor=make_staff(role=role_case))
    assert not Job.objects.exists()
    assert not AnalyticsRun.objects.exists()


def test_the_nightly_refresh_obeys_the_setting(seeded, owner):
    analytics_settings_update(actor=owner, data={"nightly_refresh": False})
    assert analytics_refresh_nightly() is None
    assert not AnalyticsRun.objects.exists()

    analytics_settings_update(actor=owner, data={"nightly_refresh": True})
    run = analytics_refresh_nightly()
    assert run is not None
    assert run.created_by is None


def test_a_failed_refresh_is_recorded(db, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("guanxi.analytics.services.refresh", broken)
    with pytest.raises(RuntimeError):
        analytics_refresh()
    run = AnalyticsRun.objects.get()
    assert (run.status, run.message) == (RunStatus.FAILED, "disk full")
    assert run_latest() is None


def test_settings_are_validated_and_audited(db, owner):
    analytics_settings_update(
        actor=owner, data={"recency_active_days": 20, "clv_annual_discount_rate": Decimal("0.08")}
    )
    settings = analytics_settings_get()

    assert (settings.recency_active_days, settings.clv_annual_discount_rate) == (
        20,
        Decimal("0.0800"),
    )
    assert AuditEvent.objects.filter(object_type="analytics.analyticssettings").count() == 1
    with pytest.raises(ValidationError):
        analytics_settings_update(actor=owner, data={"frequency_fan_from": 3})
    with pytest.raises(ValidationError):
        analytics_settings_update(actor=owner, data={"rfm_bins": 12})


def test_a_grid_action_replaces_the_default_until_cleared(db, owner):
    default = grid_cell_actions("en")["lost_fan"]

    grid_action_update(
        actor=owner,
        recency_band="lost",
        frequency_band="fan",
        action_en="Call within a week.",
        action_zh_hans="一周内致电。",
    )
    assert grid_cell_actions("en")["lost_fan"] == "Call within a week."
    assert grid_cell_actions("zh-hans")["lost_fan"] == "一周内致电。"
    assert grid_cell_actions("zh-hant")["lost_fan"] == "一周内致电。"

    assert (
        grid_action_update(actor=owner, recency_band="lost", frequency_band="fan", action_en="")
        is None
    )
    assert grid_cell_actions("en")["lost_fan"] == default
    assert not GridCellAction.objects.exists()
    assert len(grid_cell_actions()) == 16
    with pytest.raises(ApplicationError):
        grid_action_update(actor=owner, recency_band="gone", frequency_band="fan", action_en="x")
