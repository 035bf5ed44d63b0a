"""Reading a SQLite file with ADBC in a child process.

ADBC's SQLite driver links its own copy of the SQLite library. Two copies of SQLite in one
process corrupt a database (https://www.sqlite.org/howtocorrupt.html §2.2): POSIX locks are per
process, so when ADBC's copy closes the file it drops the locks that Django's connections (of
any thread) hold, and, taking itself for the last connection, checkpoints and deletes the WAL
file under them. So the engine never opens the file with ADBC in its own process: a child
process (a fresh interpreter running :data:`CHILD`: pyarrow and the driver only, no Django, no
inherited locks) reads the tables, read-only, and hands them back as Arrow IPC files.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa

#: The child: ``python -c CHILD DATABASE DIRECTORY`` with the queries as JSON on stdin.
CHILD = """
import json, sys
from pathlib import Path
import adbc_driver_sqlite.dbapi as sqlite_driver
import pyarrow as pa

database, directory = sys.argv[1], sys.argv[2]
queries = json.load(sys.stdin)
uri = Path(database).resolve().as_uri() + "?mode=ro"
with sqlite_driver.connect(uri) as connection, connection.cursor() as cursor:
    # Types are inferred from the first batch: make it big enough to see every kind.
    cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": "262144"})
    for name, sql in queries.items():
        cursor.execute(sql)
        table = cursor.fetch_arrow_table()
        with pa.OSFile(str(Path(directory) / (name + ".arrow")), "wb") as sink:
            with pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
"""


def read_sqlite_file(database: str, queries: dict[str, str]) -> dict[str, pa.Table]:
    """The result of each query on the SQLite file ``database``, read by ADBC in a child."""
    with tempfile.TemporaryDirectory(prefix="guanxi-analytics-") as directory:
        completed = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", CHILD, database, directory],
            input=json.dumps(queries),
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(
                f"reading {database} with ADBC failed: {completed.stderr.strip()[-500:]}"
            )
        tables = {}
        for name in queries:
            with pa.memory_map(str(Path(directory) / f"{name}.arrow")) as source:
                tables[name] = pa.ipc.open_file(source).read_all().combine_chunks()
    return tables


#: The child that loads an Arrow IPC file into a new table: ``python -c STAGE DATABASE FILE
#: TABLE``.
STAGE = """
import sys
import adbc_driver_sqlite.dbapi as sqlite_driver
import pyarrow as pa

database, path, table = sys.argv[1], sys.argv[2], sys.argv[3]
with pa.memory_map(path) as source:
    data = pa.ipc.open_file(source).read_all()
with sqlite_driver.connect(database) as connection:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 60000")
        cursor.execute("DROP TABLE IF EXISTS " + table)
        cursor.adbc_ingest(table, data, mode="create")
    connection.commit()
"""


def stage_sqlite_table(database: str, table: str, data: pa.Table) -> None:
    """Create ``table`` in the SQLite file ``database`` holding ``data`` (a staging table),
    written by ADBC in a child process (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="guanxi-analytics-") as directory:
        path = str(Path(directory) / "stage.arrow")
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, data.schema) as writer:
            writer.write_table(data)
        completed = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", STAGE, database, path, table],
            capture_output=True,
            text=True,
            check=False,
        )
    if completed.returncode != 0:
        raise RuntimeError(f"staging {table} failed: {completed.stderr.strip()[-500:]}")
