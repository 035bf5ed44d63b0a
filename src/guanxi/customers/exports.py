"""The customer list as a file: CSV (UTF-8 with a byte-order mark, so that Excel reads Chinese
names) or XLSX (openpyxl in write-only mode, so a large export does not fill memory).

Every cell a spreadsheet could take for a formula (starting with = + - @, a tab or a carriage
return) is neutralised with a leading apostrophe (OWASP "CSV injection"), in XLSX too, where
the cell is also written as a string. The one exception is a phone number in XLSX: a validated
E.164 number (``+`` and digits only, which no spreadsheet runs as code) is written as a text cell
in the text number format ``@`` with Excel's quote-prefix flag, so it stays text when edited
and never turns into a number.

Skin and health columns are added only when the caller asks for them and may see them; the
values are filled only for customers whose sensitive-data consent holds.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from guanxi.core.exports import FORMULA_PREFIXES
from guanxi.customers.choices import Channel, SkinConcern
from guanxi.customers.models import Customer, SensitiveProfile

BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PHONE_COLUMN = 2
E164 = re.compile(r"\+[1-9]\d{6,14}")
TEXT_FORMAT = "@"


def neutralise(value: Any) -> str:
    """A cell as text, with a leading apostrophe when a spreadsheet would run it as a formula
    (OWASP "CSV injection")."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def customer_export_header(*, include_sensitive: bool = False) -> list[str]:
    header = [
        _("ID"),
        _("Full name"),
        _("Phone"),
        _("Gender"),
        _("Birthday"),
        _("Email"),
        _("Home store"),
        _("Responsible staff member"),
        _("Registered at"),
        _("Province"),
        _("City"),
        _("District"),
        _("Street address"),
        _("Occupation"),
        _("Income band"),
        _("Hobbies"),
        _("Preferred channel"),
        _("Source"),
        _("Tags"),
        _("Completeness"),
        *[_("Consent: %(channel)s") % {"channel": label} for _value, label in Channel.choices],
    ]
    if include_sensitive:
        header += [_("Skin type"), _("Skin concerns"), _("Health notes")]
    return header


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _sensitive_cells(customer: Customer) -> list[Any]:
    profile: SensitiveProfile | None = None
    if customer.consent_sensitive:
        try:
            profile = customer.sensitive_profile
        except SensitiveProfile.DoesNotExist:
            profile = None
    if profile is None:
        return ["", "", ""]
    concerns = dict(SkinConcern.choices)
    return [
        profile.get_skin_type_display() if profile.skin_type else "",
        ", ".join(str(concerns.get(c, c)) for c in profile.skin_concerns),
        profile.health_notes,
    ]


def customer_export_row(customer: Customer, *, include_sensitive: bool = False) -> list[Any]:
    staff = customer.responsible_staff
    row = [
        customer.pk,
        customer.full_name,
        customer.phone,
        customer.get_gender_display() if customer.gender else "",
        customer.birthday.isoformat() if customer.birthday else "",
        customer.email,
        customer.home_store.name,
        (staff.get_full_name() or staff.get_username()) if staff else "",
        timezone.localtime(customer.created_at).strftime("%Y-%m-%d %H:%M"),
        customer.province,
        customer.city,
        customer.district,
        customer.street,
        customer.occupation,
        customer.get_income_band_display() if customer.income_band else "",
        customer.hobbies,
        customer.get_preferred_channel_display() if customer.preferred_channel else "",
        customer.get_source_display(),
        ", ".join(tag.name for tag in customer.tags.all()),
        customer.completeness,
        *[_yes_no(customer.has_consent(channel)) for channel in Channel.values],
    ]
    if include_sensitive:
        row += _sensitive_cells(customer)
    return row


def customer_csv_lines(
    customers: Iterable[Customer], *, include_sensitive: bool = False
) -> Iterator[str]:
    """The export, line by line, so a large export streams instead of filling memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: list[Any]) -> str:
        writer.writerow([neutralise(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line(customer_export_header(include_sensitive=include_sensitive))
    for customer in customers:
        yield line(customer_export_row(customer, include_sensitive=include_sensitive))


def xlsx_cell(sheet: Any, value: Any, *, phone: bool = False) -> WriteOnlyCell:
    """One write-only cell: numbers stay numbers, text is neutralised and always a string."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    # Control characters are not allowed in XLSX; they go first, so that a formula they hid
    # is neutralised like any other.
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    if phone and E164.fullmatch(text):
        cell = WriteOnlyCell(sheet, value=text)
        cell.number_format = TEXT_FORMAT
        cell.quotePrefix = True
    else:
        cell = WriteOnlyCell(sheet, value=neutralise(text))
    # openpyxl takes any string starting with "=" for a formula; a neutralised cell never does,
    # and this makes sure that no text cell is written as one.
    cell.data_type = "s"
    return cell


def customer_xlsx_write(
    customers: Iterable[Customer],
    handle: IO[bytes],
    *,
    include_sensitive: bool = False,
    progress: Any = None,
) -> int:
    """Write the export as an XLSX workbook to ``handle``; returns the number of customers.

    ``progress(done)`` is called every 500 rows, for a background job's progress bar.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Customers")[:31])
    sheet.append(
        [xlsx_cell(sheet, h) for h in customer_export_header(include_sensitive=include_sensitive)]
    )
    done = 0
    for customer in customers:
        cells = customer_export_row(customer, include_sensitive=include_sensitive)
        sheet.append([xlsx_cell(sheet, v, phone=i == PHONE_COLUMN) for i, v in enumerate(cells)])
        done += 1
        if progress is not None and done % 500 == 0:
            progress(done)
    workbook.save(handle)
    return done
