"""The speed figures of customer intelligence beside their peers, for ``make bench``.

Three comparisons, each in its own process (so that one's memory and threads do not weigh on the
next) on data held in memory, at the size of the run (by default 1,000,000 customers and
10,000,000 order lines):

- RFM summary + scores + the R×F grid (``benchmarks/analytics_rfm.py``) against lifetimes'
  ``summary_data_from_transaction_data`` alone, on the same orders;
- the BG/NBD fit (``benchmarks/analytics_clv.py``) against lifetimes' ``BetaGeoFitter.fit``, on
  the same customers, with the parameters compared to 3 significant digits;
- association rules (``benchmarks/analytics_rules.py``) against mlxtend's ``fpgrowth`` +
  ``association_rules`` at the same support on the same baskets, compared rule by rule.

The full refresh from the database is measured per database by ``benchmarks/run.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"rfm": 5.0, "clv": 3.0, "rules": 5.0}


def _run(module: str, *arguments: str) -> dict[str, Any]:
    """Run ``python -m module arguments`` and read the JSON it prints."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own modules, with our own arguments
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"]}
    figures: dict[str, Any] = json.loads(done.stdout)
    figures["wall_seconds"] = round(time.perf_counter() - started, 1)
    return figures


def run_all(customers: int, lines: int, seed: int = 1) -> dict[str, Any]:
    """The three comparisons at ``customers`` and ``lines``."""
    repeat = os.environ.get("GUANXI_BENCH_ANALYTICS_REPEAT", "3")
    return {
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "rfm": _run(
            "benchmarks.analytics_rfm",
            f"--customers={customers}",
            f"--lines={lines}",
            f"--seed={seed}",
            f"--repeat={repeat}",
        ),
        "clv": _run(
            "benchmarks.analytics_clv",
            f"--customers={customers}",
            f"--seed={seed}",
            f"--repeat={repeat}",
        ),
        "rules": _run("benchmarks.analytics_rules", f"--lines={lines}", f"--seed={seed}"),
    }


def _params(params: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.4g}" for name, value in params.items())


def _met(value: float | None, target: float) -> str:
    if value is None:
        return "?"
    return "met" if value >= target else "NOT met"


def section(result: dict[str, Any] | None) -> list[str]:
    """The Markdown section of the three comparisons."""
    if not result:
        return []
    lines = [
        "## Customer intelligence beside its peers (data in memory)",
        "",
        f"Load average when this part started: {result.get('load_average_at_start')}.",
        "",
        "| figure | Guanxi | peer | peer time | speed-up | target | agreement |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    rfm = result.get("rfm") or {}
    if "error" in rfm:
        lines.append(f"| RFM | failed: {rfm['error']} | | | | | |")
    elif rfm:
        same = all(
            rfm.get(key)
            for key in ("same_frequency", "same_recency", "same_T", "same_monetary_value")
        )
        lines.append(
            f"| RFM summary + scores + R×F grid, {rfm['customers']:,} customers,"
            f" {rfm['lines']:,} lines ({rfm['orders']:,} orders) | {rfm['ours_seconds']:.2f} s"
            f" | lifetimes `summary_data_from_transaction_data` alone"
            f" | {rfm['lifetimes_seconds']:.2f} s | {rfm['speedup']}×"
            f" ({_met(rfm['speedup'], TARGETS['rfm'])}) | ≥ 5× | "
            + ("same frequency, recency, T and monetary value" if same else "DIFFERENT")
            + " |"
        )
    clv = result.get("clv") or {}
    if "error" in clv:
        lines.append(f"| BG/NBD | failed: {clv['error']} | | | | | |")
    elif clv:
        lines.append(
            f"| BG/NBD fit, {clv['customers']:,} customers | {clv['ours_grouped_seconds']:.2f} s"
            f" (every row: {clv['ours_raw_seconds']:.2f} s) | lifetimes `BetaGeoFitter.fit`"
            f" | {clv['lifetimes_seconds']:.2f} s | {clv['speedup_grouped']}×"
            f" ({_met(clv['speedup_grouped'], TARGETS['clv'])}; every row"
            f" {clv['speedup_raw']}×) | ≥ 3× | "
            + (
                "same r, α, a, b to 3 significant digits"
                if clv.get("same_params_3sf_grouped")
                else "parameters DIFFER"
            )
            + " |"
        )
    rules = result.get("rules") or {}
    if "error" in rules:
        lines.append(f"| Association rules | failed: {rules['error']} | | | | | |")
    elif rules:
        lines.append(
            f"| Association rules, {rules['lines']:,} lines ({rules['baskets']:,} baskets),"
            f" support ≥ {rules['min_support']}, itemsets up to {rules['max_len']}"
            f" | {rules['guanxi_seconds']:.2f} s | mlxtend `fpgrowth` + `association_rules`"
            f" | {rules['mlxtend_seconds']:.2f} s | {rules['speedup']}×"
            f" ({_met(rules['speedup'], TARGETS['rules'])}) | ≥ 5× | "
            + (
                f"identical: {rules['itemsets']:,} itemsets, {rules['rules']:,} rules"
                if rules.get("identical")
                else "DIFFERENT"
            )
            + " |"
        )
    lines.append("")
    notes = []
    if rfm and "error" not in rfm:
        notes.append(
            f"- RFM: best of the runs; the SQL engine (Spark-portable) took"
            f" {rfm['ours_sql_engine_seconds']:.2f} s; with favourite category and brand"
            f" {rfm['ours_with_favourites_seconds']:.2f} s. Peak memory (MB):"
            f" {rfm.get('peak_memory_mb')}."
        )
    if clv and "error" not in clv:
        notes.append(
            f"- BG/NBD: ours {_params(clv['ours_grouped_params'])}, lifetimes"
            f" {_params(clv['lifetimes_params'])};"
            f" log-likelihood {clv['ours_log_likelihood']:.1f} vs"
            f" {clv['lifetimes_log_likelihood']:.1f}. Peak memory (MB):"
            f" {clv.get('peak_memory_mb')}."
        )
    if rules and "error" not in rules:
        notes.append(
            f"- Rules: mlxtend also needed {rules['mlxtend_prepare_one_hot_seconds']:.2f} s to"
            f" build its one-hot table (not counted)."
        )
    return lines + notes + ([""] if notes else [])
