"""Benchmark of the customer import: a GB18030 CSV of ``GUANXI_BENCH_IMPORT_ROWS`` new customers
(100,000 by default) imported as ``guanxi import customers FILE`` does it, into the seeded
database. The import runs inside a transaction that is rolled back afterwards, so that the
database stays as seeded for the other benchmarks and for the next run.

The figure goes into the page table: *p50/p95/mean/max* are all the one wall time of the import
(one run; ``requests`` is 1) and *queries* is the number of SQL statements it issued.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import Bench, Timing

ROWS = int(os.environ.get("GUANXI_BENCH_IMPORT_ROWS", "100000"))
NAME = "Import customers from CSV (commit)"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲建国文斌宇浩凯婷雪琳晨欣怡佳子涵"


class _RolledBack(Exception):
    pass


def write_file(path: Path, rows: int, seed: int = 7) -> None:
    """A member list as a shop would export it: GB18030, Chinese headers, some mess."""
    from django.core.exceptions import ValidationError

    from guanxi.customers.phones import phone_normalise
    from guanxi.customers.seeding import MOBILE_PREFIXES

    def valid(prefix: str) -> bool:
        try:
            phone_normalise(f"{prefix}12345678")
        except ValidationError:
            return False
        return True

    prefixes = [p for p in MOBILE_PREFIXES if valid(p)]
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    lines = ["姓名,手机,生日,性别,邮箱,省,市,地址"]
    for i in range(rows):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else "")
        phone = f"{rng.choice(prefixes)}{i:08d}"
        if i % 9 == 0:
            phone += ".0"  # a spreadsheet's float
        birthday = f"{rng.randint(1950, 2005)}/{rng.randint(1, 12)}/{rng.randint(1, 28)}"
        lines.append(
            f"{name},{phone},{birthday},{rng.choice('男女')},m{i}@example.cn,浙江省,杭州市,"
            f"西湖区文三路{i % 500}号"
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def customer_import(bench: Bench) -> None:
    if bench.only is not None and NAME not in bench.only:
        return
    from django.db import connection, transaction

    from guanxi.customers.services.imports import ImportOptions, customer_import_run
    from guanxi.staff.models import Store

    store = Store.objects.order_by("pk").first()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "members.csv"
        write_file(path, ROWS)
        options = ImportOptions(
            file_name=path.name,
            default_store_id=store.pk if store else None,
            dry_run=False,
            skip_invalid=True,
        )
        queries = 0

        def count(execute, sql, params, many, context):  # noqa: ANN001, ANN202
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        try:
            with connection.execute_wrapper(count), transaction.atomic():
                report = customer_import_run(path=path, options=options, actor=None)
                seconds = time.perf_counter() - started
                raise _RolledBack
        except _RolledBack:
            pass
    ms = round(seconds * 1000, 1)
    bench.timings.append(
        Timing(
            name=NAME,
            user="command line",
            url=f"guanxi import customers members.csv ({ROWS:,} rows, {report.created:,} new, "
            f"{ROWS / seconds:,.0f} rows/s)",
            requests=1,
            p50_ms=ms,
            p95_ms=ms,
            mean_ms=ms,
            max_ms=ms,
            queries=queries,
        )
    )
    print(f"  {NAME}: {seconds:.1f} s for {ROWS:,} rows", file=sys.stderr)


BENCHMARKS = [customer_import]
