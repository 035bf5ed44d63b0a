"""Order files written for the import tests, with the rows that must be reported.

``order_file`` builds a file of ``orders`` orders (one to four lines each, some without a SKU) for
the given members, products, stores and staff, and spoils one row in each of ``bad`` orders in
one of the ways the import must catch; it returns the rows and what the report must say about
each spoiled row. Deterministic for a seed.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

HEADERS = ["订单号", "时间", "客户", "商品编码", "数量", "单价", "金额", "门店", "员工"]
REF, TIME, CUSTOMER, SKU, QUANTITY, PRICE, AMOUNT, STORE, STAFF = range(9)
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y%m%d%H%M%S")


@dataclass(frozen=True)
class Member:
    key: str  # what the file writes in the customer column
    customer_id: int
    membership_id: int | None = None


@dataclass
class OrderFile:
    rows: list[list[str]] = field(default_factory=list)
    # row number -> (column header, reason) of every spoiled row
    bad: dict[int, tuple[str, str]] = field(default_factory=dict)
    # reference -> (member key, total, number of lines) of the orders that must be imported
    good: dict[str, tuple[Member, Decimal, int]] = field(default_factory=dict)
    bad_references: set[str] = field(default_factory=set)


SPOILS = (
    "unknown_customer",
    "unknown_sku",
    "unknown_store",
    "unknown_staff",
    "impossible_date",
    "not_a_time",
    "negative_amount",
    "not_an_amount",
    "price_mismatch",
    "other_customer",
    "other_time",
    "other_store",
)


def order_file(
    *,
    members: Sequence[Member],
    skus: Sequence[tuple[str, Decimal]],
    stores: Sequence[str],  # each names another store (by its code or its name)
    staff: Sequence[str],
    orders: int,
    bad: int,
    start: datetime.datetime,
    seed: int = 4,
) -> OrderFile:
    rng = random.Random(seed)
    result = OrderFile()
    spoiled = set(rng.sample(range(orders), bad))
    kinds = iter(SPOILS[i % len(SPOILS)] for i in range(bad))
    for number in range(orders):
        reference = f"POS-{number + 1:05d}"
        member = rng.choice(members)
        moment = start + datetime.timedelta(minutes=37 * number)
        when = moment.strftime(rng.choice(TIME_FORMATS))
        store = rng.choice(stores)
        count = rng.choice((1, 2, 2, 3, 3, 4, 4)) if rng.random() > 0.1 else 0
        lines: list[list[str]] = []
        if count == 0:  # no SKU: the row's amount is the order's total
            amount = Decimal(rng.randrange(1000, 90000)) / 100
            lines.append([reference, when, member.key, "", "", "", str(amount), store, ""])
        for _line in range(count):
            sku, price = rng.choice(skus)
            quantity = rng.choice((1, 1, 2, 3))
            amount = price * quantity
            lines.append(
                [
                    reference,
                    when,
                    member.key,
                    sku,
                    str(quantity),
                    str(price) if rng.random() > 0.3 else "",
                    str(amount),
                    store,
                    rng.choice(staff) if rng.random() > 0.5 else "",
                ]
            )
        first_row = len(result.rows) + 2  # the header is row 1
        if number in spoiled:
            kind = next(kinds)
            if kind.startswith("other_") and len(lines) < 2:
                kind = "unknown_sku" if lines[0][SKU] else "not_an_amount"
            if kind.startswith("other_"):
                index = rng.randrange(1, len(lines))
            else:
                index = rng.randrange(len(lines))
            column, reason = _spoil(lines[index], kind, lines[0], members, stores, rng)
            result.bad[first_row + index] = (column, reason.format(first=first_row))
            result.bad_references.add(reference)
        else:
            total = sum((Decimal(line[AMOUNT]) for line in lines), Decimal("0.00"))
            result.good[reference] = (member, total, len(lines))
        result.rows += lines
    return result


def _spoil(
    line: list[str],
    kind: str,
    first: list[str],
    members: Sequence[Member],
    stores: Sequence[str],
    rng: random.Random,
) -> tuple[str, str]:
    if kind == "unknown_customer":
        line[CUSTOMER] = "13799999999"
        return "客户", "No customer has this phone number, external ID or card number."
    if kind == "unknown_sku" and line[SKU]:
        line[SKU] = "NO-SUCH-SKU"
        return "商品编码", "No product has this SKU."
    if kind == "unknown_store":
        line[STORE] = "徐汇店"
        return "门店", "No store has this code or name."
    if kind == "unknown_staff":
        line[STAFF] = "nobody"
        return "员工", "No staff member has this username."
    if kind == "impossible_date":
        line[TIME] = "2026-02-30 10:00"
        return "时间", "This date does not exist."
    if kind == "not_a_time":
        line[TIME] = "yesterday"
        return (
            "时间",
            "This is not a time of sale; write it as 2024-01-05 14:30, 2024/1/5 14:30:00 or "
            "2024年1月5日 14:30.",
        )
    if kind == "negative_amount":
        line[AMOUNT] = "-" + line[AMOUNT]
        return "金额", "An amount cannot be negative."
    if kind == "price_mismatch" and line[SKU]:
        quantity = Decimal(line[QUANTITY])
        price = Decimal(line[AMOUNT]) / quantity
        line[PRICE] = str(price + 1)
        return (
            "单价",
            f"Quantity × unit price is {(price + 1) * quantity:.2f}, but the amount is "
            f"{Decimal(line[AMOUNT]):.2f}.",
        )
    if kind == "other_customer":
        others = [m for m in members if m.key != first[CUSTOMER]]
        line[CUSTOMER] = rng.choice(others).key
        return "客户", "Another customer than row {first} of the same order."
    if kind == "other_time":
        line[TIME] = "2026-10-31 23:59"
        return "时间", "Another time of sale than row {first} of the same order."
    if kind == "other_store":
        line[STORE] = next(s for s in stores if s != first[STORE])
        return "门店", "Another store than row {first} of the same order."
    line[AMOUNT] = "abc"
    return "金额", "This is not an amount."
