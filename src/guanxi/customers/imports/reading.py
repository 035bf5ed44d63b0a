"""Reading an import file: CSV in any of the encodings Chinese spreadsheets are saved in, or XLSX.

Everything a file could do to the server is refused before the file is parsed: a file that is too
large, an XLSX whose parts would unpack to an absurd size (a zip bomb) and XML that declares
entities (an XML bomb; openpyxl parses through defusedxml as well).

The encoding of a CSV file is found by a fixed order of attempts, because statistical detection
confuses the Chinese encodings with each other: a byte-order mark first (UTF-8, UTF-16), then
strict UTF-8, then GB18030 (a superset of GBK and GB2312), and only then charset-normalizer.
Big5 cannot be told apart from GB18030 reliably, so it is chosen explicitly.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from guanxi.core.errors import ApplicationError

Cell = str | int | float | datetime.datetime | datetime.date | datetime.time | bool | None

# The encodings a user may choose, with the label shown.
ENCODINGS = ("utf-8", "gb18030", "big5", "utf-16")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
CSV_DELIMITERS = ",\t;|"
XML_SNIFF_BYTES = 4096


class ImportFileError(ApplicationError):
    """The file cannot be imported at all (too large, a bomb, not a spreadsheet …)."""


@dataclass(frozen=True)
class ImportLimits:
    """How much an import may read. Set in settings (GUANXI_IMPORT_*)."""

    max_bytes: int
    max_rows: int
    max_unpacked_bytes: int
    max_compression_ratio: int

    @classmethod
    def from_settings(cls) -> ImportLimits:
        max_bytes = int(getattr(settings, "GUANXI_IMPORT_MAX_BYTES", 50 * 2**20))
        return cls(
            max_bytes=max_bytes,
            max_rows=int(getattr(settings, "GUANXI_IMPORT_MAX_ROWS", 1_000_000)),
            max_unpacked_bytes=int(
                getattr(settings, "GUANXI_IMPORT_MAX_UNPACKED_BYTES", 20 * max_bytes)
            ),
            max_compression_ratio=int(
                getattr(settings, "GUANXI_IMPORT_MAX_COMPRESSION_RATIO", 200)
            ),
        )


@dataclass
class Table:
    """The rows of a file. ``rows`` yields (row number as the spreadsheet shows it, cells); the
    header is row 1 and blank rows are skipped, keeping the numbering."""

    kind: str  # "csv" or "xlsx"
    headers: list[str]
    rows: Iterator[tuple[int, list[Cell]]]
    encoding: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.0f}"


def _check_size(size: int, limits: ImportLimits) -> None:
    if size > limits.max_bytes:
        raise ImportFileError(
            _("The file is %(size)s MB; files of up to %(limit)s MB can be imported.")
            % {"size": _megabytes(size), "limit": _megabytes(limits.max_bytes)},
            code="too_large",
        )


def _too_many_rows(limits: ImportLimits) -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(limit)s rows; split it into smaller files.")
        % {"limit": f"{limits.max_rows:,}"},
        code="too_many_rows",
    )


def _empty_file() -> ImportFileError:
    return ImportFileError(_("The file is empty: it has no header row."), code="empty")


# --- Encodings ------------------------------------------------------------------------------


def detect_encoding(data: bytes) -> str:
    """The encoding of CSV bytes (see the module's docstring for the order of attempts)."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    head = data[:4096]
    if b"\x00" in head:
        # UTF-16 without a byte-order mark: ASCII characters have a zero byte beside them.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        return "utf-16-be" if even > odd else "utf-16-le"
    for name in ("utf-8", "gb18030"):
        try:
            data.decode(name)
        except UnicodeDecodeError:
            continue
        return name
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 2**20]).best()
    if best is None:
        raise ImportFileError(
            _("The encoding of the file could not be recognised; choose it in the import form."),
            code="encoding",
        )
    return str(best.encoding)


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    chosen = (encoding or "").strip().lower()
    if chosen in ("", "auto"):
        chosen = detect_encoding(data)
    elif chosen in ("utf-8", "utf8") and data.startswith(codecs.BOM_UTF8):
        chosen = "utf-8-sig"
    try:
        codecs.lookup(chosen)
    except LookupError as exc:
        raise ImportFileError(
            _("Unknown encoding %(encoding)s.") % {"encoding": encoding}, code="encoding"
        ) from exc
    try:
        text = data.decode(chosen)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _(
                "The file is not in the %(encoding)s encoding (unreadable bytes at position "
                "%(position)d); choose another encoding."
            )
            % {"encoding": chosen, "position": exc.start},
            code="encoding",
        ) from exc
    return text.lstrip("\ufeff"), chosen


# --- CSV --------------------------------------------------------------------------------------


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS)
    except csv.Error:
        return csv.excel


def _csv_rows(
    reader: Iterator[list[str]], limits: ImportLimits
) -> Iterator[tuple[int, list[Cell]]]:
    count = 0
    for row in reader:
        number = reader.line_num  # type: ignore[attr-defined]
        if not any(cell.strip() for cell in row):
            continue
        count += 1
        if count > limits.max_rows:
            raise _too_many_rows(limits)
        yield number, list(row)


def read_csv(data: bytes, *, encoding: str | None, limits: ImportLimits) -> Table:
    text, used = _decode(data, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text[:8192]))
    try:
        headers = next(reader)
    except StopIteration:
        raise _empty_file() from None
    if not any(h.strip() for h in headers):
        raise _empty_file()
    # Rows are numbered by record: a quoted cell with a line break does not shift the numbers.
    numbered = _numbered(reader)
    return Table(
        kind="csv",
        headers=[h.strip() for h in headers],
        rows=_csv_rows(numbered, limits),
        encoding=used,
        details={"estimated_rows": max(text.count("\n") - 1, 0)},
    )


class _numbered:
    """A csv reader whose ``line_num`` counts records (the spreadsheet's row), not lines."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.line_num = 1

    def __iter__(self) -> _numbered:
        return self

    def __next__(self) -> list[str]:
        row = next(self.reader)
        self.line_num += 1
        return row


# --- XLSX -------------------------------------------------------------------------------------


def check_xlsx_archive(archive: zipfile.ZipFile, limits: ImportLimits) -> None:
    """Refuse a zip bomb from the archive's directory alone, before anything is unpacked, and
    XML that declares entities from the first bytes of each part."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > limits.max_unpacked_bytes or (
            info.file_size > 2**20 and ratio > limits.max_compression_ratio
        ):
            raise ImportFileError(
                _(
                    "The workbook would unpack to an absurd size (it may be a zip bomb); it "
                    "was not opened."
                ),
                code="zip_bomb",
            )
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        with archive.open(info) as part:
            head = part.read(XML_SNIFF_BYTES)
        if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
            raise _xml_bomb()


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _xml_bomb() -> ImportFileError:
    return ImportFileError(
        _(
            "The workbook contains XML entity declarations (it may be an XML bomb); it was not opened."
        ),
        code="xml_bomb",
    )


def _xlsx_rows(
    sheet: Any, workbook: Any, handle: Any, limits: ImportLimits
) -> Iterator[tuple[int, list[Cell]]]:
    from defusedxml import DefusedXmlException

    count = 0
    try:
        for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            if not any(cell not in (None, "") for cell in row):
                continue
            count += 1
            if count > limits.max_rows:
                raise _too_many_rows(limits)
            yield number, list(row)
    except DefusedXmlException as exc:
        raise _xml_bomb() from exc
    finally:
        workbook.close()
        handle.close()


def read_xlsx(path: Path, *, limits: ImportLimits) -> Table:
    import openpyxl
    from defusedxml import DefusedXmlException

    if not openpyxl.DEFUSEDXML:
        raise ImportFileError(_("XLSX files cannot be read safely on this server."), code="xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            check_xlsx_archive(archive, limits)
        # A file object, not the path: openpyxl judges a path by its extension, and a file on
        # the command line may be named anything. The rows iterator closes it.
        handle = path.open("rb")
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(_("The file is not a readable XLSX workbook."), code="xlsx") from exc
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except DefusedXmlException as exc:
        handle.close()
        raise _xml_bomb() from exc
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        handle.close()
        if _caused_by(exc, DefusedXmlException):  # openpyxl wraps what went wrong
            raise _xml_bomb() from exc
        raise ImportFileError(_("The file is not a readable XLSX workbook."), code="xlsx") from exc
    sheet = workbook.worksheets[0]
    try:
        header_row = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
    except DefusedXmlException as exc:
        workbook.close()
        handle.close()
        raise _xml_bomb() from exc
    if not header_row or not any(h not in (None, "") for h in header_row):
        workbook.close()
        handle.close()
        raise _empty_file()
    headers = ["" if h is None else str(h).strip() for h in header_row]
    return Table(
        kind="xlsx",
        headers=headers,
        rows=_xlsx_rows(sheet, workbook, handle, limits),
        details={"sheet": sheet.title, "estimated_rows": max((sheet.max_row or 1) - 1, 0)},
    )


# --- Either -----------------------------------------------------------------------------------


def read_table(
    path: Path, *, encoding: str | None = None, limits: ImportLimits | None = None
) -> Table:
    """The header and rows of a CSV or XLSX file; raises ``ImportFileError`` with a message."""
    limits = limits or ImportLimits.from_settings()
    _check_size(path.stat().st_size, limits)
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(XLSX_MAGIC):
        return read_xlsx(path, limits=limits)
    if magic.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("Old Excel files (.xls) cannot be imported; save the file as .xlsx or CSV."),
            code="xls",
        )
    return read_csv(path.read_bytes(), encoding=encoding, limits=limits)


def read_preview(
    path: Path, *, encoding: str | None = None, rows: int = 3
) -> tuple[Table, list[list[Cell]]]:
    """The table and its first ``rows`` data rows, for the mapping step."""
    table = read_table(path, encoding=encoding)
    sample = []
    for _number, cells in table.rows:
        sample.append(cells)
        if len(sample) >= rows:
            break
    table.rows.close()  # type: ignore[attr-defined]
    return table, sample
