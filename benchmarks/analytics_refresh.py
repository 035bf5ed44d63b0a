"""The full analytics refresh on the seeded benchmark database: issue 5 §9, "a full refresh
(read from the database, compute everything but the forecast, write back) within 60 s on
PostgreSQL and on SQLite, with the peak memory reported".

:func:`refresh_figures` runs in a process with Django set up on the seeded database (1,000,000
customers, ~10,000,000 order lines in ``make bench``): one ``guanxi.analytics.engine.refresh``
with the default settings and ``forecasts=False`` — the orders, order lines and customers read
in bulk into Arrow (ADBC: COPY on PostgreSQL, the database file on SQLite), every table computed
(summary, RFM, R×F grid, deciles, ABC, pyramid, profitability, ideal customer profile, BG/NBD +
Gamma-Gamma with P(alive), expected purchases and 12-month value, calibration and holdout,
basket and sequence rules for products and categories, cohorts, KPI trees by month and week) and
every customer's row written back (COPY / batched executemany) with the rules. Its figures: the
wall time and the time of each phase, the peak resident memory of the process during the run
(sampled every 50 ms, and the process's lifetime peak from ``getrusage``), and the rows.

``bench(database, env, result, var)`` runs it in a child process for ``benchmarks.run`` and
stores the figures in ``result["analytics_refresh"]``; :func:`report_lines` renders them for
``docs/benchmarks.md``. ``python -m benchmarks.analytics_refresh`` (with ``DATABASE_URL``) prints
the figures as JSON.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 60.0
ENABLED = os.environ.get("GUANXI_BENCH_ANALYTICS_REFRESH", "1") != "0"


def refresh_figures() -> dict[str, Any]:
    """Run the full refresh without the forecasts on the configured database; its figures."""
    from django.conf import settings
    from django.db import connection

    from guanxi.analytics.engine import EngineConfig, refresh

    outcome = refresh(config=EngineConfig(), tz=settings.TIME_ZONE, forecasts=False)
    clv = outcome.computed.results.get("clv") or {}
    return {
        "database": connection.vendor,
        "read_mode": outcome.source_mode,
        "customers": outcome.customers,
        "buyers": outcome.computed.buyers,
        "orders": outcome.orders,
        "order_lines": outcome.order_lines,
        "metrics_written": outcome.metrics_written,
        "rules_written": outcome.rules_written,
        "seconds": outcome.seconds,
        "timings": outcome.timings,
        "peak_rss_mib": outcome.peak_memory_mib,
        "process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "goal_seconds": GOAL_SECONDS,
        "within_goal": outcome.seconds <= GOAL_SECONDS,
        "bgnbd": {key: clv["bgnbd"][key] for key in ("r", "alpha", "a", "b")}
        if clv.get("bgnbd")
        else None,
    }


def bench(database: Any, env: dict[str, str], result: dict[str, Any], var: Path) -> None:
    """Measure the refresh on ``database`` (already seeded) in a child process."""
    log_path = var / f"{getattr(database, 'key', 'db')}-analytics-refresh.log"
    with log_path.open("w") as errors:
        completed = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "benchmarks.analytics_refresh"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            check=False,
        )
    if completed.returncode != 0:
        result["analytics_refresh"] = {"error": f"failed ({completed.returncode}); see {log_path}"}
        return
    result["analytics_refresh"] = json.loads(completed.stdout)


def _seconds(value: Any) -> str:
    return "—" if value is None else f"{float(value):.1f} s"


def report_lines(figures: dict[str, Any] | None) -> list[str]:
    """Markdown lines for ``docs/benchmarks.md``: the refresh's time against the 60 s goal,
    each phase, the peak memory and the rows."""
    if not figures:
        return []
    lines = [
        "### Full analytics refresh (read, compute everything but the forecast, write back)",
        "",
    ]
    if "error" in figures:
        return [*lines, f"The refresh failed: {figures['error']}", ""]
    verdict = "within" if figures.get("within_goal") else "**over**"
    lines += [
        f"{figures['customers']:,} customers ({figures['buyers']:,} buyers), "
        f"{figures['orders']:,} orders and {figures['order_lines']:,} order lines, read by "
        f"{figures['read_mode']}: **{_seconds(figures['seconds'])}**, {verdict} the "
        f"{figures['goal_seconds']:.0f} s goal; peak memory {figures['peak_rss_mib']:,.0f} MiB "
        "(resident, sampled during the run).",
        "",
        "| phase | time |",
        "| --- | --- |",
    ]
    names = {
        "read": "read from the database into Arrow",
        "rfm": "summary, RFM scores, R×F grid",
        "value": "deciles, ABC, pyramid, profitability, ideal customer profile",
        "lifetime": "BG/NBD + Gamma-Gamma fits, P(alive), CLV, calibration and holdout",
        "basket": "basket rules (products, categories)",
        "sequences": "sequence rules (products, categories)",
        "cohorts_kpi": "cohorts, KPI trees by month and week",
        "metrics": "per-customer rows assembled",
        "write": "written back (metrics and rules)",
    }
    for key, value in figures.get("timings", {}).items():
        lines.append(f"| {names.get(key, key)} | {_seconds(value)} |")
    lines += [
        f"| **total** | **{_seconds(figures['seconds'])}** |",
        "",
        f"Rows written: {figures['metrics_written']:,} customer metrics, "
        f"{figures['rules_written']:,} rules.",
        "",
    ]
    return lines


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.config.settings")
    django.setup()
    json.dump(refresh_figures(), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
