"""The Markdown report, docs/benchmarks.md."""

from __future__ import annotations

from typing import Any

from benchmarks import analytics_refresh, analytics_suite


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} MiB"


def database_section(result: dict[str, Any]) -> list[str]:
    lines = [f"## {result['label']}", "", f"`{result['location']}`", ""]
    if result.get("error"):
        lines += [f"**Failed:** {result['error']}", ""]
    seed = result.get("seed")
    if seed:
        lines += _table(
            ["measure", "value"],
            [
                ["customers seeded", f"{seed['customers']:,}"],
                ["rows created", seed["summary"]],
                ["migrate", f"{result['migrate_seconds']:.1f} s"],
                ["seed (wall time)", f"{seed['seconds']:,.1f} s"],
                ["seed throughput", f"{seed['rows_per_second']:,.0f} customers/s"],
                ["peak RSS of the seeding process", _mib(seed["peak_rss_mib"])],
                ["database size after seeding", _mib(result.get("size_mib"))],
                *_orders_seed_rows(seed),
            ],
        )
        lines.append("")
    timings = result.get("timings", [])
    if timings:
        lines += _table(
            ["page", "signed in as", "p50 ms", "p95 ms", "mean ms", "max ms", "queries", "URL"],
            [
                [
                    t["name"],
                    t["user"],
                    f"{t['p50_ms']:.1f}",
                    f"{t['p95_ms']:.1f}",
                    f"{t['mean_ms']:.1f}",
                    f"{t['max_ms']:.1f}",
                    str(t["queries"]) if t.get("queries") is not None else "—",
                    f"`{t['url']}`",
                ]
                for t in timings
            ],
        )
        lines.append("")
    lines += checkout_section(result.get("checkout"))
    lines += analytics_refresh.report_lines(result.get("analytics_refresh"))
    for skip in result.get("skips", []):
        lines.append(
            f"- Skipped {skip['name']} as {skip['user']} (`{skip['url']}`): {skip['reason']}."
        )
    if result.get("skips"):
        lines.append("")
    return lines


def _orders_seed_rows(seed: dict[str, Any]) -> list[list[str]]:
    if not seed.get("orders_seconds"):
        return []
    how = "in bulk" if seed.get("orders_bulk") else "through the services"
    return [
        ["orders seeded", f"{seed['orders']:,} orders, {seed['order_lines']:,} lines ({how})"],
        ["orders seeder (wall time)", f"{seed['orders_seconds']:,.1f} s"],
        ["orders seeder throughput", f"{seed['order_lines_per_second']:,.0f} order lines/s"],
    ]


def checkout_section(figures: dict[str, Any] | None) -> list[str]:
    """The checkout benchmark of one database: both phases, errors, drift."""
    if not figures:
        return []
    lines = ["### Checkout: `POST /api/v1/orders/` under load", ""]
    if figures.get("error"):
        lines += [f"**Failed:** {figures['error']}", ""]
    rows = []
    for name, label in (("paced", "paced (a busy chain)"), ("saturated", "saturated")):
        phase = figures.get(name)
        if not phase:
            continue
        errors = phase.get("errors") or {}
        offered = phase.get("offered_per_second")
        rows.append(
            [
                label,
                str(phase.get("users", "")),
                f"{offered:,.0f}/s" if offered else "as fast as answered",
                f"{phase['per_second']:,.1f}",
                f"{phase['p50_ms']:,.1f}",
                f"{phase['p95_ms']:,.1f}",
                f"{phase['p99_ms']:,.1f}",
                f"{phase.get('succeeded', 0):,}",
                ", ".join(f"{kind}: {n}" for kind, n in sorted(errors.items())) or "none",
            ]
        )
    if rows:
        lines += _table(
            [
                "phase",
                "tills",
                "offered",
                "checkouts/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "checkouts",
                "errors after warm-up",
            ],
            rows,
        )
        lines.append("")
    if "drift" in figures:
        lines += [
            f"- gunicorn {figures['workers']} workers × {figures['threads']} threads on"
            f" 127.0.0.1; {figures.get('cards', 0):,} member cards of {figures.get('stores', 0)}"
            f" stores; {figures['seconds']} s per phase, the first {figures['warmup_seconds']} s"
            " not counted.",
            f'- "database is locked" in the server log: {figures["server_database_is_locked"]};'
            f" server tracebacks: {figures['server_tracebacks']}.",
            *(
                [
                    "- Load average (1, 5, 15 min) at the end of each phase: "
                    + "; ".join(
                        f"{name} {' '.join(f'{x:.2f}' for x in figures[name]['load_average'])}"
                        for name in ("paced", "saturated")
                        if figures.get(name, {}).get("load_average")
                    )
                    + "."
                ]
                if any(figures.get(n, {}).get("load_average") for n in ("paced", "saturated"))
                else []
            ),
            f"- `ledger_reconcile()` afterwards: {figures['drift']} account(s) drifted;"
            f" {figures['orders_written']:,} orders written through the API.",
            "",
        ]
    return lines


def render(
    *,
    machine: dict[str, str],
    results: list[dict[str, Any]],
    meta: dict[str, Any],
    analytics: dict[str, Any] | None = None,
) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured on {meta['date']} with `{meta['command']}`"
        f" ({meta['customers']:,} customers, seed {meta['seed']}). Written by `benchmarks/run.py`:"
        " do not edit by hand, run `make bench` again.",
        "",
        "## Machine",
        "",
        *_table(["", ""], [[key, value] for key, value in machine.items()]),
        "",
    ]
    for result in results:
        lines += database_section(result)
    lines += analytics_suite.section(analytics)
    lines += [
        "## How these figures are taken",
        "",
        "- Each database is created fresh, migrated, then seeded by `guanxi seed --customers N"
        " --seed 1` in a child process; its wall time and peak resident memory (`wait4`) are"
        " the seed figures. The seed ends with `ANALYZE`, as a bulk import should.",
        f"- Page latencies go through the whole Django stack (middleware, sessions, templates,"
        f" queries) with the test `Client`, in one process, without a network or WSGI server:"
        f" {meta['warmup']} warm-up requests, then {meta['requests']} timed requests per page and"
        " user. *queries* counts the SQL statements of one request.",
        "- `owner` sees every store; `sales` is a sales member of one store, so the lists are"
        " scoped to that store.",
        "- A page that answers 404 is skipped with a note (its domain is not built yet).",
        "- The orders seeder writes two years of orders in bulk here (`COPY` on PostgreSQL,"
        " `executemany` on SQLite; `src/guanxi/orders/seeding/bulk.py`; `guanxi seed` does so"
        " above 50,000 customers and goes through the services below); its time is its own"
        " progress line.",
        "- Checkout (`benchmarks/checkout.py`): gunicorn serves the seeded database on 127.0.0.1"
        " and locust (headless, `FastHttpUser`, one process beside it on the same two cores)"
        " plays the tills of every store: each till signs in with its store's API token and"
        " sends `POST /api/v1/orders/` with its own `Idempotency-Key` and order reference,"
        " baskets of 1–4 lines with the serving staff member, 15 % walk-in sales and members'"
        " cards (set to the top tier, topped up with stored value) paying by mobile payment, bank"
        " card, cash, stored value (whole or part) and points. *Paced*: the tills together offer"
        " the target rate; *saturated*: the tills send the next sale as soon as the last one is"
        " answered. Latencies are of successful checkouts; errors are counted by HTTP status and"
        " the API's error code. Afterwards `ledger_reconcile()` must find no drift.",
        "- Quick run: `GUANXI_BENCH_CUSTOMERS=20000 make bench`. Other knobs:"
        " `GUANXI_BENCH_DATABASES=sqlite,postgresql`, `GUANXI_BENCH_REQUESTS`,"
        " `GUANXI_BENCH_POSTGRES_URL`, `GUANXI_BENCH_REPORT` (where to write this file).",
        "",
    ]
    return "\n".join(lines)
