"""A hand-made data set shared by the tests of ``rfm``, ``value`` and ``kpi`` (no tests here).

As of 2024-06-30 in Shanghai (UTC+8). Every figure the tests expect is worked out by hand in the
comments below.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pyarrow as pa

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = datetime.date(2024, 6, 30)
MONEY_INPUT = pa.decimal128(14, 2)


def local(text: str, zone: ZoneInfo = SHANGHAI) -> datetime.datetime:
    """A wall-clock time in ``zone`` as a naive UTC datetime (Arrow reads naive values as UTC
    for a timestamp type with a time zone, without loading its own time-zone database)."""
    moment = datetime.datetime.fromisoformat(text).replace(tzinfo=zone)
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# order_id, customer_id, store_id, local time, net_amount, margin, discount, items
ORDERS = [
    # customer 1: two orders on 2024-01-10 (one purchase day), one on 2024-03-10 at 07:30
    # local (still 03-09 in UTC), one on 2024-06-20 without a known margin.
    (1, 1, 1, "2024-01-10 10:00", "100.00", "40.00", "0.00", 2),
    (2, 1, 1, "2024-01-10 18:00", "50.00", "20.00", "10.00", 1),
    (3, 1, 2, "2024-03-10 07:30", "200.00", "80.00", "0.00", 3),
    (4, 1, 1, "2024-06-20 09:00", "150.00", None, "50.00", 2),
    # customer 2: buys on as_of at 20:00 local (12:00 UTC); the order at 00:30 local on
    # 2024-07-01 is still 2024-06-30 in UTC but after as_of locally: left out of the summary.
    (5, 2, 2, "2024-06-30 20:00", "80.00", "10.00", "20.00", 4),
    (6, 2, 2, "2024-07-01 00:30", "30.00", "5.00", "0.00", 1),
    # customer 3: monthly from 2023-07-01 to 2023-11-01, then nothing.
    (7, 3, 1, "2023-07-01 12:00", "300.00", "150.00", "0.00", 1),
    (8, 3, 1, "2023-08-01 12:00", "300.00", "150.00", "0.00", 1),
    (9, 3, 1, "2023-09-01 12:00", "300.00", "150.00", "0.00", 1),
    (10, 3, 1, "2023-10-01 12:00", "300.00", "150.00", "0.00", 1),
    (11, 3, 1, "2023-11-01 12:00", "300.00", "150.00", "0.00", 1),
    # customer 4: only after as_of
    (12, 4, 1, "2024-07-01 11:00", "70.00", "30.00", "0.00", 1),
    # customer 5: two purchases, margins unknown
    (13, 5, 2, "2024-05-01 15:00", "40.00", None, "0.00", 1),
    (14, 5, 2, "2024-06-01 15:00", "60.00", None, "0.00", 2),
    # a walk-in
    (15, None, 1, "2024-06-30 16:00", "25.00", "5.00", "0.00", 1),
]

# order_id, category_id, brand_id, amount
LINES = [
    (1, 10, 100, "60.00"),
    (1, 20, 200, "40.00"),
    (2, 20, 100, "50.00"),
    (3, 10, 200, "200.00"),
    (4, 30, 300, "150.00"),
    (5, 20, 100, "80.00"),
    (6, 30, 300, "30.00"),
    *[(order, 30, 300, "150.00") for order in range(7, 12)],
    *[(order, 40, 400, "150.00") for order in range(7, 12)],
    (12, 10, 100, "70.00"),
    (13, None, 500, "40.00"),
    (14, None, 500, "60.00"),
    (15, 10, 100, "25.00"),
]

# customer_id, store_id, created_at (local), gender, birth_year, city, channel, member, tier
CUSTOMERS = [
    (1, 1, "2023-12-01 10:00", "F", 1990, "Shanghai", "wechat", True, 2),
    (2, 2, "2024-06-30 19:00", "M", 2000, "Beijing", "sms", False, None),
    (3, 1, "2023-06-15 10:00", "F", 1985, "Shanghai", "wechat", True, 3),
    (4, 1, "2024-06-01 10:00", "F", 1995, "Hangzhou", "wechat", False, None),
    (5, 2, "2024-04-20 10:00", "F", None, "Shanghai", "phone", False, 1),
    (6, 2, "2024-01-01 10:00", "M", 1970, "Beijing", "email", False, None),
    (7, 1, "2024-07-02 10:00", "F", 1999, "Shanghai", "wechat", False, None),
]


def orders_table(rows: list[tuple] = ORDERS) -> pa.Table:  # type: ignore[type-arg]
    return pa.table(
        {
            "order_id": pa.array([row[0] for row in rows], pa.int64()),
            "customer_id": pa.array([row[1] for row in rows], pa.int64()),
            "store_id": pa.array([row[2] for row in rows], pa.int64()),
            "ordered_at": pa.array([local(row[3]) for row in rows], pa.timestamp("us", "UTC")),
            "net_amount": pa.array([money(row[4]) for row in rows], MONEY_INPUT),
            "margin": pa.array([money(row[5]) for row in rows], MONEY_INPUT),
            "discount": pa.array([money(row[6]) for row in rows], MONEY_INPUT),
            "items": pa.array([row[7] for row in rows], pa.int32()),
        }
    )


def lines_table() -> pa.Table:
    return pa.table(
        {
            "order_id": pa.array([row[0] for row in LINES], pa.int64()),
            "product_id": pa.array(range(len(LINES)), pa.int64()),
            "category_id": pa.array([row[1] for row in LINES], pa.int64()),
            "brand_id": pa.array([row[2] for row in LINES], pa.int64()),
            "quantity": pa.array([1] * len(LINES), pa.int32()),
            "amount": pa.array([money(row[3]) for row in LINES], MONEY_INPUT),
            "unit_price": pa.array([money(row[3]) for row in LINES], MONEY_INPUT),
        }
    )


def customers_table() -> pa.Table:
    return pa.table(
        {
            "customer_id": pa.array([row[0] for row in CUSTOMERS], pa.int64()),
            "store_id": pa.array([row[1] for row in CUSTOMERS], pa.int64()),
            "created_at": pa.array([local(row[2]) for row in CUSTOMERS], pa.timestamp("us", "UTC")),
            "gender": pa.array([row[3] for row in CUSTOMERS], pa.string()),
            "birth_year": pa.array([row[4] for row in CUSTOMERS], pa.int32()),
            "city": pa.array([row[5] for row in CUSTOMERS], pa.string()),
            "preferred_channel": pa.array([row[6] for row in CUSTOMERS], pa.string()),
            "has_membership": pa.array([row[7] for row in CUSTOMERS], pa.bool_()),
            "tier_rank": pa.array([row[8] for row in CUSTOMERS], pa.int32()),
        }
    )
