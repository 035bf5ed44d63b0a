"""On PostgreSQL, outside a transaction, the engine reads with ADBC (COPY) on a connection of
its own and writes with COPY; the result equals the cursor read's."""

from __future__ import annotations

import pytest
from django.db import connection

from guanxi.analytics.engine.read import read_mode, read_source
from guanxi.analytics.models import CustomerMetrics
from guanxi.analytics.services import analytics_refresh
from guanxi.analytics.tests.engine_data import reference_metrics, seed_demo

# The project's transactional_db (root conftest) lifts the append-only triggers for the flush.
pytestmark = [
    pytest.mark.usefixtures("transactional_db"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the ADBC PostgreSQL path needs PostgreSQL"
    ),
]


def test_adbc_reads_what_the_cursor_reads_and_the_refresh_writes_by_copy():
    seed_demo(customers=120)

    assert read_mode() == "adbc"
    adbc = read_source()
    cursor = read_source(mode="cursor")
    for name in ("orders", "lines", "customers"):
        assert getattr(adbc, name).to_pylist() == getattr(cursor, name).to_pylist()

    run = analytics_refresh(forecasts=False)

    assert run.results["read_mode"] == "adbc"
    expected = reference_metrics()
    written = {
        row["customer_id"]: row
        for row in CustomerMetrics.objects.exclude(purchases=0).values(
            "customer_id", "purchases", "total_spend", "last_purchase_at"
        )
    }
    assert {
        pk: (r["purchases"], r["total_spend"], r["last_purchase_at"]) for pk, r in written.items()
    } == {pk: (f["purchases"], f["spend"], f["last"]) for pk, f in expected.items()}
