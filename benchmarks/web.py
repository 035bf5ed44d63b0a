"""Benchmarks of the shell: the health check and the dashboard."""

from __future__ import annotations

from benchmarks.measure import Bench


def healthz(bench: Bench) -> None:
    """The load balancers' health check: no session, one query and a queue check."""
    bench.get("GET /healthz", "/healthz", users=(None,))


def dashboard(bench: Bench) -> None:
    """The home page with every panel the role sees."""
    bench.get("Dashboard /", "/")


BENCHMARKS = [healthz, dashboard]
