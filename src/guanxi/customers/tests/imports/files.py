"""Import files written for tests: CSV in a given encoding, XLSX through openpyxl, and bombs."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

HEADERS = ["姓名", "手机", "生日", "性别", "邮箱", "门店"]


def write_csv(
    path: Path,
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[str] = HEADERS,
    encoding: str = "utf-8",
) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path, rows: Iterable[Sequence[Any]], *, headers: Sequence[str] = HEADERS
) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def write_zip_bomb(path: Path, *, unpacked_mib: int = 64) -> Path:
    """A "workbook" whose one sheet unpacks from a few hundred KB to ``unpacked_mib`` MiB."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            block = b"0" * 2**20
            for _ in range(unpacked_mib):
                part.write(block)
    return path


BILLION_LAUGHS = """<?xml version="1.0" encoding="UTF-8"?>
<!--PADDING-->
<!DOCTYPE worksheet [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol4;</t></is></c></row></sheetData></worksheet>"""
SHEET = "xl/worksheets/sheet1.xml"


def write_xml_bomb(path: Path, source: Path, *, padding: int = 0) -> Path:
    """``source`` (a real workbook) whose sheet declares nested entities; ``padding`` characters
    of comment push the declarations further into the file."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as bomb:
        for info in original.infolist():
            if info.filename != SHEET:
                bomb.writestr(info, original.read(info))
        bomb.writestr(SHEET, BILLION_LAUGHS.replace("PADDING", " " * padding))
    return path
