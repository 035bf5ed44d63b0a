"""Rows of an import file become cleaned customer values, or issues with a translated reason.

Each cell is cleaned on its own (``clean_*``), then the row as a whole (a name and a phone are
required, the home store must be one the importing user works in), then the file as a whole
(the same phone or external ID twice). Blank cells are left out of the values: an import fills
in and corrects data, it never blanks a field.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from guanxi.core.permissions import Role, can_see_store
from guanxi.customers import names
from guanxi.customers.choices import Gender
from guanxi.customers.imports.mapping import IMPORT_FIELDS
from guanxi.customers.imports.reading import Cell
from guanxi.customers.models import Customer
from guanxi.customers.phones import phone_normalise
from guanxi.staff.models import Store

# When Excel shortens a number to fit a cell it keeps at most this many significant digits
# ("1.38001E+10"); a number in scientific notation with no more digits than this lost the rest.
ROUNDED_DIGITS = 6
MAX_AGE_YEARS = 120
SCIENTIFIC = re.compile(r"^(\d+)(?:\.(\d*))?e\+?(\d+)$", re.IGNORECASE)
WHOLE_DECIMAL = re.compile(r"^(\+?\d+)\.0*$")
DATE_PARTS = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号號]?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
PLAIN_MOBILE = re.compile(r"1(?!79)[3-9]\d{9}")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31
GENDERS = {
    Gender.MALE: {"男", "男性", "先生", "m", "male", "man", "男士"},
    Gender.FEMALE: {"女", "女性", "女士", "f", "female", "woman", "小姐"},
    Gender.OTHER: {"其他", "other", "o"},
    Gender.UNKNOWN: {"未知", "保密", "unknown", "-", "不详", "不詳", "n/a"},
}
GENDER_WORDS = {word: value for value, words in GENDERS.items() for word in words}
YES = {"yes", "y", "true", "1", "是", "同意", "允许", "允許", "接受", "√", "✓", "✔", "ok"}
NO = {"no", "n", "false", "0", "否", "不同意", "拒绝", "拒絕", "不接受", "×", "✗", "x"}
TEXT_FIELDS = ("full_name", "province", "city", "district", "street", "occupation", "hobbies")
CONSENT_FIELDS = {"consent_sms": "sms", "consent_email": "email", "consent_wechat": "wechat"}


class CellError(Exception):
    """A cell's value cannot be used; ``reason`` is translated."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class RowIssue:
    """An invalid row (or a warning about one): where, and why."""

    row: int
    column: str
    reason: str
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason, "value": self.value}


@dataclass(slots=True)
class CleanRow:
    row: int
    values: dict[str, Any]
    consents: dict[str, bool] = field(default_factory=dict)
    name_key: str = ""


def _text(value: Cell) -> str:
    """A cell as text: numbers without a spurious ".0", dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


# --- Cells ------------------------------------------------------------------------------------


def _phone_digits(value: Cell) -> str:
    """The digits of a phone cell, undoing what a spreadsheet did to a long number."""
    if isinstance(value, bool):
        raise CellError(_("This is not a phone number."))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("This is not a phone number."))
        return str(int(value))
    text = _ascii(str(value)).replace(" ", "")
    match = SCIENTIFIC.match(text)
    if match:
        whole, fraction, exponent = match.group(1), match.group(2) or "", int(match.group(3))
        if len(fraction) > exponent:
            raise CellError(_("This is not a phone number."))
        digits = (whole + fraction).lstrip("0")
        significant = digits.rstrip("0")
        length = len(digits) + exponent - len(fraction)
        if len(significant) <= ROUNDED_DIGITS and length > len(significant):
            raise CellError(_("The spreadsheet rounded this number; digits were lost."))
        return digits + "0" * (exponent - len(fraction))
    match = WHOLE_DECIMAL.match(text)
    if match:
        return match.group(1)
    return text


@functools.cache
def _cn_mobile() -> re.Pattern[str] | None:
    """libphonenumber's own pattern of mainland mobile numbers, when numbers are read as CN."""
    if str(getattr(settings, "GUANXI_PHONE_REGION", "CN") or "CN").upper() != "CN":
        return None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    if metadata is None or metadata.mobile is None or not metadata.mobile.national_number_pattern:
        return None
    return re.compile(metadata.mobile.national_number_pattern)


def clean_phone(value: Cell) -> str:
    digits = _phone_digits(value)
    if not digits:
        raise CellError(_("The phone number is missing."))
    # Most cells are a plain mainland mobile number: match it against libphonenumber's pattern
    # directly, which is what parsing it would come to at a hundredth of the cost. Anything else
    # (prefixes, separators, landlines, 179xx carrier prefixes) goes through phone_normalise.
    mobile = _cn_mobile()
    if mobile is not None and PLAIN_MOBILE.fullmatch(digits) and mobile.fullmatch(digits):
        return f"+86{digits}"
    try:
        return phone_normalise(digits)
    except ValidationError as exc:
        raise CellError(_("This is not a valid phone number.")) from exc


def _date_of(value: Cell) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 10_000_000 <= value <= 99_991_231:
            return _date_of(str(int(value)))
        if 1 <= value <= EXCEL_SERIAL_MAX:
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date()
        raise CellError(_("This is not a date."))
    text = _ascii(str(value))
    match = DATE_PARTS.match(text) or COMPACT_DATE.match(text)
    if not match:
        raise CellError(_("This is not a date; write it as 2024-01-05, 2024/1/5 or 2024年1月5日."))
    year, month, day = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise CellError(_("This date does not exist.")) from exc


def clean_birthday(value: Cell, *, today: datetime.date) -> datetime.date:
    birthday = _date_of(value)
    if birthday > today:
        raise CellError(_("A birthday cannot be in the future."))
    try:
        oldest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if birthday < oldest:
        raise CellError(
            _("This birthday would make the customer older than %(years)d years.")
            % {"years": MAX_AGE_YEARS}
        )
    return birthday


def clean_gender(value: Cell) -> str:
    word = _ascii(_text(value)).lower()
    if word not in GENDER_WORDS:
        raise CellError(_("Unknown gender; write 男 or 女, M or F, male or female."))
    return str(GENDER_WORDS[word])


def clean_consent(value: Cell) -> bool:
    word = _ascii(_text(value)).lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellError(_("Write yes or no (是 or 否)."))


def clean_email(value: Cell) -> str:
    email = _ascii(_text(value))
    try:
        validate_email(email)
    except ValidationError as exc:
        raise CellError(_("This is not a valid email address.")) from exc
    return email


def clean_text(value: Cell, *, max_length: int) -> str:
    text = _text(value).strip(" \t\r\n\u3000")
    if len(text) > max_length:
        raise CellError(
            _("Longer than %(limit)d characters.") % {"limit": max_length},
        )
    return text


def _max_length(name: str) -> int:
    return int(getattr(Customer._meta.get_field(name), "max_length", 0) or 0)


# --- Rows -------------------------------------------------------------------------------------


@dataclass
class StaffMember:
    pk: int
    is_owner: bool
    store_ids: frozenset[int]


class RowValidator:
    """Cleans rows for one import: knows the stores the user may file customers under and the
    staff who can be made responsible for them."""

    def __init__(
        self,
        *,
        headers: Sequence[str],
        columns: Mapping[int, str],
        actor: Any,
        default_store: Store | None = None,
        today: datetime.date | None = None,
    ) -> None:
        self.headers = list(headers)
        self.columns = dict(columns)
        self.fields = {f: i for i, f in self.columns.items()}
        self.actor = actor
        self.default_store = default_store
        self.today = today or datetime.date.today()  # noqa: DTZ011 - the local calendar day
        self.stores: dict[str, int] = {}
        if "home_store" in self.fields:
            for store in Store.objects.all():
                if actor is None or can_see_store(actor, store.pk):
                    self.stores.setdefault(store.code.strip().lower(), store.pk)
                    self.stores.setdefault(store.name.strip().lower(), store.pk)
        self.staff: dict[str, StaffMember] = {}
        if "responsible_staff" in self.fields:
            memberships = get_user_model().stores.through.objects.values_list("user_id", "store_id")
            by_user: dict[int, set[int]] = {}
            for user_id, store_id in memberships:
                by_user.setdefault(user_id, set()).add(store_id)
            for user in get_user_model().objects.filter(is_active=True):
                self.staff[user.get_username().lower()] = StaffMember(
                    pk=user.pk,
                    is_owner=user.role == Role.OWNER,
                    store_ids=frozenset(by_user.get(user.pk, ())),
                )
        self.lengths = {name: _max_length(name) for name in TEXT_FIELDS}
        self.lengths["external_id"] = _max_length("external_id")

    def column_of(self, field_name: str) -> str:
        index = self.fields.get(field_name)
        if index is None:
            return str(IMPORT_FIELDS.get(field_name, field_name))
        return self.headers[index] or str(IMPORT_FIELDS[field_name])

    def _clean_cell(self, field_name: str, value: Cell) -> Any:
        if field_name == "phone":
            return clean_phone(value)
        if field_name == "birthday":
            return clean_birthday(value, today=self.today)
        if field_name == "gender":
            return clean_gender(value)
        if field_name == "email":
            return clean_email(value)
        if field_name in CONSENT_FIELDS:
            return clean_consent(value)
        if field_name == "home_store":
            store_id = self.stores.get(_text(value).lower())
            if store_id is None:
                raise CellError(_("Unknown store, or a store you do not work in."))
            return store_id
        if field_name == "responsible_staff":
            member = self.staff.get(_text(value).lower())
            if member is None:
                raise CellError(_("No active staff member has this username."))
            return member
        return clean_text(value, max_length=self.lengths[field_name])

    def validate(
        self, number: int, cells: Sequence[Cell]
    ) -> tuple[CleanRow | None, list[RowIssue]]:
        """The cleaned row, or the issues that make it invalid."""
        values: dict[str, Any] = {}
        consents: dict[str, bool] = {}
        issues: list[RowIssue] = []
        for index, field_name in self.columns.items():
            value = cells[index] if index < len(cells) else None
            if value is None or (isinstance(value, str) and not value.strip(" \t\r\n\u3000")):
                continue
            try:
                cleaned = self._clean_cell(field_name, value)
            except CellError as error:
                issues.append(
                    RowIssue(number, self.column_of(field_name), error.reason, _text(value)[:100])
                )
                continue
            if field_name in CONSENT_FIELDS:
                consents[CONSENT_FIELDS[field_name]] = cleaned
            elif cleaned != "":
                values[field_name] = cleaned
        if "full_name" not in values and not any(
            i.column == self.column_of("full_name") for i in issues
        ):
            issues.append(RowIssue(number, self.column_of("full_name"), _("The name is missing.")))
        if "phone" not in values and not any(i.column == self.column_of("phone") for i in issues):
            issues.append(
                RowIssue(number, self.column_of("phone"), _("The phone number is missing."))
            )
        store_id = values.pop("home_store", None)
        if store_id is None and self.default_store is not None:
            store_id = self.default_store.pk
        if store_id is None and not any(i.column == self.column_of("home_store") for i in issues):
            issues.append(
                RowIssue(
                    number,
                    self.column_of("home_store"),
                    _("No home store: fill in the store column or choose a default store."),
                )
            )
        member = values.pop("responsible_staff", None)
        if member is not None and store_id is not None:
            if not member.is_owner and store_id not in member.store_ids:
                issues.append(
                    RowIssue(
                        number,
                        self.column_of("responsible_staff"),
                        _("This staff member does not work in the customer's store."),
                        _text(cells[self.fields["responsible_staff"]]),
                    )
                )
            values["responsible_staff_id"] = member.pk
        if issues:
            return None, issues
        values["home_store_id"] = store_id
        row = CleanRow(number, values, consents)
        if "birthday" in values:
            row.name_key = names.name_key(values["full_name"])
        return row, []


class DuplicateFinder:
    """Spots the second row of a file with the same phone or external ID as an earlier row, and
    the same name and birthday (a warning only)."""

    def __init__(self, validator: RowValidator) -> None:
        self.validator = validator
        self.phones: dict[str, int] = {}
        self.external_ids: dict[str, int] = {}
        self.people: dict[tuple[str, datetime.date], int] = {}

    def check(self, row: CleanRow) -> tuple[list[RowIssue], list[RowIssue]]:
        """(issues, warnings) of a valid row; a row with issues is not remembered."""
        issues = []
        first = self.phones.get(row.values["phone"])
        if first is not None:
            issues.append(
                RowIssue(
                    row.row,
                    self.validator.column_of("phone"),
                    _("The same phone number as row %(row)d.") % {"row": first},
                    row.values["phone"],
                )
            )
        external_id = row.values.get("external_id")
        first = self.external_ids.get(external_id) if external_id else None
        if first is not None:
            issues.append(
                RowIssue(
                    row.row,
                    self.validator.column_of("external_id"),
                    _("The same external ID as row %(row)d.") % {"row": first},
                    external_id or "",
                )
            )
        self.phones.setdefault(row.values["phone"], row.row)
        if external_id:
            self.external_ids.setdefault(external_id, row.row)
        warnings = []
        if not issues and row.name_key:
            person = (row.name_key, row.values["birthday"])
            first = self.people.setdefault(person, row.row)
            if first != row.row:
                warnings.append(
                    RowIssue(
                        row.row,
                        self.validator.column_of("full_name"),
                        _("Same name and birthday as row %(row)d: possibly the same person.")
                        % {"row": first},
                        row.values["full_name"],
                    )
                )
        return issues, warnings
