"""RFM speed: ``guanxi.analytics.rfm`` against ``lifetimes.utils.summary_data_from_transaction_data``.

Issue 5 §9: "the RFM summary with scores and the R×F grid, from data in memory, at least 5× faster
than ``lifetimes.utils.summary_data_from_transaction_data`` alone on the same data".

The data are generated in NumPy as Arrow tables, like those the analytics engine reads from the
database: ``n_customers`` customers with 1 + NegBin(0.8, mean 3) orders each (≈4 orders per
customer) over the two years up to ``AS_OF``, the first on the day they joined and the others
uniformly after it, between 10:00 and 22:00 Shanghai time (stored in UTC, so the local date
matters), plus 5% walk-in orders without a customer; net amounts log-normal around ¥250 in
cents, 30% of the orders discounted, margins unknown on 10%; and about ``n_lines`` order lines
over 5,000 products (skewed), 50 categories and 80 brands, the order's amount split across its
lines to the cent.

lifetimes gets a pandas DataFrame of the identified orders (customer id, local wall-clock time,
amount as float), built beforehand and not timed, and computes frequency, recency, T and
monetary value with ``freq='D'`` and ``observation_period_end=AS_OF``. Ours is timed from the
same Arrow tables to the finished customer summary (every column but the favourites), RFM scores
and R×F grid (:func:`guanxi.analytics.rfm.rfm_analysis`, NumPy engine); two more figures: the
same with the favourite category and brand from the lines (which lifetimes does not compute),
and the same with the SQL engine (DuckDB, the Spark-portable statements). Ours must equal
lifetimes' frequency, recency and T for every customer, and the monetary value within 1e-9
(lifetimes sums floats, ours integer cents).

Each figure is the best of ``repeat`` runs, wall and CPU time separately (CPU time counts every
thread of this process: on a shared machine the wall time also counts the time other processes
held the cores). Peak memory is the growth of the resident set (VmHWM after resetting it through
``/proc/self/clear_refs``) while the computation runs in a forked child process, so DuckDB's and
Arrow's allocations count too.

``python -m benchmarks.analytics_rfm [--customers N] [--lines N] [--seed S]`` prints JSON.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanxi.analytics.rfm import day_number, rfm_analysis

AS_OF = datetime.date(2025, 6, 30)
TZ = "Asia/Shanghai"
UTC_OFFSET_HOURS = 8  # Shanghai, no daylight saving time since 1991
HISTORY_DAYS = 730
WALK_IN_SHARE = 0.05
PRODUCTS = 5_000
STORES = 17

_DAY_US = 86_400_000_000
_HOUR_US = 3_600_000_000


def _money(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """int64 cents as an Arrow decimal(14, 2) array, built from its 128-bit buffer."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((cents.size, 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension of the high word
    array = pa.Array.from_buffers(pa.decimal128(14, 2), cents.size, [None, pa.py_buffer(words)])
    if valid is not None:
        array = pc.if_else(pa.array(valid), array, pa.scalar(None, pa.decimal128(14, 2)))
    return array


def generate(
    n_customers: int = 1_000_000, n_lines: int = 10_000_000, seed: int = 1
) -> tuple[pa.Table, pa.Table, np.ndarray]:
    """(orders, lines, micros): the Arrow tables and each order's UTC time in microseconds."""
    rng = np.random.default_rng(seed)
    per_customer = 1 + rng.negative_binomial(0.8, 0.8 / 3.8, size=n_customers)
    customer = np.repeat(np.arange(1, n_customers + 1, dtype=np.int64), per_customer)
    joined = rng.integers(0, HISTORY_DAYS, size=n_customers)  # day index, 0 = oldest
    start = np.repeat(joined, per_customer)
    first = np.ones(customer.size, dtype=bool)
    first[1:] = customer[1:] != customer[:-1]
    offset = np.floor(rng.random(customer.size) * (HISTORY_DAYS - start)).astype(np.int64)
    day = start + np.where(first, 0, offset)
    walk_ins = int(customer.size * WALK_IN_SHARE)
    customer = np.concatenate([customer, np.zeros(walk_ins, dtype=np.int64)])
    day = np.concatenate([day, rng.integers(0, HISTORY_DAYS, size=walk_ins)])
    n_orders = customer.size
    local_day = day_number(AS_OF) - (HISTORY_DAYS - 1) + day
    local_us = local_day * _DAY_US + rng.integers(10 * _HOUR_US, 22 * _HOUR_US, size=n_orders)
    micros = local_us - UTC_OFFSET_HOURS * _HOUR_US
    order = np.argsort(micros, kind="stable")  # order ids follow time
    customer, micros = customer[order], micros[order]
    home = rng.integers(1, STORES + 1, size=n_customers + 1)
    store = np.where(
        rng.random(n_orders) < 0.9, home[customer], rng.integers(1, STORES + 1, n_orders)
    )
    net = np.maximum(100, np.round(rng.lognormal(np.log(25_000), 0.8, n_orders))).astype(np.int64)
    discounted = rng.random(n_orders) < 0.3
    discount = np.where(discounted, np.round(net * rng.uniform(0.05, 0.3, n_orders)), 0)
    margin = np.round(net * rng.uniform(0.2, 0.6, n_orders)).astype(np.int64)
    margin_known = rng.random(n_orders) >= 0.1

    per_order = 1 + rng.poisson(max(n_lines / n_orders - 1.0, 0.0), size=n_orders)
    line_order = np.repeat(np.arange(n_orders), per_order)
    starts = np.concatenate([[0], np.cumsum(per_order)[:-1]])
    weight = rng.uniform(0.5, 1.5, line_order.size)
    share = weight / np.add.reduceat(weight, starts)[line_order]
    amount = np.floor(net[line_order] * share).astype(np.int64)
    amount[starts] += net - np.add.reduceat(amount, starts)  # the remainder to the first line
    product = np.floor(PRODUCTS * rng.random(line_order.size) ** 3).astype(np.int64) + 1
    quantity = 1 + (rng.random(line_order.size) < 0.15).astype(np.int64)
    items = np.add.reduceat(quantity, starts)

    customer_ids = pa.array(customer, pa.int64(), mask=customer == 0)
    orders = pa.table(
        {
            "order_id": pa.array(np.arange(1, n_orders + 1, dtype=np.int64)),
            "customer_id": customer_ids,
            "store_id": pa.array(store.astype(np.int64)),
            "ordered_at": pa.array(micros, pa.timestamp("us", tz="UTC")),
            "net_amount": _money(net),
            "margin": _money(margin, margin_known),
            "discount": _money(discount.astype(np.int64)),
            "items": pa.array(items.astype(np.int32)),
        }
    )
    lines = pa.table(
        {
            "order_id": pa.array(line_order.astype(np.int64) + 1),
            "product_id": pa.array(product),
            "category_id": pa.array((product - 1) // 100 + 1),
            "brand_id": pa.array((product - 1) % 80 + 1),
            "quantity": pa.array(quantity.astype(np.int32)),
            "amount": _money(amount),
            "unit_price": _money(amount // quantity),
        }
    )
    return orders, lines, micros


def lifetimes_frame(orders: pa.Table, micros: np.ndarray) -> Any:
    """The identified orders as lifetimes reads them: id, local wall-clock time, float amount."""
    import pandas as pd

    identified = np.asarray(orders["customer_id"].is_valid())
    local = (micros + UTC_OFFSET_HOURS * _HOUR_US)[identified].astype("datetime64[us]")
    amount = orders["net_amount"].filter(pa.array(identified)).cast(pa.float64()).to_numpy()
    return pd.DataFrame(
        {
            "customer_id": np.asarray(orders["customer_id"].drop_null()),
            "ordered_at": local.astype("datetime64[ns]"),
            "amount": amount,
        }
    )


def _timed(function: Callable[[], Any]) -> tuple[float, float, Any]:
    started, started_cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - started, time.process_time() - started_cpu, result


def _best(function: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(fastest wall time, least CPU time, result) over ``repeat`` runs: on a shared machine
    the wall time also counts the time other processes held the cores."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        run_wall, run_cpu, result = _timed(function)
        wall, cpu = min(wall, run_wall), min(cpu, run_cpu)
    return wall, cpu, result


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _peak_child(function: Callable[[], Any], pipe: Any) -> None:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")  # reset VmHWM to the current resident set
        before = _status_kib("VmRSS")
        function()
        pipe.send((_status_kib("VmHWM") - before) * 1024)
    except Exception as error:  # reported, not raised: the parent goes on
        pipe.send(repr(error))
    finally:
        pipe.close()


def peak_memory(function: Callable[[], Any]) -> int | str:
    """Bytes by which the resident set grows while ``function`` runs in a forked child."""
    if not os.path.exists("/proc/self/clear_refs"):
        return "not measured: needs Linux /proc"
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_peak_child, args=(function, sender))
    child.start()
    sender.close()
    result: int | str = receiver.recv()
    child.join()
    return result


def rfm_vs_lifetimes(
    n_customers: int = 1_000_000,
    n_lines: int = 10_000_000,
    seed: int = 1,
    *,
    repeat: int = 3,
    memory: bool = True,
) -> dict[str, Any]:
    """Time lifetimes' summary and ours (summary + scores + R×F grid) on the same orders."""
    from lifetimes.utils import summary_data_from_transaction_data

    started = time.perf_counter()
    orders, lines, micros = generate(n_customers, n_lines, seed)
    frame = lifetimes_frame(orders, micros)
    generate_seconds = time.perf_counter() - started

    def theirs() -> Any:
        return summary_data_from_transaction_data(
            frame,
            "customer_id",
            "ordered_at",
            monetary_value_col="amount",
            observation_period_end=AS_OF.isoformat(),
            freq="D",
        )

    def ours() -> Any:
        return rfm_analysis(orders, as_of=AS_OF, tz=TZ)

    def ours_with_favourites() -> Any:
        return rfm_analysis(orders, lines, as_of=AS_OF, tz=TZ)

    def ours_sql() -> Any:
        return rfm_analysis(orders, as_of=AS_OF, tz=TZ, engine="sql")

    peaks: dict[str, Any] = {}
    if memory:  # first, in children forked before this process starts DuckDB's threads
        for name, function in (
            ("ours", ours),
            ("ours_with_favourites", ours_with_favourites),
            ("lifetimes", theirs),
        ):
            peak = peak_memory(function)
            peaks[name] = round(peak / 2**20, 1) if isinstance(peak, int) else peak

    ours_seconds, ours_cpu, analysis = _best(ours, repeat)
    favourites_seconds, favourites_cpu, _ = _best(ours_with_favourites, repeat)
    sql_seconds, sql_cpu, _ = _best(ours_sql, 1)
    lifetimes_seconds, lifetimes_cpu, expected = _best(theirs, repeat)

    summary = analysis.summary
    expected = expected.sort_index()
    ids = np.asarray(summary["customer_id"])
    same_customers = bool(np.array_equal(ids, expected.index.to_numpy()))
    checks = {}
    for ours_name, their_name in (
        ("frequency", "frequency"),
        ("recency", "recency"),
        ("age", "T"),
    ):
        checks[f"same_{their_name}"] = same_customers and bool(
            np.array_equal(np.asarray(summary[ours_name]), expected[their_name].to_numpy())
        )
    monetary_ours = np.asarray(summary["monetary_value"])
    monetary_theirs = expected["monetary_value"].to_numpy()
    monetary_difference = (
        float(np.max(np.abs(monetary_ours - monetary_theirs) / np.maximum(1.0, monetary_theirs)))
        if same_customers
        else float("inf")
    )
    checks["same_monetary_value"] = monetary_difference <= 1e-9
    cells = analysis.grid.cells
    figures: dict[str, Any] = {
        "customers": n_customers,
        "seed": seed,
        "orders": orders.num_rows,
        "identified_orders": len(frame),
        "lines": lines.num_rows,
        "summary_customers": summary.num_rows,
        "generate_seconds": round(generate_seconds, 3),
        "lifetimes_seconds": round(lifetimes_seconds, 3),
        "ours_seconds": round(ours_seconds, 3),
        "ours_with_favourites_seconds": round(favourites_seconds, 3),
        "ours_sql_engine_seconds": round(sql_seconds, 3),
        "speedup": round(lifetimes_seconds / ours_seconds, 1),
        "speedup_with_favourites": round(lifetimes_seconds / favourites_seconds, 1),
        "cpu_seconds": {
            "lifetimes": round(lifetimes_cpu, 3),
            "ours": round(ours_cpu, 3),
            "ours_with_favourites": round(favourites_cpu, 3),
            "ours_sql_engine": round(sql_cpu, 3),
        },
        "cpu_speedup": round(lifetimes_cpu / ours_cpu, 1),
        **checks,
        "max_monetary_relative_difference": monetary_difference,
        "grid_customers": int(pc.sum(cells["customers"]).as_py()),
        "grid_thresholds_days": list(analysis.grid.thresholds.as_tuple()),
        "median_cycle_days": analysis.grid.thresholds.median_cycle_days,
        "timing": f"best of {repeat} (wall and CPU each), one run of the SQL engine",
    }
    if memory:
        figures["peak_memory_mb"] = peaks
    figures["cores"] = os.cpu_count()
    figures["load_average"] = [round(load, 2) for load in os.getloadavg()]
    figures["machine"] = (
        f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    )
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the peak memory runs")
    arguments = parser.parse_args(argv)
    figures = rfm_vs_lifetimes(
        arguments.customers,
        arguments.lines,
        arguments.seed,
        repeat=arguments.repeat,
        memory=not arguments.no_memory,
    )
    json.dump(figures, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
