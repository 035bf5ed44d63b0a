"""Cleaning one cell of an order file: the order reference, the time of sale, amounts and
quantities. A cell that cannot be used raises ``CellError`` with a translated reason."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.customers.imports.reading import Cell
from guanxi.customers.imports.validation import CellError

REFERENCE_MAX_LENGTH = 64
SKU_MAX_LENGTH = 64
AMOUNT_LIMIT = Decimal("10000000000")  # ten billion: a cell beyond this is a typing slip
QUANTITY_LIMIT = 1_000_000
EARLIEST_YEAR = 1970
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)  # clocks of tills and servers differ a little
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31

_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号號]?"
_TIME = (
    r"(\d{1,2})\s*[:时時点點]\s*(\d{1,2})"
    r"(?:\s*[:分]\s*(\d{1,2})(?:\.(\d{1,6})\d*)?)?\s*[分秒]?"
)
_ZONE = r"(Z|[+-]\d{2}(?::?\d{2})?)"
DATETIME_PARTS = re.compile(rf"^{_DATE}(?:\s*T?\s*{_TIME})?\s*{_ZONE}?$", re.IGNORECASE)
COMPACT_DATETIME = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\s*T?\s*(\d{2})(\d{2})(\d{2})?)?$")
PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
CURRENCY_MARKS = re.compile(r"^(?:¥|RMB|CNY)|(?:元|圆|RMB|CNY)$", re.IGNORECASE)
WHOLE_NUMBER = re.compile(r"^\+?(\d+)(?:\.0*)?$")


def normalised(text: str) -> str:
    """Full-width digits and signs become ASCII (NFKC); surrounding blanks go."""
    return unicodedata.normalize("NFKC", text).strip(" \t\r\n\u3000")


def cell_text(value: Cell) -> str:
    """A cell as text: numbers without a spurious ".0", times in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip(" \t\r\n\u3000")


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(" \t\r\n\u3000"))


def clean_reference(value: Cell) -> str:
    reference = normalised(cell_text(value))
    if not reference:
        raise CellError(_("The order reference is missing."))
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise CellError(
            _("An order reference has at most %(limit)d characters.")
            % {"limit": REFERENCE_MAX_LENGTH}
        )
    return reference


def clean_sku(value: Cell) -> str:
    sku = normalised(cell_text(value))
    if len(sku) > SKU_MAX_LENGTH:
        raise CellError(_("No product has this SKU."))
    return sku


# --- Time of sale -----------------------------------------------------------------------------


def _not_a_time() -> CellError:
    return CellError(
        _(
            "This is not a time of sale; write it as 2024-01-05 14:30, 2024/1/5 14:30:00 or "
            "2024年1月5日 14:30."
        )
    )


def _zone(text: str | None) -> datetime.tzinfo | None:
    if not text:
        return None
    if text.upper() == "Z":
        return datetime.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise _not_a_time()
    return datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))


def _build(parts: list[str | None], zone: datetime.tzinfo | None) -> datetime.datetime:
    year, month, day = (int(p or 0) for p in parts[:3])
    hour, minute, second = (int(p or 0) for p in parts[3:6])
    fraction = parts[6] if len(parts) > 6 else None
    microsecond = int((fraction or "0").ljust(6, "0")[:6])
    try:
        datetime.date(year, month, day)
    except ValueError as exc:
        raise CellError(_("This date does not exist.")) from exc
    if hour > 23 or minute > 59 or second > 59:
        raise CellError(_("This time of day does not exist."))
    return datetime.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=zone)


def _parse_time(value: Cell) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and len(str(int(value))) in (8, 12, 14):
            return _parse_time(str(int(value)))
        if 1 <= value <= EXCEL_SERIAL_MAX:  # a date cell that lost its format: Excel's day count
            from openpyxl.utils.datetime import from_excel

            moment = from_excel(value)
            if isinstance(moment, datetime.datetime):
                return moment.replace(microsecond=0)
        raise _not_a_time()
    if isinstance(value, datetime.time):
        raise _not_a_time()
    text = normalised(str(value))
    match = DATETIME_PARTS.match(text)
    if match:
        groups = list(match.groups())
        return _build(groups[:7], _zone(groups[7]))
    match = COMPACT_DATETIME.match(text)
    if match:
        return _build(list(match.groups()), None)
    raise _not_a_time()


def clean_time(
    value: Cell, *, now: datetime.datetime, zone: datetime.tzinfo | None = None
) -> datetime.datetime:
    """An aware time of sale. A time without a zone is local (``TIME_ZONE``, Asia/Shanghai by
    default); a date alone is midnight."""
    moment = _parse_time(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, zone or timezone.get_default_timezone())
    if moment.year < EARLIEST_YEAR:
        raise CellError(
            _("This time is before %(year)d; check the year.") % {"year": EARLIEST_YEAR}
        )
    if moment > now + FUTURE_TOLERANCE:
        raise CellError(_("The time of sale is in the future."))
    return moment


# --- Numbers ----------------------------------------------------------------------------------


def clean_amount(value: Cell) -> Decimal:
    """A sum of money: at least 0, at most two decimal places. Accepts ``1,280.50``, ``¥99``,
    ``99元`` and full-width digits."""
    if isinstance(value, bool) or isinstance(value, datetime.date | datetime.time):
        raise CellError(_("This is not an amount."))
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = normalised(str(value)).replace("\u2212", "-").replace(" ", "")
        text = CURRENCY_MARKS.sub("", text).strip()
        if GROUPED_NUMBER.match(text):
            text = text.replace(",", "")
        elif not PLAIN_NUMBER.match(text):
            raise CellError(_("This is not an amount."))
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(_("This is not an amount.")) from exc
    if not amount.is_finite():
        raise CellError(_("This is not an amount."))
    if amount < 0:
        raise CellError(_("An amount cannot be negative."))
    if amount >= AMOUNT_LIMIT:
        raise CellError(_("This amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(_("An amount has at most two decimal places."))
    return amount.quantize(Decimal("0.01"))


def clean_quantity(value: Cell) -> int:
    """A whole number of at least 1."""
    if isinstance(value, bool):
        raise _not_a_quantity()
    if isinstance(value, float):
        if not value.is_integer():
            raise _not_a_quantity()
        quantity = int(value)
    elif isinstance(value, int):
        quantity = value
    else:
        match = WHOLE_NUMBER.match(normalised(str(value)))
        if not match:
            raise _not_a_quantity()
        quantity = int(match.group(1))
    if quantity < 1:
        raise _not_a_quantity()
    if quantity > QUANTITY_LIMIT:
        raise CellError(_("This quantity is too large."))
    return quantity


def _not_a_quantity() -> CellError:
    return CellError(_("The quantity must be a whole number of at least 1."))
