"""The Markdown report, docs/benchmarks.md."""

from __future__ import annotations

from typing import Any


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
    for skip in result.get("skips", []):
        lines.append(
            f"- Skipped {skip['name']} as {skip['user']} (`{skip['url']}`): {skip['reason']}."
        )
    if result.get("skips"):
        lines.append("")
    return lines


def render(*, machine: dict[str, str], results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
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
        "- Quick run: `GUANXI_BENCH_CUSTOMERS=20000 make bench`. Other knobs:"
        " `GUANXI_BENCH_DATABASES=sqlite,postgresql`, `GUANXI_BENCH_REQUESTS`,"
        " `GUANXI_BENCH_POSTGRES_URL`, `GUANXI_BENCH_REPORT` (where to write this file).",
        "",
    ]
    return "\n".join(lines)
