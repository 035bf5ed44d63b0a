"""Association rules: ``guanxi.analytics.basket.basket_rules`` beside mlxtend on the same baskets.

``python -m benchmarks.analytics_rules [--lines N] [--seed S] [--min-support F] [--max-len K]``
prints the figures as JSON (defaults: 10,000,000 lines, seed 1, support 0.001, three items).
The baskets are generated with NumPy: 150 products whose popularity follows a Zipf-like law,
about 2.5 lines per basket, nine products that pull one or two partners into the basket (two
of them three-product routines), and now and then a product bought twice in a basket. mlxtend gets the one-hot boolean DataFrame it needs; building it is
reported as the peer's preparation and left out of the peer's time. Both sides then compute
the itemsets of up to three items and all their rules at the same support, and the results are
compared: the same itemsets with the same support, the same rules with support, confidence and
lift equal to 1e-9.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import os
import platform
import resource
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

PRODUCTS = 150
FIRST_PRODUCT_ID = 1001
LINES_PER_BASKET = 2.5
# (anchor rank, partner ranks, probability that the anchor pulls its partners in)
AFFINITIES = [
    (0, (7,), 0.25),
    (3, (12,), 0.30),
    (5, (40,), 0.35),
    (9, (25, 31), 0.30),  # a three-step routine: cleanser, toner, serum
    (14, (60,), 0.40),
    (20, (21,), 0.30),
    (33, (90, 91), 0.45),
    (50, (51,), 0.50),
    (70, (120,), 0.50),
]


def baskets(n_lines: int, seed: int = 1) -> pa.Table:
    """``n_lines`` lines ``(basket_id, item)`` of about ``n_lines / 2.5`` baskets."""
    rng = np.random.default_rng(seed)
    ids = FIRST_PRODUCT_ID + rng.permutation(PRODUCTS)  # ids[rank]: rank 0 is the best seller
    weights = 1.0 / np.arange(1, PRODUCTS + 1) ** 0.8
    weights /= weights.sum()
    n_baskets = int(n_lines / LINES_PER_BASKET * 1.2) + 10
    sizes = 1 + rng.poisson(1.4, n_baskets)
    basket = np.repeat(np.arange(n_baskets, dtype=np.int64), sizes)
    rank = rng.choice(PRODUCTS, size=basket.size, p=weights)
    extra_baskets = [basket]
    extra_ranks = [rank]
    for anchor, partners, probability in AFFINITIES:
        pulled = basket[(rank == anchor) & (rng.random(basket.size) < probability)]
        for partner in partners:
            extra_baskets.append(pulled)
            extra_ranks.append(np.full(pulled.size, partner))
    basket = np.concatenate(extra_baskets)
    rank = np.concatenate(extra_ranks)
    order = np.argsort(basket, kind="stable")[:n_lines]
    return pa.table({"basket_id": pa.array(basket[order] + 1), "item": pa.array(ids[rank[order]])})


def one_hot(lines: pa.Table) -> Any:
    """The boolean basket × item DataFrame mlxtend's ``fpgrowth`` takes."""
    import pandas as pd

    basket_ids, basket = np.unique(lines["basket_id"].to_numpy(), return_inverse=True)
    items, item = np.unique(lines["item"].to_numpy(), return_inverse=True)
    matrix = np.zeros((basket_ids.size, items.size), dtype=bool)
    matrix[basket, item] = True
    return pd.DataFrame(matrix, columns=[int(i) for i in items], copy=False)


def mlxtend_rules(
    frame: Any, *, min_support: float, max_len: int, min_confidence: float = 0.0
) -> tuple[Any, Any]:
    """mlxtend's ``fpgrowth`` + ``association_rules`` (``num_itemsets`` since 0.23.2)."""
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    itemsets = fpgrowth(frame, min_support=min_support, use_colnames=True, max_len=max_len)
    if len(itemsets) == 0:
        return itemsets, None
    options: dict[str, Any] = {"metric": "confidence", "min_threshold": min_confidence}
    if "num_itemsets" in inspect.signature(association_rules).parameters:
        options["num_itemsets"] = len(frame)
    return itemsets, association_rules(itemsets, **options)


def differences(ours: Any, itemsets: Any, rules: Any, tolerance: float = 1e-9) -> list[str]:
    """How ``basket_rules``' result differs from mlxtend's, in words; empty when identical."""
    found: list[str] = []
    mine = {frozenset(row["itemset"]): row["support"] for row in ours.itemsets.to_pylist()}
    theirs = {
        frozenset(int(i) for i in itemset): float(support)
        for itemset, support in zip(itemsets["itemsets"], itemsets["support"], strict=True)
    }
    if mine.keys() != theirs.keys():
        found.append(
            f"itemsets: {len(mine.keys() - theirs.keys())} only ours, "
            f"{len(theirs.keys() - mine.keys())} only mlxtend's"
        )
    unequal = [key for key in mine.keys() & theirs.keys() if mine[key] != theirs[key]]
    if unequal:
        found.append(f"support differs for {len(unequal)} itemsets, e.g. {sorted(unequal[0])}")
    figures = ("support", "confidence", "lift")
    mine_rules = {
        (frozenset(row["antecedent"]), frozenset(row["consequent"])): row
        for row in ours.rules.to_pylist()
    }
    theirs_rules: dict[tuple[frozenset[int], frozenset[int]], dict[str, float]] = {}
    if rules is not None:
        columns = [rules["antecedents"], rules["consequents"], *(rules[f] for f in figures)]
        for antecedent, consequent, *values in zip(*columns, strict=True):
            key = (frozenset(int(i) for i in antecedent), frozenset(int(i) for i in consequent))
            theirs_rules[key] = dict(zip(figures, map(float, values), strict=True))
    if mine_rules.keys() != theirs_rules.keys():
        found.append(
            f"rules: {len(mine_rules.keys() - theirs_rules.keys())} only ours, "
            f"{len(theirs_rules.keys() - mine_rules.keys())} only mlxtend's"
        )
    for figure in figures:
        worst = max(
            (
                abs(mine_rules[key][figure] - theirs_rules[key][figure])
                for key in mine_rules.keys() & theirs_rules.keys()
            ),
            default=0.0,
        )
        if worst > tolerance:
            found.append(f"rule {figure} differs by up to {worst:g}")
    return found


@dataclass
class PeakMemory:
    """The process's resident memory, sampled every few milliseconds in a thread."""

    interval: float = 0.005
    baseline: int = 0
    peak: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.rss())

    @contextmanager
    def watch(self) -> Iterator[PeakMemory]:
        gc.collect()
        self.baseline = self.peak = self.rss()
        thread = threading.Thread(target=self._sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self.peak = max(self.peak, self.rss())

    @property
    def added_mib(self) -> float:
        return round((self.peak - self.baseline) / 2**20, 1)


@dataclass
class Timing:
    seconds: float  # wall clock
    cpu_seconds: float  # all the process's threads
    added_mib: float  # resident memory added at the peak


def timed(function: Callable[[], Any]) -> tuple[Any, Timing]:
    """``function()``'s result and what it took."""
    memory = PeakMemory()
    with memory.watch():
        started, cpu = time.perf_counter(), time.process_time()
        result = function()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return result, Timing(round(seconds, 3), round(cpu, 3), memory.added_mib)


def rules_vs_mlxtend(
    n_lines: int = 10_000_000,
    seed: int = 1,
    min_support: float = 0.001,
    max_len: int = 3,
) -> dict[str, Any]:
    """Time ``basket_rules`` and mlxtend on the same generated baskets; check they agree."""
    import mlxtend

    from guanxi.analytics.basket import basket_rules

    lines, generate = timed(lambda: baskets(n_lines, seed))
    ours, guanxi = timed(lambda: basket_rules(lines, min_support=min_support, max_len=max_len))
    frame, prepare = timed(lambda: one_hot(lines))
    (itemsets, rules), peer = timed(
        lambda: mlxtend_rules(frame, min_support=min_support, max_len=max_len)
    )

    found = differences(ours, itemsets, rules)
    sizes = np.bincount(ours.itemsets["size"].to_numpy(), minlength=max_len + 1)[1:]
    return {
        "lines": lines.num_rows,
        "baskets": ours.baskets,
        "items": int(np.unique(lines["item"].to_numpy()).size),
        "seed": seed,
        "min_support": min_support,
        "min_count": ours.min_count,
        "max_len": max_len,
        "itemsets": ours.itemsets.num_rows,
        "itemsets_by_size": [int(n) for n in sizes],
        "rules": ours.rules.num_rows,
        "identical": not found,
        "differences": found,
        "generate_seconds": generate.seconds,
        "guanxi_seconds": guanxi.seconds,
        "guanxi_cpu_seconds": guanxi.cpu_seconds,
        "guanxi_peak_added_mib": guanxi.added_mib,
        "mlxtend_prepare_one_hot_seconds": prepare.seconds,
        "mlxtend_prepare_one_hot_added_mib": prepare.added_mib,
        "mlxtend_seconds": peer.seconds,
        "mlxtend_cpu_seconds": peer.cpu_seconds,
        "mlxtend_peak_added_mib": peer.added_mib,
        "speedup": round(peer.seconds / guanxi.seconds, 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peer": f"mlxtend {mlxtend.__version__} fpgrowth + association_rules",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-support", type=float, default=0.001)
    parser.add_argument("--max-len", type=int, default=3)
    args = parser.parse_args()
    figures = rules_vs_mlxtend(args.lines, args.seed, args.min_support, args.max_len)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
