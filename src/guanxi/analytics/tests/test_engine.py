"""The engine on demo-like data: every table adds up to the totals, every customer's figures
match the orders, and the ways of reading agree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum

from guanxi.analytics.choices import FrequencyBand, PyramidLevel, RecencyBand, RunStatus
from guanxi.analytics.engine import EngineConfig, refresh
from guanxi.analytics.engine.read import read_source
from guanxi.analytics.models import AssociationRule, CustomerMetrics
from guanxi.analytics.services import analytics_refresh
from guanxi.analytics.tests.engine_data import local_today, reference_metrics, seed_demo
from guanxi.core.money import money_round
from guanxi.customers.models import Customer

pytestmark = pytest.mark.django_db

TZ = "Asia/Shanghai"


@pytest.fixture
def seeded(db):
    return seed_demo()


@pytest.fixture
def run(seeded):
    return analytics_refresh()


def _money(value: str | None) -> Decimal:
    return Decimal(value or "0")


def test_every_grid_cell_adds_up_to_the_totals(run):
    results = run.results
    buyers = results["summary"]["buyers"]
    revenue = _money(results["summary"]["buyer_revenue"])
    grid = results["grid"]

    assert run.status == RunStatus.SUCCEEDED
    assert len(grid) == 16
    assert {(c["recency_band"], c["frequency_band"]) for c in grid} == {
        (r, f) for r in RecencyBand.values for f in FrequencyBand.values
    }
    assert sum(c["customers"] for c in grid) == buyers > 0
    assert sum(_money(c["revenue"]) for c in grid) == revenue
    assert sum(c["customer_share"] for c in grid) == pytest.approx(1.0)
    assert sum(c["revenue_share"] for c in grid) == pytest.approx(1.0)
    # the rows written back hold the same cells
    per_cell = {
        (row["recency_band"], row["frequency_band"]): row
        for row in CustomerMetrics.objects.exclude(recency_band="")
        .values("recency_band", "frequency_band")
        .annotate(customers=Count("pk"), revenue=Sum("total_spend"))
    }
    for cell in grid:
        row = per_cell.get((cell["recency_band"], cell["frequency_band"]))
        assert (row["customers"] if row else 0) == cell["customers"]
        assert (row["revenue"] if row else Decimal(0)) == _money(cell["revenue"])


def test_every_decile_segment_and_class_adds_up_to_the_totals(run):
    results = run.results
    buyers = results["summary"]["buyers"]
    revenue = _money(results["summary"]["buyer_revenue"])
    for by in ("monetary", "purchases"):
        deciles = results["deciles"][by]
        assert [d["decile"] for d in deciles] == list(range(1, 11))
        assert sum(d["customers"] for d in deciles) == buyers
        assert sum(_money(d["revenue"]) for d in deciles) == revenue
        assert deciles[-1]["cumulative_revenue_share"] == pytest.approx(1.0)
    assert sum(s["customers"] for s in results["segments"]) == buyers
    assert sum(_money(s["revenue"]) for s in results["segments"]) == revenue
    assert sum(c["customers"] for c in results["abc"]) == buyers
    assert sum(_money(c["revenue"]) for c in results["abc"]) == revenue
    decile_counts = dict(
        CustomerMetrics.objects.exclude(monetary_decile=None)
        .values_list("monetary_decile")
        .annotate(n=Count("pk"))
    )
    assert decile_counts == {
        d["decile"]: d["customers"] for d in results["deciles"]["monetary"] if d["customers"]
    }


def test_every_pyramid_level_adds_up_to_every_customer(run):
    pyramid = run.results["pyramid"]
    customers = Customer.objects.filter(erased_at__isnull=True).count()

    assert [p["level"] for p in pyramid] == list(PyramidLevel.values)
    assert sum(p["customers"] for p in pyramid) == customers == CustomerMetrics.objects.count()
    assert sum(_money(p["revenue"]) for p in pyramid) == _money(
        run.results["summary"]["buyer_revenue"]
    )
    counts = dict(CustomerMetrics.objects.values_list("pyramid_level").annotate(n=Count("pk")))
    assert counts == {p["level"]: p["customers"] for p in pyramid if p["customers"]}
    prospects = CustomerMetrics.objects.filter(pyramid_level=PyramidLevel.PROSPECT)
    assert prospects.filter(purchases=0, last_purchase_at=None).count() == prospects.count()


def test_every_cohort_adds_up_to_the_buyers_and_revenue(run):
    cohorts = run.results["cohorts"]
    cells = cohorts["cells"]
    buyers = run.results["summary"]["buyers"]

    assert cohorts["customers"] == buyers
    assert sum(c["active_customers"] for c in cells if c["months_since"] == 0) == buyers
    assert sum(c["cohort_size"] for c in cells if c["months_since"] == 0) == buyers
    assert (
        sum(_money(c["revenue"]) for c in cells)
        == _money(run.results["summary"]["buyer_revenue"])
        == _money(cohorts["revenue"])
    )


def test_each_customers_figures_match_their_orders(run):
    expected = reference_metrics()
    today = local_today()
    rows = {m.customer_id: m for m in CustomerMetrics.objects.exclude(purchases=0)}

    assert set(rows) == set(expected)
    for pk, figures in expected.items():
        metrics = rows[pk]
        assert metrics.purchases == figures["purchases"]
        assert metrics.repeat_purchases == figures["purchases"] - 1
        assert metrics.total_spend == figures["spend"]
        assert metrics.first_purchase_at == figures["first"]
        assert metrics.last_purchase_at == figures["last"]
        assert metrics.recency_days == (today - figures["last"]).days
        assert metrics.average_spend == money_round(figures["spend"] / figures["orders"])
        assert metrics.rfm_segment
        assert metrics.recency_band
        assert metrics.frequency_band
        assert 0.0 <= metrics.p_alive <= 1.0
        assert metrics.expected_purchases_90d >= 0.0
        assert metrics.clv_12m is not None


def test_the_lifetime_model_and_rules_are_recorded(run):
    model = run.results["clv"]
    calibration = model["calibration"]

    assert set(model["bgnbd"]) >= {"r", "alpha", "a", "b", "log_likelihood"}
    assert set(model["gamma_gamma"]) >= {"p", "q", "gamma", "log_likelihood"}
    assert sum(row["actual_customers"] for row in calibration) == run.results["summary"]["buyers"]
    assert sum(row["expected_customers"] for row in calibration) == pytest.approx(
        run.results["summary"]["buyers"]
    )
    assert model["holdout"]
    assert all(row["actual"] >= 0 and row["expected"] >= 0 for row in model["holdout"])
    assert AssociationRule.objects.filter(kind="basket").exists()
    assert AssociationRule.objects.count() == len(
        AssociationRule.objects.values_list("pk", flat=True)
    )
    assert run.thresholds["active"] < run.thresholds["silent"] < run.thresholds["sleeping"]
    assert run.thresholds["derived"] is True


def test_owner_thresholds_override_the_derived_ones(seeded):
    from guanxi.analytics.selectors import analytics_settings_get

    settings = analytics_settings_get()
    settings.recency_active_days = 10
    settings.recency_silent_days = 20
    settings.recency_sleeping_days = 400
    settings.save()

    run = analytics_refresh(forecasts=False)

    assert run.thresholds | {"median_cycle_days": None} == {
        "active": 10,
        "silent": 20,
        "sleeping": 400,
        "median_cycle_days": None,
        "derived": False,
        "frequency_cuts": [2, 3, 5],
        "bins": 5,
    }
    assert not CustomerMetrics.objects.filter(recency_band="active", recency_days__gt=10).exists()
    assert not CustomerMetrics.objects.filter(recency_band="lost", recency_days__lte=400).exists()


def _sqlite_copy(path: str) -> None:
    """The tables the engine reads, copied into a database file (the test database is in
    memory, inside the test's transaction, where another connection cannot read it)."""
    import sqlite3

    from guanxi.analytics.engine.read import _tables

    target = sqlite3.connect(path)
    with connection.cursor() as cursor:
        for table in _tables().values():
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table]
            )
            target.execute(cursor.fetchone()[0])
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a model's table
            rows = cursor.fetchall()
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                target.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608
    target.commit()
    target.close()


def test_the_cursor_and_adbc_reads_agree(seeded, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's ADBC read is compared in test_engine_postgres.py")
    copy = tmp_path / "copy.sqlite3"
    _sqlite_copy(str(copy))

    cursor = read_source(mode="cursor")
    adbc = read_source(sqlite_file=str(copy))

    for name in ("orders", "lines", "customers"):
        ours, theirs = getattr(cursor, name), getattr(adbc, name)
        assert ours.num_rows == theirs.num_rows > 0
        assert ours.to_pylist() == theirs.to_pylist()
    assert (adbc.mode, cursor.mode) == ("adbc", "cursor")


def test_a_bins_setting_other_than_five_scores_into_that_many_bins(seeded):
    outcome = refresh(config=EngineConfig(bins=3), tz=TZ, forecasts=False)
    scores = set(CustomerMetrics.objects.exclude(r_score=None).values_list("r_score", flat=True))

    assert scores == {1, 2, 3}
    assert outcome.metrics_written == Customer.objects.filter(erased_at__isnull=True).count()


def test_a_staging_table_is_loaded_by_a_child_process(tmp_path):
    import sqlite3

    import pyarrow as pa

    from guanxi.analytics.engine.sqlite_reader import read_sqlite_file, stage_sqlite_table

    path = str(tmp_path / "stage.sqlite3")
    sqlite3.connect(path).close()
    data = pa.table(
        {"customer_id": [1, 2], "total_spend": ["12.30", "0.00"], "p_alive": [0.5, None]}
    )

    stage_sqlite_table(path, "staged", data)

    assert sqlite3.connect(path).execute("SELECT * FROM staged ORDER BY 1").fetchall() == [
        (1, "12.30", 0.5),
        (2, "0.00", None),
    ]
    assert read_sqlite_file(path, {"staged": "SELECT customer_id FROM staged"})["staged"].column(
        "customer_id"
    ).to_pylist() == [1, 2]
