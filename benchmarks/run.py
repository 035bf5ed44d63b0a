"""``python -m benchmarks.run`` (``make bench``): seed fresh databases and time the pages.

Environment:
- ``GUANXI_BENCH_CUSTOMERS`` customers to seed (default 1,000,000; smaller for a quick run)
- ``GUANXI_BENCH_SEED`` the seed (default 1)
- ``GUANXI_BENCH_DATABASES`` which of ``sqlite,postgresql`` to run (default: both, PostgreSQL
  only when it answers)
- ``GUANXI_BENCH_POSTGRES_URL`` (default postgres://postgres@127.0.0.1:5432/guanxi_bench; the
  database is dropped and created again)
- ``GUANXI_BENCH_REPORT`` where to write the report (default docs/benchmarks.md)
- ``GUANXI_BENCH_REQUESTS`` / ``GUANXI_BENCH_WARMUP`` timed and warm-up requests per page and user
- ``GUANXI_SEED_BULK_THRESHOLD`` above how many customers the orders are seeded in bulk (default
  here 0: a benchmark's orders are always written in bulk, a quick run's too; ``guanxi seed``
  alone: 50,000)
- ``GUANXI_BENCH_ANALYTICS=0`` leaves out the analytics comparisons with lifetimes and mlxtend
  (``benchmarks/analytics_suite.py``), ``GUANXI_BENCH_ANALYTICS_REFRESH=0`` the full analytics
  refresh on each database (``benchmarks/analytics_refresh.py``)
- the checkout benchmark's knobs, ``GUANXI_BENCH_CHECKOUT*`` and ``GUANXI_BENCH_GUNICORN_*``:
  see ``benchmarks/checkout.py``
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import shlex
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchmarks import analytics_refresh, analytics_suite, checkout, report
from benchmarks.measure import REQUESTS, WARMUP

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/guanxi_bench"
BULK_THRESHOLD = os.environ.get("GUANXI_SEED_BULK_THRESHOLD", "0")
# The seed's progress line when a seeder is done: "orders (bulk): 1,000/1,000 (100%) 12.3s, …"
PROGRESS_DONE = re.compile(
    r"^(?P<label>[^:\r\n]+): [\d,]+/[\d,]+ \(100%\) (?P<seconds>[\d.]+)s", re.M
)


ANALYTICS_SUITE = os.environ.get("GUANXI_BENCH_ANALYTICS", "1") != "0"
LINES_PER_CUSTOMER = 10


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Database:
    key: str
    label: str
    url: str

    @property
    def sqlite_path(self) -> Path:
        return Path("/" + urlsplit(self.url).path.lstrip("/"))

    @property
    def location(self) -> str:
        """Where the database is, without credentials."""
        if self.key == "sqlite":
            path = self.sqlite_path
            return str(path.relative_to(ROOT)) if ROOT in path.parents else str(path)
        parts = urlsplit(self.url)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def admin_url(self) -> str:
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def recreate(self) -> None:
        """Start from nothing: remove the SQLite files, or drop and create the PostgreSQL DB."""
        if self.key == "sqlite":
            path = self.sqlite_path
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.admin_url(), autocommit=True, connect_timeout=5) as conn:
            name = sql.Identifier(self.name)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))

    def size_mib(self) -> float | None:
        if self.key == "sqlite":
            path = self.sqlite_path
            files = [Path(f"{path}{suffix}") for suffix in ("", "-wal")]
            return sum(f.stat().st_size for f in files if f.exists()) / 2**20
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5) as conn:
            row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return row[0] / 2**20 if row else None

    def version(self) -> str:
        if self.key == "sqlite":
            return sqlite3.sqlite_version
        import psycopg

        with psycopg.connect(self.admin_url(), connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"


def postgres_answers(url: str) -> bool:
    try:
        import psycopg

        database = Database("postgresql", "PostgreSQL", url)
        psycopg.connect(database.admin_url(), connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False
    return True


def databases() -> list[Database]:
    wanted = set(os.environ.get("GUANXI_BENCH_DATABASES", "sqlite,postgresql").split(","))
    found = []
    if "sqlite" in wanted:
        found.append(Database("sqlite", "SQLite", f"sqlite:///{VAR / 'guanxi-bench.sqlite3'}"))
    if "postgresql" in wanted:
        url = os.environ.get("GUANXI_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        if postgres_answers(url):
            found.append(Database("postgresql", "PostgreSQL", url))
        else:
            log(f"PostgreSQL does not answer at {Database('pg', '', url).location}: skipped")
    return found


def child_env(database: Database) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="guanxi.config.settings",
        GUANXI_ENV="development",
        DEBUG="false",
        DATABASE_URL=database.url,
        GUANXI_VAR_DIR=str(VAR),
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    return env


def run_measured(
    command: list[str], env: dict[str, str], log_path: Path, stderr_path: Path | None = None
) -> dict[str, float]:
    """Run a child to the end; its wall time and peak RSS. Its stdout goes to ``log_path``; its
    stderr to ours and, with ``stderr_path``, to that file too."""
    started = time.monotonic()
    with log_path.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            command,
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.PIPE if stderr_path else None,
        )
        if stderr_path is not None and process.stderr is not None:
            with stderr_path.open("wb") as copy:
                for chunk in iter(lambda: process.stderr.read1(4096), b""):  # type: ignore[union-attr]
                    sys.stderr.buffer.write(chunk)
                    sys.stderr.flush()
                    copy.write(chunk)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed ({process.returncode}); see {log_path}")
    return {"seconds": seconds, "peak_rss_mib": usage.ru_maxrss / 1024}  # KiB on Linux


def measure(database: Database, only: list[str] | None = None) -> dict[str, Any]:
    # The code may have gained a migration since the database was seeded: apply it first.
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "guanxi.manage", "migrate", "--noinput", "-v0"],
        env=child_env(database),
        cwd=ROOT,
        check=True,
    )
    command = [sys.executable, "-m", "benchmarks.measure"]
    for name in only or []:
        command += ["--only", name]
    completed = subprocess.run(  # noqa: S603
        command, env=child_env(database), cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True
    )
    return json.loads(completed.stdout)


def bench_database(database: Database, customers: int, seed: int, result: dict[str, Any]) -> None:
    """Fill ``result`` step by step, so that a failure keeps what was measured before it."""
    log(f"{database.label}: creating a fresh database at {database.location}")
    database.recreate()
    result["label"] = f"{database.label} {database.version()}"
    env = child_env(database)
    guanxi = [sys.executable, "-m", "guanxi.manage"]
    migrate = run_measured(
        [*guanxi, "migrate", "--noinput", "-v0"], env, VAR / f"{database.key}-migrate.log"
    )
    result["migrate_seconds"] = migrate["seconds"]
    log(f"{database.label}: seeding {customers:,} customers")
    seed_log = VAR / f"{database.key}-seed.log"
    progress_log = VAR / f"{database.key}-seed-progress.log"
    seeded = run_measured(
        [*guanxi, "seed", "--customers", str(customers), "--seed", str(seed)],
        {**env, "GUANXI_SEED_BULK_THRESHOLD": BULK_THRESHOLD},
        seed_log,
        progress_log,
    )
    found = re.search(r"Seeded (.+?) in [\d.]+s", seed_log.read_text())
    result["seed"] = {
        "customers": customers,
        "summary": found.group(1) if found else "",
        "seconds": seeded["seconds"],
        "rows_per_second": customers / seeded["seconds"] if seeded["seconds"] else 0.0,
        "peak_rss_mib": seeded["peak_rss_mib"],
        **orders_seeding(found.group(1) if found else "", progress_log.read_text(errors="replace")),
    }
    result["size_mib"] = database.size_mib()
    log(f"{database.label}: seeded in {seeded['seconds']:.1f}s; timing the pages")
    result.update(measure(database))
    if checkout.ENABLED:
        try:
            checkout.bench(database, env, result, VAR)
        except Exception as exc:  # noqa: BLE001 - the page figures stand; report the failure
            log(f"{database.label}: checkout benchmark failed: {exc}")
            result.setdefault("checkout", {})["error"] = str(exc)
    if analytics_refresh.ENABLED:
        log(f"{database.label}: the full analytics refresh")
        try:
            analytics_refresh.bench(database, env, result, VAR)
        except Exception as exc:  # noqa: BLE001 - the other figures stand; report the failure
            log(f"{database.label}: analytics refresh benchmark failed: {exc}")
            result["analytics_refresh"] = {"error": str(exc)}


def orders_seeding(summary: str, progress: str) -> dict[str, Any]:
    """The orders seeder's part of the seed: its time (from its last progress line), the orders
    and order lines it wrote (from the summary), and whether it wrote them in bulk."""
    counts = {
        what: int(number.replace(",", ""))
        for number, what in re.findall(r"([\d,]+) ([a-z][a-z ]+?)(?:,|$)", summary)
    }
    seconds = {m["label"]: float(m["seconds"]) for m in PROGRESS_DONE.finditer(progress)}
    label = "orders (bulk)" if "orders (bulk)" in seconds else "orders"
    took = seconds.get(label)
    lines = counts.get("order lines", 0)
    return {
        "orders": counts.get("orders", 0),
        "order_lines": lines,
        "orders_bulk": label == "orders (bulk)",
        "orders_seconds": took,
        "order_lines_per_second": lines / took if took else None,
    }


def recheck_skipped(database: Database, result: dict[str, Any]) -> None:
    """Pages that were missing or broken may have been fixed while the seeding ran: try again."""
    names = sorted({s["name"] for s in result.get("skips", [])})
    if not names:
        return
    log(f"{database.label}: checking the skipped pages again: {', '.join(names)}")
    again = measure(database, names)
    measured = {(t["name"], t["user"]) for t in again["timings"]}
    result["timings"] = [
        t for t in result["timings"] if (t["name"], t["user"]) not in measured
    ] + again["timings"]
    result["skips"] = [s for s in result["skips"] if s["name"] not in names] + again["skips"]


def machine() -> dict[str, str]:
    cpu = "?"
    memory = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    import django

    return {
        "CPUs": f"{os.cpu_count()} × {cpu}",
        "RAM": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "SQLite": sqlite3.sqlite_version,
        "load average at start": " ".join(f"{load:.2f}" for load in os.getloadavg()),
    }


def main() -> None:
    customers = int(os.environ.get("GUANXI_BENCH_CUSTOMERS", "1000000"))
    seed = int(os.environ.get("GUANXI_BENCH_SEED", "1"))
    report_path = Path(os.environ.get("GUANXI_BENCH_REPORT", ROOT / "docs" / "benchmarks.md"))
    (VAR / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT of the children
    meta = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": f"GUANXI_BENCH_CUSTOMERS={customers} python -m benchmarks.run",
        "customers": customers,
        "seed": seed,
        "requests": REQUESTS,
        "warmup": WARMUP,
    }
    info = machine()
    targets = databases()
    results: list[dict[str, Any]] = []
    analytics: dict[str, Any] = {}

    def write() -> None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(
            report.render(machine=info, results=results, meta=meta, analytics=analytics)
        )
        (VAR / "results.json").write_text(
            json.dumps({"meta": meta, "results": results, "analytics": analytics}, indent=2)
        )

    if ANALYTICS_SUITE:
        # First, while the machine is otherwise idle: the comparisons with lifetimes and mlxtend
        # on data generated in memory at the size of the run (ten order lines per customer).
        log(f"analytics beside lifetimes and mlxtend at {customers:,} customers")
        analytics.update(analytics_suite.run_all(customers, customers * LINES_PER_CUSTOMER, seed))
        write()

    for database in targets:
        if database.key == "postgresql":
            info["PostgreSQL"] = database.version()
        result: dict[str, Any] = {
            "key": database.key,
            "label": database.label,
            "location": database.location,
        }
        results.append(result)
        try:
            bench_database(database, customers, seed, result)
        except Exception as exc:  # noqa: BLE001 - report the failure, go on with the next database
            log(f"{database.label}: failed: {exc}")
            result["error"] = str(exc)
        write()
    for database, result in zip(targets, results, strict=True):
        if not result.get("error"):
            recheck_skipped(database, result)
    write()
    log(f"wrote {report_path}")


if __name__ == "__main__":
    main()
