"""Reading orders, order lines and customers from the database into Arrow, in bulk.

Three ways, one result (:class:`Source`):

- **PostgreSQL**: ADBC (``adbc-driver-postgresql``, which streams ``COPY ... TO STDOUT`` in
  binary) on a connection of its own, opened from Django's ``DATABASES`` settings;
- **SQLite** on a file: ADBC (``adbc-driver-sqlite``) on the database file, in a child process
  (two copies of the SQLite library in one process corrupt databases: see ``sqlite_reader``);
- otherwise (SQLite in memory, as in the tests, or inside a transaction, whose uncommitted rows
  another connection cannot see): one query per table on Django's own connection, the rows
  turned into Arrow column by column (never a loop of ORM objects).

The SQL is the same for every way: plain ``SELECT``s of columns, with money read as integer
cents (``CAST(ROUND(amount * 100) AS BIGINT)``, exact on both databases) so that no driver's
decimal handling matters. What the databases return differently (SQLite's text timestamps and
dates, PostgreSQL's timestamps with a time zone) is normalised in Arrow afterwards: times become
``timestamp[us, UTC]``, money ``decimal(18, 2)``.

Net amounts: an order's purchase is ``total − returned_total``; a line's is its ``amount`` less
the returned share (``amount × returned / quantity``, rounded to the cent). Wholly returned
orders (status ``returned``) and wholly returned lines are left out: they are not purchases.
An order's margin is Σ (net line amount − net quantity × unit cost), known only when every line
with an amount has a cost (services have none, so their orders have no margin).
Orders of erased customers count as walk-ins (no customer).
"""

# The SQL is built from model metadata (table and column names); no user text reaches it.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connections

from guanxi.analytics.rfm import money

ReadMode = Literal["auto", "adbc", "cursor"]
TABLES = ("orders", "lines", "products", "customers", "memberships")
UTC_MICROS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Source:
    """What the engine reads: the purchases and the customers, in Arrow.

    ``orders``: order_id, customer_id (null: walk-in), store_id, ordered_at (UTC), net_amount,
    discount, margin (null: unknown), items. ``lines``: order_id, customer_id, store_id,
    ordered_at, product_id, category_id, brand_id, quantity (net), amount (net), unit_price.
    ``customers``: customer_id, store_id, created_at, gender, birth_year, city,
    preferred_channel, has_membership, tier_rank (erased customers are left out).
    ``mode`` is the way the data was read; ``orders_read`` and ``lines_read`` count the rows
    read before leaving out returns.
    """

    orders: pa.Table
    lines: pa.Table
    customers: pa.Table
    mode: str
    orders_read: int
    lines_read: int


def _tables() -> dict[str, str]:
    from django.apps import apps

    def table(label: str) -> str:
        return str(apps.get_model(label)._meta.db_table)

    return {
        "order": table("orders.Order"),
        "line": table("orders.OrderLine"),
        "product": table("catalog.Product"),
        "customer": table("customers.Customer"),
        "membership": table("loyalty.Membership"),
        "tier": table("loyalty.TierLevel"),
    }


def _cents(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def queries() -> dict[str, str]:
    """The SQL of each table read (the same on PostgreSQL and SQLite)."""
    t = _tables()
    return {
        "orders": (
            "SELECT o.id AS order_id, o.customer_id, o.store_id, o.ordered_at, "
            f"{_cents('o.total')} AS total_cents, {_cents('o.returned_total')} AS returned_cents, "
            f"{_cents('o.subtotal')} AS subtotal_cents "
            f"FROM {t['order']} o WHERE o.status <> 'returned'"
        ),
        "lines": (
            "SELECT l.order_id, l.product_id, l.category_id, l.quantity, l.quantity_returned, "
            f"{_cents('l.amount')} AS amount_cents, {_cents('l.unit_price')} AS price_cents, "
            f"{_cents('l.unit_cost')} AS cost_cents "
            f"FROM {t['line']} l WHERE l.quantity_returned < l.quantity"
        ),
        "products": f"SELECT p.id AS product_id, p.brand_id FROM {t['product']} p",
        "customers": (
            "SELECT c.id AS customer_id, c.home_store_id AS store_id, c.created_at, c.gender, "
            "c.birthday, c.city, c.preferred_channel, c.household_id, "
            "CASE WHEN c.erased_at IS NULL THEN 0 ELSE 1 END AS erased "
            f"FROM {t['customer']} c"
        ),
        "memberships": (
            "SELECT m.customer_id, m.household_id, t.rank AS tier_rank "
            f"FROM {t['membership']} m LEFT JOIN {t['tier']} t ON t.id = m.tier_id"
        ),
    }


# Types of the columns when rows come through a DB-API cursor (None: inferred by Arrow).
CURSOR_TYPES: dict[str, dict[str, pa.DataType | None]] = {
    "orders": {
        "order_id": pa.int64(),
        "customer_id": pa.int64(),
        "store_id": pa.int64(),
        "ordered_at": None,
        "total_cents": pa.int64(),
        "returned_cents": pa.int64(),
        "subtotal_cents": pa.int64(),
    },
    "lines": {
        "order_id": pa.int64(),
        "product_id": pa.int64(),
        "category_id": pa.int64(),
        "quantity": pa.int64(),
        "quantity_returned": pa.int64(),
        "amount_cents": pa.int64(),
        "price_cents": pa.int64(),
        "cost_cents": pa.int64(),
    },
    "products": {"product_id": pa.int64(), "brand_id": pa.int64()},
    "customers": {
        "customer_id": pa.int64(),
        "store_id": pa.int64(),
        "created_at": None,
        "gender": pa.string(),
        "birthday": None,
        "city": pa.string(),
        "preferred_channel": pa.string(),
        "household_id": pa.int64(),
        "erased": pa.int64(),
    },
    "memberships": {"customer_id": pa.int64(), "household_id": pa.int64(), "tier_rank": pa.int64()},
}


def read_mode(alias: str = "default") -> str:
    """``adbc`` when another connection sees the same data, else ``cursor``."""
    connection = connections[alias]
    if connection.in_atomic_block:
        return "cursor"
    if connection.vendor == "postgresql":
        return "adbc"
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():  # type: ignore[attr-defined]
        return "adbc"
    return "cursor"


def postgres_uri(settings_dict: dict[str, Any]) -> str:
    """A libpq URI for Django's settings of a PostgreSQL database."""
    quote = urllib.parse.quote
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = str(settings_dict.get("HOST") or "")
    port = str(settings_dict.get("PORT") or "")
    location = quote(host, safe="") if host.startswith("/") else host
    address = f"{location}:{port}" if port and not host.startswith("/") else location
    name = quote(str(settings_dict.get("NAME") or ""), safe="")
    uri = f"postgresql://{credentials}{address}/{name}"
    if host.startswith("/"):
        uri = f"postgresql://{credentials}/{name}?host={quote(host, safe='')}"
        if port:
            uri += f"&port={port}"
    return uri


Fetch = Callable[[str, str], pa.Table]


def _adbc_fetcher(alias: str) -> tuple[Fetch, Callable[[], None]]:
    """ADBC on PostgreSQL, on a connection of its own (another process's library is not
    involved: libpq talks to the server)."""
    import adbc_driver_postgresql.dbapi as driver

    adbc = driver.connect(postgres_uri(connections[alias].settings_dict))
    cursor = adbc.cursor()

    def fetch(name: str, sql: str) -> pa.Table:
        cursor.execute(sql)
        return cursor.fetch_arrow_table()

    def close() -> None:
        cursor.close()
        adbc.close()

    return fetch, close


def _cursor_fetcher(alias: str) -> tuple[Fetch, Callable[[], None]]:
    connection = connections[alias]

    def fetch(name: str, sql: str) -> pa.Table:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
        types = CURSOR_TYPES[name]
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        arrays = {}
        for column_name, values in zip(names, columns, strict=True):
            kind = types.get(column_name)
            if kind is None and not values:
                kind = pa.string()
            arrays[column_name] = pa.array(list(values), type=kind)
        return pa.table(arrays)

    return fetch, lambda: None


def _timestamps(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Times as ``timestamp[us, UTC]`` (naive values and text are UTC, as Django stores them)."""
    kind = values.type
    if pa.types.is_timestamp(kind):
        # A naive time is UTC: the cast to a zone only labels the values.
        return (
            values.cast(pa.timestamp("us")).cast(UTC_MICROS)
            if kind.tz is None
            else values.cast(UTC_MICROS)
        )
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
        text = values.cast(pa.string())
        try:  # Django's "2025-01-02 03:04:05[.ffffff]"
            return text.cast(pa.timestamp("us")).cast(UTC_MICROS)
        except pa.ArrowInvalid:
            # "2025-01-02T03:04:05+00:00" or "...Z": drop the UTC offset, then read.
            text = pc.replace_substring_regex(text, r"(\+00:?00|Z)$", "")
            text = pc.replace_substring(text, "T", " ")
            return text.cast(pa.timestamp("us")).cast(UTC_MICROS)
    raise TypeError(f"cannot read times of type {kind}")


def _years(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    kind = values.type
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return pc.year(values).cast(pa.int32())
    if pa.types.is_null(kind):
        return pa.nulls(len(values), pa.int32())
    text = values.cast(pa.string())
    return pc.utf8_slice_codeunits(text, 0, 4).cast(pa.int32())


def _numpy(values: pa.ChunkedArray | pa.Array, fill: int = 0) -> np.ndarray:
    if values.null_count:
        values = pc.fill_null(values, fill)
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.int64)


def _int(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    return values.cast(pa.int64())


def _text(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    return pc.if_else(pc.equal(values.cast(pa.string()), ""), None, values.cast(pa.string()))


def _positions(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each ``wanted`` in sorted ``ids`` and whether it is there."""
    if ids.size == 0:
        return np.zeros(wanted.size, np.int64), np.zeros(wanted.size, bool)
    index = np.searchsorted(ids, wanted).clip(0, ids.size - 1)
    return index, ids[index] == wanted


def _build(raw: dict[str, pa.Table], mode: str) -> Source:
    customers_raw = raw["customers"]
    customer_ids = _numpy(customers_raw["customer_id"])
    erased = _numpy(customers_raw["erased"]) != 0
    erased_ids = np.sort(customer_ids[erased])

    orders_raw = raw["orders"]
    order_ids = _numpy(orders_raw["order_id"])
    sort = np.argsort(order_ids, kind="stable")
    order_ids = order_ids[sort]
    orders_raw = orders_raw.take(pa.array(sort))
    customer = _numpy(orders_raw["customer_id"], -1)
    if erased_ids.size:
        _, is_erased = _positions(erased_ids, customer)
        customer = np.where(is_erased, -1, customer)
    net = _numpy(orders_raw["total_cents"]) - _numpy(orders_raw["returned_cents"])
    subtotal = _numpy(orders_raw["subtotal_cents"])
    total = _numpy(orders_raw["total_cents"])
    ordered_at = _timestamps(orders_raw["ordered_at"])

    # Lines: only those of the orders read (wholly returned orders are left out).
    lines_raw = raw["lines"]
    line_order = _numpy(lines_raw["order_id"])
    owner, known = _positions(order_ids, line_order)
    lines_raw = lines_raw.filter(pa.array(known))
    owner = owner[known]
    quantity = _numpy(lines_raw["quantity"])
    returned = _numpy(lines_raw["quantity_returned"])
    net_quantity = quantity - returned
    amount = _numpy(lines_raw["amount_cents"])
    # The returned share of the amount, rounded half up to the cent.
    net_amount = amount - (2 * amount * returned + quantity) // (2 * np.maximum(quantity, 1))
    cost_valid = np.asarray(lines_raw["cost_cents"].is_valid().to_numpy(zero_copy_only=False))
    cost = _numpy(lines_raw["cost_cents"])
    line_margin = net_amount - net_quantity * cost
    unknown = (~cost_valid) & (net_amount != 0)
    orders_count = order_ids.size
    margin = np.bincount(
        owner, weights=np.where(cost_valid, line_margin, 0), minlength=orders_count
    )
    unknown_margin = np.bincount(owner, weights=unknown, minlength=orders_count) > 0
    has_lines = np.bincount(owner, minlength=orders_count) > 0
    items = np.bincount(owner, weights=net_quantity, minlength=orders_count).astype(np.int64)

    products = raw["products"]
    product_ids = _numpy(products["product_id"])
    product_sort = np.argsort(product_ids)
    product_ids = product_ids[product_sort]
    brands = _numpy(products["brand_id"], -1)[product_sort]
    line_product = _numpy(lines_raw["product_id"], -1)
    at, found = _positions(product_ids, line_product)
    line_brand = np.where(found, brands[at] if brands.size else -1, -1)

    customer_valid = customer >= 0
    orders = pa.table(
        {
            "order_id": pa.array(order_ids, pa.int64()),
            "customer_id": pa.array(customer, pa.int64(), mask=~customer_valid),
            "store_id": _int(orders_raw["store_id"]),
            "ordered_at": ordered_at,
            "net_amount": money(pa.array(net, pa.int64())),
            "discount": money(pa.array(np.maximum(subtotal - total, 0), pa.int64())),
            "margin": money(
                pa.array(margin.astype(np.int64), pa.int64(), mask=unknown_margin | ~has_lines)
            ),
            "items": pa.array(items, pa.int64()),
        }
    )
    line_customer = customer[owner]
    lines = pa.table(
        {
            "order_id": pa.array(order_ids[owner], pa.int64()),
            "customer_id": pa.array(line_customer, pa.int64(), mask=line_customer < 0),
            "store_id": orders["store_id"].take(pa.array(owner)),
            "ordered_at": orders["ordered_at"].take(pa.array(owner)),
            "product_id": _int(lines_raw["product_id"]),
            "category_id": _int(lines_raw["category_id"]),
            "brand_id": pa.array(line_brand, pa.int64(), mask=line_brand < 0),
            "quantity": pa.array(net_quantity, pa.int64()),
            "amount": money(pa.array(net_amount, pa.int64())),
            "unit_price": money(_int(lines_raw["price_cents"])),
        }
    )

    keep = pa.array(~erased)
    kept = customers_raw.filter(keep)
    memberships = raw["memberships"]
    member_customers = np.unique(_numpy(memberships["customer_id"], -1))
    member_households = np.unique(_numpy(memberships["household_id"], -1))
    ids = _numpy(kept["customer_id"])
    households = _numpy(kept["household_id"], -1)
    _, own = _positions(member_customers, ids)
    _, shared = _positions(member_households, households)
    has_membership = own | (shared & (households >= 0))
    tier = _tier_ranks(memberships, ids, households)
    customers = pa.table(
        {
            "customer_id": pa.array(ids, pa.int64()),
            "store_id": _int(kept["store_id"]),
            "created_at": _timestamps(kept["created_at"]),
            "gender": _text(kept["gender"]),
            "birth_year": _years(kept["birthday"]),
            "city": _text(kept["city"]),
            "preferred_channel": _text(kept["preferred_channel"]),
            "has_membership": pa.array(has_membership, pa.bool_()),
            "tier_rank": tier,
        }
    )
    return Source(
        orders=orders,
        lines=lines,
        customers=customers,
        mode=mode,
        orders_read=orders_raw.num_rows,
        lines_read=lines_raw.num_rows,
    )


def _tier_ranks(memberships: pa.Table, ids: np.ndarray, households: np.ndarray) -> pa.Array:
    """Each customer's tier rank: of their own membership, else of their household's."""
    rank = np.full(ids.size, -1, np.int64)
    ranks = _numpy(memberships["tier_rank"], -1)
    for column, keys in (("household_id", households), ("customer_id", ids)):
        owners = _numpy(memberships[column], -1)
        valid = owners >= 0
        order = np.argsort(owners[valid])
        sorted_owners, sorted_ranks = owners[valid][order], ranks[valid][order]
        at, found = _positions(sorted_owners, keys)
        found &= keys >= 0
        if sorted_ranks.size:
            rank = np.where(found, sorted_ranks[at], rank)
    return pa.array(rank, pa.int64(), mask=rank < 0)


def read_source(
    *,
    alias: str = "default",
    mode: ReadMode = "auto",
    sqlite_file: str | None = None,
) -> Source:
    """Read everything the engine needs (see the module docstring). ``sqlite_file`` reads a
    copy of a SQLite database with ADBC instead (the tests compare the two ways with it)."""
    chosen = "adbc" if sqlite_file else (read_mode(alias) if mode == "auto" else mode)
    sql = {name: queries()[name] for name in TABLES}
    connection = connections[alias]
    if chosen == "adbc" and (sqlite_file or connection.vendor == "sqlite"):
        from guanxi.analytics.engine.sqlite_reader import read_sqlite_file

        raw = read_sqlite_file(sqlite_file or str(connection.settings_dict["NAME"]), sql)
        return _build(raw, chosen)
    fetch, close = (_adbc_fetcher if chosen == "adbc" else _cursor_fetcher)(alias)
    try:
        raw = {name: fetch(name, sql[name]) for name in TABLES}
    finally:
        close()
    return _build(raw, chosen)


def local_today(tz: str) -> datetime.date:
    import zoneinfo

    return datetime.datetime.now(tz=zoneinfo.ZoneInfo(tz)).date()
