"""Run work on several threads, each with its own database connection, as in production.

PostgreSQL: every thread opens its own connection to the test database.

SQLite: the suite's test database lives in memory, shared between connections through SQLite's
shared cache, whose table locks fail at once instead of waiting. For the duration of a test the
database is copied into a file (``VACUUM INTO``), and the threads connect to that file with the
project's settings (WAL, ``BEGIN IMMEDIATE``, the busy timeout), like the server does. The main
thread's in-memory database is left as it was; results are read back through ``in_thread``.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connection, connections

T = TypeVar("T")


@contextmanager
def separate_connections() -> Iterator[None]:
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    directory = tempfile.mkdtemp(prefix="guanxi-threads-")
    path = os.path.join(directory, "db.sqlite3")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [path])
    original = connections.settings["default"]
    connections.settings["default"] = {**original, "NAME": path}
    try:
        yield
    finally:
        connections.settings["default"] = original
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        os.rmdir(directory)


def run_concurrently(
    work: Callable[[int], T], count: int, *, threads: int = 20
) -> list[T | BaseException]:
    """Call ``work(i)`` for i in range(count) on ``threads`` threads started together; return
    each call's result or the exception it raised, in call order."""
    results: list[Any] = [None] * count
    barrier = threading.Barrier(min(threads, count))

    def worker(indexes: Sequence[int]) -> None:
        try:
            barrier.wait()
            for index in indexes:
                try:
                    results[index] = work(index)
                except BaseException as error:  # noqa: BLE001 - reported to the test
                    results[index] = error
        finally:
            connections.close_all()

    pool = [
        threading.Thread(target=worker, args=(range(n, count, threads),))
        for n in range(min(threads, count))
    ]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results


def in_thread(work: Callable[[], T]) -> T:
    """Run ``work`` on a fresh thread (and connection); return its result or raise its error."""
    result = run_concurrently(lambda _index: work(), 1, threads=1)[0]
    if isinstance(result, BaseException):
        raise result
    return result
