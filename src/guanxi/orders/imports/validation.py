"""Rows of an order file become orders, or issues with the row, the column and a translated
reason.

Three passes, as in the customer import: each row's cells on their own (``RowParser.parse``),
then the members the file names, looked up in bulk (``RowParser.resolve_members``), then the
rows of one order reference together (``assemble``): they must name one member, one time and one
store. A row with an issue makes its whole order invalid: an order is imported whole or not at
all.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from guanxi.core.money import money_round
from guanxi.core.permissions import can_see_store
from guanxi.customers.imports.reading import Cell
from guanxi.customers.imports.validation import CellError, RowIssue, clean_phone
from guanxi.orders.choices import LineKind
from guanxi.orders.imports import cells
from guanxi.orders.imports.mapping import CUSTOMER_FIELDS, ORDER_FIELDS
from guanxi.orders.imports.records import ImportedLine, ImportedOrder
from guanxi.orders.imports.resolving import (
    Catalogue,
    Holder,
    MemberDirectory,
    ProductInfo,
    card_key,
    staff_keys,
    store_keys,
    unique,
)

TOLERANCE = Decimal("0.01")  # quantity × unit price may differ from the amount by a cent


@dataclass(slots=True)
class ParsedRow:
    """One row after its cells were cleaned; ``issues`` empty means usable so far."""

    row: int
    reference: str = ""
    ordered_at: datetime.datetime | None = None
    amount: Decimal | None = None
    product: ProductInfo | None = None
    quantity: int | None = None
    unit_price: Decimal | None = None
    store_id: int | None = None
    staff_id: int | None = None
    member_keys: dict[str, str] = field(default_factory=dict)  # field -> cell text
    holder: Holder | None = None
    issues: list[RowIssue] = field(default_factory=list)
    bad: set[str] = field(default_factory=set)  # the fields with an issue


class RowParser:
    """Cleans the rows of one import: knows the stores the user may import into, the staff, the
    products and, after ``resolve_members``, the members."""

    def __init__(
        self,
        *,
        headers: Sequence[str],
        columns: Mapping[int, str],
        actor: Any,
        default_store_id: int | None,
        now: datetime.datetime,
    ) -> None:
        self.headers = list(headers)
        self.columns = dict(columns)
        self.fields = {f: i for i, f in self.columns.items()}
        self.actor = actor
        self.default_store_id = default_store_id
        self.now = now
        self.stores = store_keys() if "store" in self.fields else {}
        self.staff = staff_keys() if "staff" in self.fields else {}
        self.catalogue = Catalogue() if "sku" in self.fields else None
        self.members = MemberDirectory(actor=actor)
        self.other_line = _("Imported sale")

    def column_of(self, field_name: str) -> str:
        index = self.fields.get(field_name)
        if index is None:
            return str(ORDER_FIELDS.get(field_name, field_name))
        return self.headers[index] or str(ORDER_FIELDS[field_name])

    def _issue(self, parsed: ParsedRow, field_name: str, reason: str, value: Any = "") -> None:
        text = value if isinstance(value, str) else cells.cell_text(value)
        parsed.issues.append(RowIssue(parsed.row, self.column_of(field_name), reason, text[:100]))
        parsed.bad.add(field_name)

    # --- Cells ---------------------------------------------------------------------------------

    def _store(self, value: Cell) -> int:
        store_id = self.stores.get(cells.cell_text(value).lower())
        if store_id is None:
            raise CellError(_("No store has this code or name."))
        if self.actor is not None and not can_see_store(self.actor, store_id):
            raise CellError(_("You do not work in this store."))
        return store_id

    def _clean(self, parsed: ParsedRow, field_name: str, value: Cell) -> None:
        if field_name == "reference":
            parsed.reference = cells.clean_reference(value)
        elif field_name == "ordered_at":
            parsed.ordered_at = cells.clean_time(value, now=self.now)
        elif field_name == "amount":
            parsed.amount = cells.clean_amount(value)
        elif field_name == "unit_price":
            parsed.unit_price = cells.clean_amount(value)
        elif field_name == "quantity":
            parsed.quantity = cells.clean_quantity(value)
        elif field_name == "sku":
            assert self.catalogue is not None
            product = self.catalogue.find(cells.clean_sku(value))
            if product is None:
                raise CellError(_("No product has this SKU."))
            parsed.product = product
        elif field_name == "store":
            parsed.store_id = self._store(value)
        elif field_name == "staff":
            staff_id = self.staff.get(cells.normalised(cells.cell_text(value)).lower())
            if staff_id is None:
                raise CellError(_("No staff member has this username."))
            parsed.staff_id = staff_id
        elif field_name == "phone":
            parsed.member_keys[field_name] = clean_phone(value)
        elif field_name == "card_number":
            parsed.member_keys[field_name] = card_key(cells.normalised(cells.cell_text(value)))
        else:  # customer, external_id
            parsed.member_keys[field_name] = cells.normalised(cells.cell_text(value))

    def parse(self, number: int, row_cells: Sequence[Cell]) -> ParsedRow:
        parsed = ParsedRow(number)
        for index, field_name in self.columns.items():
            value = row_cells[index] if index < len(row_cells) else None
            if cells.is_blank(value):
                continue
            try:
                self._clean(parsed, field_name, value)
            except CellError as error:
                self._issue(parsed, field_name, error.reason, value)
        if not parsed.reference and "reference" not in parsed.bad:
            self._issue(parsed, "reference", _("The order reference is missing."))
        if parsed.amount is None and "amount" not in parsed.bad:
            self._issue(parsed, "amount", _("The amount is missing."))
        if parsed.store_id is None and "store" not in parsed.bad:
            parsed.store_id = self.default_store_id
        if (
            parsed.amount is not None
            and parsed.unit_price is not None
            and "quantity" not in parsed.bad
        ):
            expected = (parsed.quantity or 1) * parsed.unit_price
            if abs(expected - parsed.amount) > TOLERANCE:
                self._issue(
                    parsed,
                    "unit_price",
                    _("Quantity × unit price is %(expected)s, but the amount is %(amount)s.")
                    % {"expected": money_round(expected), "amount": parsed.amount},
                    cells.cell_text(row_cells[self.fields["unit_price"]]),
                )
        return parsed

    # --- Members -------------------------------------------------------------------------------

    def resolve_members(self, rows: Iterable[ParsedRow]) -> None:
        """Find the member each row names (one lookup per chunk of keys for the whole file)."""
        rows = [r for r in rows if r.member_keys]
        phones: set[str] = set()
        external_ids: set[str] = set()
        card_numbers: set[str] = set()
        for parsed in rows:
            keys = parsed.member_keys
            if "phone" in keys:
                phones.add(keys["phone"])
            if "external_id" in keys:
                external_ids.add(keys["external_id"])
            if "card_number" in keys:
                card_numbers.add(keys["card_number"])
            if "customer" in keys:
                text = keys["customer"]
                external_ids.add(text)
                card_numbers.add(card_key(text))
                phone = _phone_or_blank(text)
                if phone:
                    phones.add(phone)
        self.members.load(phones=phones, external_ids=external_ids, card_numbers=card_numbers)
        for parsed in rows:
            self._resolve(parsed)

    def _found(self, field_name: str, text: str) -> list[Holder]:
        members = self.members
        if field_name == "phone":
            return [h for h in (members.by_phone.get(text),) if h]
        if field_name == "external_id":
            return [h for h in (members.by_external_id.get(text),) if h]
        if field_name == "card_number":
            return [h for h in (members.by_card.get(text),) if h]
        phone = _phone_or_blank(text)
        found = [
            members.by_card.get(card_key(text)),
            members.by_external_id.get(text),
            members.by_phone.get(phone) if phone else None,
        ]
        return unique([h for h in found if h])

    def _resolve(self, parsed: ParsedRow) -> None:
        holder: Holder | None = None
        for field_name in CUSTOMER_FIELDS:
            text = parsed.member_keys.get(field_name)
            if text is None:
                continue
            found = self._found(field_name, text)
            if not found:
                self._issue(parsed, field_name, _not_found(field_name), text)
                continue
            if len(found) > 1:
                self._issue(
                    parsed,
                    field_name,
                    _(
                        "This matches more than one customer (as a phone number, an external "
                        "ID or a card number); use a separate column for each."
                    ),
                    text,
                )
                continue
            if holder is not None and not holder.same_as(found[0]):
                self._issue(
                    parsed,
                    field_name,
                    _("The customer columns of this row name different customers."),
                    text,
                )
                continue
            holder = found[0] if holder is None else holder.merged(found[0])
        if holder is None or parsed.bad & set(CUSTOMER_FIELDS):
            return
        field_name = next(f for f in CUSTOMER_FIELDS if f in parsed.member_keys)
        if not self.members.visible(holder):
            self._issue(
                parsed,
                field_name,
                _("This customer is registered in a store you do not work in."),
                parsed.member_keys[field_name],
            )
        elif holder.erased:
            self._issue(
                parsed,
                field_name,
                _("This customer's personal data has been erased."),
                parsed.member_keys[field_name],
            )
        else:
            parsed.holder = holder

    # --- Orders --------------------------------------------------------------------------------

    def customer_column(self) -> str:
        return next((f for f in CUSTOMER_FIELDS if f in self.fields), CUSTOMER_FIELDS[0])

    def _line(self, parsed: ParsedRow) -> ImportedLine:
        assert parsed.amount is not None
        quantity = parsed.quantity or 1
        unit_price = (
            parsed.unit_price
            if parsed.unit_price is not None
            else money_round(parsed.amount / quantity)
        )
        discount = max(quantity * unit_price - parsed.amount, Decimal("0.00"))
        product = parsed.product
        return ImportedLine(
            row=parsed.row,
            kind=LineKind.PRODUCT if product else LineKind.OTHER,
            description=product.description if product else self.other_line,
            quantity=quantity,
            unit_price=unit_price,
            discount=money_round(discount),
            amount=parsed.amount,
            product_id=product.pk if product else None,
            category_id=product.category_id if product else None,
            sku=product.sku if product else "",
            unit_cost=product.cost if product else None,
            staff_id=parsed.staff_id,
        )

    def _agree(self, rows: Sequence[ParsedRow], field_name: str, reason: Callable[[], str]) -> Any:
        """The value the order's rows give for a field; a row with another value gets an issue
        naming the first row."""
        first: ParsedRow | None = None
        for parsed in rows:
            value = _order_value(parsed, field_name)
            if value is None:
                continue
            if first is None:
                first = parsed
                continue
            known = _order_value(first, field_name)
            same = known.same_as(value) if isinstance(known, Holder) else known == value
            if not same:
                column = {"holder": self.customer_column(), "store_id": "store"}.get(
                    field_name, field_name
                )
                self._issue(parsed, column, reason() % {"row": first.row})
        if first is None:
            return None
        value = _order_value(first, field_name)
        if isinstance(value, Holder):
            for parsed in rows:
                if parsed.holder is not None and value.same_as(parsed.holder):
                    value = value.merged(parsed.holder)
        return value

    def assemble(self, rows: Sequence[ParsedRow]) -> ImportedOrder | None:
        """The order of one reference's rows (in file order), or ``None`` when a row has an
        issue (new issues are added to the rows)."""
        # The reasons are translated only when there is a conflict: most orders have none.
        holder = self._agree(
            rows, "holder", lambda: _("Another customer than row %(row)d of the same order.")
        )
        ordered_at = self._agree(
            rows,
            "ordered_at",
            lambda: _("Another time of sale than row %(row)d of the same order."),
        )
        store_id = self._agree(
            rows, "store_id", lambda: _("Another store than row %(row)d of the same order.")
        )
        first = rows[0]
        if holder is None and not any(r.bad & set(CUSTOMER_FIELDS) for r in rows):
            self._issue(first, self.customer_column(), _("The customer is missing."))
        if ordered_at is None and not any("ordered_at" in r.bad for r in rows):
            self._issue(first, "ordered_at", _("The time of sale is missing."))
        if store_id is None and not any("store" in r.bad for r in rows):
            self._issue(
                first, "store", _("No store: fill in the store column or choose a default store.")
            )
        if len(rows) > 1:
            for parsed in rows:
                if parsed.product is None and "sku" not in parsed.bad:
                    other = next(r for r in rows if r is not parsed)
                    self._issue(
                        parsed,
                        "sku",
                        _(
                            "The SKU is missing: the rows of an order with several rows each "
                            "name a product (row %(row)d has the same order reference)."
                        )
                        % {"row": other.row},
                    )
        if any(r.issues for r in rows):
            return None
        assert isinstance(holder, Holder)
        assert ordered_at is not None
        assert store_id is not None
        return ImportedOrder(
            reference=first.reference,
            store_id=store_id,
            ordered_at=ordered_at,
            customer_id=holder.customer_id,
            membership_id=holder.membership_id,
            card_id=holder.card_id,
            lines=[self._line(parsed) for parsed in rows],
        )


def _order_value(parsed: ParsedRow, field_name: str) -> Any:
    return getattr(parsed, "holder" if field_name == "holder" else field_name)


def _phone_or_blank(text: str) -> str:
    try:
        return clean_phone(text)
    except CellError:
        return ""


def _not_found(field_name: str) -> str:
    if field_name == "phone":
        return _("No customer has this phone number.")
    if field_name == "external_id":
        return _("No customer has this external ID.")
    if field_name == "card_number":
        return _("No member card has this number.")
    return _("No customer has this phone number, external ID or card number.")


def group_by_reference(rows: Iterable[ParsedRow]) -> dict[str, list[ParsedRow]]:
    """The rows of each order reference, in the order the references first appear."""
    groups: dict[str, list[ParsedRow]] = {}
    for parsed in rows:
        if parsed.reference:
            groups.setdefault(parsed.reference, []).append(parsed)
    return groups
