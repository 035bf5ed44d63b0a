"""What the checking of a file hands to the writing: orders ready to save, one per order
reference, with their lines. Amounts are checked and final; ids are resolved."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ImportedLine:
    row: int  # the file's row the line came from
    kind: str  # LineKind.PRODUCT, or LineKind.OTHER when the row names no SKU
    description: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    amount: Decimal
    product_id: int | None = None
    category_id: int | None = None
    sku: str = ""
    unit_cost: Decimal | None = None
    staff_id: int | None = None


@dataclass(slots=True)
class ImportedOrder:
    reference: str
    store_id: int
    ordered_at: datetime.datetime
    customer_id: int | None
    membership_id: int | None
    card_id: int | None
    lines: list[ImportedLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def subtotal(self) -> Decimal:
        """Before discounts: the total plus every line's discount."""
        return self.total + sum((line.discount for line in self.lines), Decimal("0.00"))
