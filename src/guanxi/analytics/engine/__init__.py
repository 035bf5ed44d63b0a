"""The analytics engine: read the orders in bulk into Arrow, compute with the cores, write back.

``refresh()`` is the whole run without the bookkeeping (the ``AnalyticsRun`` row, the job, the
audit), which ``guanxi.analytics.services.analytics_refresh`` adds; the benchmark calls it too.

- ``read``: orders, lines and customers into Arrow (ADBC on PostgreSQL; on SQLite files in a
  child process, ``sqlite_reader``);
- ``compute``: the summary, RFM, the R×F grid, value, lifetime value, rules, cohorts, KPIs and
  forecasts, with the pure cores ``guanxi.analytics.{rfm,value,clv,basket,sequences,cohorts,
  kpi,forecast}`` (DuckDB SQL that Spark SQL runs too, and NumPy);
- ``write``: the per-customer rows (``COPY`` on PostgreSQL; on a SQLite file a staging table
  loaded by ADBC in a child process and one ``INSERT ... SELECT``) and the rules, in one
  transaction each.
"""

from __future__ import annotations

import datetime
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from guanxi.analytics.engine.compute import Computed, EngineConfig, compute
from guanxi.analytics.engine.read import ReadMode, Source, local_today, read_source
from guanxi.analytics.engine.write import write_metrics, write_rules

#: The steps of a run and their share of the progress bar (out of 100).
STEPS: dict[str, tuple[int, str]] = {
    "read": (0, gettext_noop("Reading orders and customers")),
    "summary": (20, gettext_noop("Customer summary and RFM")),
    "value": (30, gettext_noop("Value: deciles, ABC, pyramid")),
    "lifetime": (38, gettext_noop("Lifetime value")),
    "rules": (50, gettext_noop("Bought together")),
    "sequences": (58, gettext_noop("Bought next")),
    "cohorts": (65, gettext_noop("Cohorts and KPIs")),
    "forecast": (72, gettext_noop("Forecasts")),
    "metrics": (82, gettext_noop("Customer rows")),
    "write": (85, gettext_noop("Writing back")),
    "done": (100, gettext_noop("Done")),
}

Progress = Callable[[int, int, str], None]


class PeakMemory:
    """The largest resident set size of this process while the ``with`` block runs."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def rss() -> int:
        """The resident set size now (Linux: /proc; elsewhere the peak so far)."""
        try:
            with open("/proc/self/statm", encoding="ascii") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            import resource

            return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.rss())

    def __enter__(self) -> PeakMemory:
        self.peak = self.rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak = max(self.peak, self.rss())

    @property
    def mib(self) -> float:
        return round(self.peak / (1 << 20), 1)


@dataclass
class Outcome:
    """What a run did: the computed tables, counts, times and peak memory."""

    computed: Computed
    source_mode: str
    as_of: datetime.date
    customers: int
    orders: int
    order_lines: int
    metrics_written: int
    rules_written: int
    seconds: float
    peak_memory_mib: float
    timings: dict[str, float] = field(default_factory=dict)


def refresh(
    *,
    config: EngineConfig,
    tz: str,
    as_of: datetime.date | None = None,
    forecasts: bool = True,
    progress: Progress | None = None,
    read_mode: ReadMode = "auto",
    alias: str = "default",
) -> Outcome:
    """Read, compute and write back everything (see the module docstring)."""
    report = progress or (lambda _done, _total, _message: None)

    def step(name: str) -> None:
        done, message = STEPS[name]
        report(done, 100, message)

    as_of = as_of or local_today(tz)
    started = time.perf_counter()
    with PeakMemory() as memory:
        step("read")
        clock = time.perf_counter()
        source: Source = read_source(alias=alias, mode=read_mode)
        read_seconds = time.perf_counter() - clock
        computed = compute(
            source, as_of=as_of, tz=tz, config=config, forecasts=forecasts, progress=step
        )
        step("write")
        clock = time.perf_counter()
        refreshed_at = timezone.now()
        total_rows = computed.metrics.num_rows

        def written(rows: int) -> None:
            report(85 + int(12 * rows / max(total_rows, 1)), 100, STEPS["write"][1])

        metrics_written = write_metrics(
            computed.metrics, refreshed_at=refreshed_at, alias=alias, progress=written
        )
        rules_written = write_rules(computed.rules, alias=alias)
        write_seconds = time.perf_counter() - clock
    timings: dict[str, Any] = {
        "read": round(read_seconds, 3),
        **computed.timings,
        "write": round(write_seconds, 3),
    }
    step("done")
    return Outcome(
        computed=computed,
        source_mode=source.mode,
        as_of=as_of,
        customers=source.customers.num_rows,
        orders=source.orders.num_rows,
        order_lines=source.lines.num_rows,
        metrics_written=metrics_written,
        rules_written=rules_written,
        seconds=round(time.perf_counter() - started, 3),
        peak_memory_mib=memory.mib,
        timings=timings,
    )


__all__ = ["EngineConfig", "Outcome", "PeakMemory", "STEPS", "refresh"]
