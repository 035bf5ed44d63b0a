"""Run the benchmark functions against one seeded database and print the results as JSON.

Run by ``benchmarks.run`` in a child process whose environment points Django at the database:
``python -m benchmarks.measure [--only-skipped FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

REQUESTS = int(os.environ.get("GUANXI_BENCH_REQUESTS", "50"))
WARMUP = int(os.environ.get("GUANXI_BENCH_WARMUP", "5"))


@dataclass
class Timing:
    name: str
    user: str
    url: str
    requests: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    max_ms: float
    queries: int | None = None


@dataclass
class Skip:
    name: str
    user: str
    url: str
    reason: str


@dataclass
class Bench:
    """What a benchmark function gets: signed-in clients and a way to time a page."""

    users: dict[str, Any]
    clients: dict[str, Any]
    requests: int = REQUESTS
    warmup: int = WARMUP
    only: set[str] | None = None  # names to run; None runs everything
    timings: list[Timing] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)

    def get(
        self,
        name: str,
        url: str | Callable[[Any], str],
        *,
        users: Iterable[str | None] = ("owner", "sales"),
    ) -> None:
        """Time ``requests`` GETs of ``url`` (or ``url(user)``) per user after a warm-up.

        A URL that answers 404 is skipped with a note: the page may not be built yet.
        """
        if self.only is not None and name not in self.only:
            return
        from django.db import connection, reset_queries
        from django.test import Client

        for label in users:
            client = self.clients[label] if label else Client(raise_request_exception=False)
            user = self.users.get(label) if label else None
            who = label or "anonymous"
            path = url(user) if callable(url) else url
            response = None
            for _ in range(max(1, self.warmup)):
                response = client.get(path)
            if response.status_code == 404:
                self.skips.append(Skip(name, who, path, "404: the page does not exist yet"))
                continue
            if response.status_code != 200:
                self.skips.append(Skip(name, who, path, failure(response)))
                continue
            connection.force_debug_cursor = True
            reset_queries()
            client.get(path)
            queries = len(connection.queries)
            connection.force_debug_cursor = False
            durations = []
            for _ in range(self.requests):
                started = time.perf_counter()
                response = client.get(path)
                durations.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code} as {who}")
            self.timings.append(
                Timing(
                    name=name,
                    user=who,
                    url=path,
                    requests=len(durations),
                    p50_ms=round(statistics.median(durations), 1),
                    p95_ms=round(percentile(durations, 95), 1),
                    mean_ms=round(statistics.fmean(durations), 1),
                    max_ms=round(max(durations), 1),
                    queries=queries,
                )
            )
            print(f"  {name} as {who}: p50 {self.timings[-1].p50_ms} ms", file=sys.stderr)


def failure(response: Any) -> str:
    """Why a page did not answer 200, in one line."""
    reason = f"answered {response.status_code}, not 200"
    exc_info = getattr(response, "exc_info", None)
    if exc_info and exc_info[1] is not None:
        reason += f" ({type(exc_info[1]).__name__}: {str(exc_info[1])[:120]})"
    return reason


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, int(-(-pct * len(ordered) // 100)))
    return ordered[rank - 1]


def make_bench(only: set[str] | None = None) -> Bench:
    from django.contrib.auth import get_user_model
    from django.test import Client

    model = get_user_model()
    users = {
        "owner": model.objects.get(username="owner"),
        "sales": model.objects.filter(role="sales").order_by("username").first(),
    }
    clients = {}
    for label, user in users.items():
        client = Client(raise_request_exception=False)  # a broken page is a note, not a crash
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        clients[label] = client
    return Bench(users=users, clients=clients, only=only)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only", action="append", help="run only the benchmark with this name (repeatable)"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.config.settings")
    import django

    django.setup()
    import logging

    # A failing page is reported as a skip with its exception; no tracebacks in the run's log.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    from benchmarks.suite import benchmarks

    bench = make_bench(set(args.only) if args.only else None)
    for function in benchmarks():
        function(bench)
    json.dump(
        {
            "timings": [asdict(t) for t in bench.timings],
            "skips": [asdict(s) for s in bench.skips],
            "users": {label: user.username for label, user in bench.users.items()},
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
