"""The benchmark functions, in the order they run. Add a module here to add its benchmarks."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.measure import Bench

MODULES = (
    "benchmarks.web",
    "benchmarks.customers",
    "benchmarks.customers_list",
    "benchmarks.customers_import",
    "benchmarks.orders",
)


def benchmarks() -> list[Callable[[Bench], None]]:
    """Every module's ``BENCHMARKS``, module by module."""
    functions: list[Callable[[Bench], None]] = []
    for name in MODULES:
        functions.extend(importlib.import_module(name).BENCHMARKS)
    return functions
