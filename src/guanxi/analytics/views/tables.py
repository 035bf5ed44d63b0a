"""The table behind every chart: columns with a kind, rows of raw values, shown formatted for
the active language and exported as CSV with the raw values (UTF-8 with a byte-order mark, so
that Excel reads Chinese; text cells a spreadsheet could run as a formula are neutralised)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from guanxi.core.exports import FORMULA_PREFIXES
from guanxi.core.money import format_money

BOM = "\ufeff"
DASH = "—"

# Column kinds: how a value is shown and aligned.
TEXT, INT, MONEY, SHARE, NUMBER, CHANGE, DATE, LINK, SIGNIFICANT = (
    "text",
    "int",
    "money",
    "share",
    "number",
    "change",
    "date",
    "link",
    "significant",  # a model parameter: ``digits`` significant digits, any magnitude
)
NUMERIC = frozenset({INT, MONEY, SHARE, NUMBER, CHANGE, SIGNIFICANT})


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a (lazy) translation
    kind: str = TEXT
    digits: int = 2  # for NUMBER


@dataclass
class Table:
    """One table: ``rows`` are mappings from column key to the raw value; a ``LINK`` column's
    value is ``(text, url)``."""

    key: str
    title: Any
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]] = field(default_factory=list)
    note: Any = ""

    def header(self) -> list[dict[str, Any]]:
        return [{"label": c.label, "numeric": c.kind in NUMERIC} for c in self.columns]

    def display_rows(self) -> list[list[dict[str, Any]]]:
        shown = []
        for row in self.rows:
            cells = []
            for column in self.columns:
                value = row.get(column.key)
                if column.kind == LINK and isinstance(value, tuple | list):
                    text, url = value
                    cells.append({"text": text, "url": url, "numeric": False})
                else:
                    cells.append(
                        {"text": display(value, column), "numeric": column.kind in NUMERIC}
                    )
            shown.append(cells)
        return shown

    def csv_lines(self) -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def flush() -> str:
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return text

        writer.writerow([str(c.label) for c in self.columns])
        yield BOM + flush()
        for row in self.rows:
            writer.writerow([raw(row.get(c.key), c) for c in self.columns])
            yield flush()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def display(value: Any, column: Column) -> str:
    """``value`` formatted for the active language."""
    if value is None or value == "":
        return DASH
    kind = column.kind
    if kind == MONEY:
        amount = _decimal(value)
        return DASH if amount is None else format_money(amount)
    if kind == INT:
        return formats.number_format(int(value), force_grouping=True)
    if kind == SHARE:
        return formats.number_format(float(value) * 100, 1) + "%"
    if kind == CHANGE:
        percent = float(value) * 100
        sign = "+" if percent > 0 else ""
        return sign + formats.number_format(percent, 1) + "%"
    if kind == NUMBER:
        return formats.number_format(float(value), column.digits, force_grouping=True)
    if kind == SIGNIFICANT:
        return format(float(value), f".{column.digits}g")
    if kind == DATE:
        day = value if isinstance(value, datetime.date) else _date(value)
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day else str(value)
    return str(value)


def raw(value: Any, column: Column) -> str:
    """``value`` as a CSV cell: numbers plain (a dot for decimals), text neutralised."""
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        value = value[0]
    if column.kind in NUMERIC:
        return str(value)
    if column.kind == DATE and isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def no_data_note() -> str:
    return _("No figures yet: refresh the analysis first.")
