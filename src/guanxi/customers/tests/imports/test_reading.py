"""Reading import files: encodings, and the files refused before they are parsed."""

import time

import pytest
from django.test import override_settings

from guanxi.customers.imports.reading import ImportFileError, detect_encoding, read_table
from guanxi.customers.tests.imports.files import (
    write_csv,
    write_xlsx,
    write_xml_bomb,
    write_zip_bomb,
)

NAMES = [["王小明", "13800138000"], ["陈静怡", "13900139000"]]
TRADITIONAL = [["陳靜怡", "13800138000"], ["黃國強", "13900139000"], ["鍾麗華", "13700137000"]]


def rows_of(table):
    return [(number, cells) for number, cells in table.rows]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        pytest.param("utf-8", "utf-8", id="utf8_case"),
        pytest.param("utf-8-sig", "utf-8-sig", id="utf8_bom_case"),
        pytest.param("gbk", "gb18030", id="gbk_case"),
        pytest.param("gb18030", "gb18030", id="gb18030_case"),
        pytest.param("utf-16", "utf-16", id="utf16_bom_case"),
    ],
)
def test_csv_encoding_is_detected_and_names_survive(tmp_path, encoding, expected):
    # given a CSV saved in one of the encodings of Chinese spreadsheets
    path = write_csv(tmp_path / "members.csv", NAMES, headers=["姓名", "手机"], encoding=encoding)

    # when it is read without saying the encoding
    table = read_table(path)

    # then the encoding is found and every character is intact
    assert table.encoding == expected
    assert table.headers == ["姓名", "手机"]
    assert rows_of(table) == [(2, ["王小明", "13800138000"]), (3, ["陈静怡", "13900139000"])]


def test_utf16_without_bom_is_detected_by_its_zero_bytes():
    assert detect_encoding("姓名,phone\n".encode("utf-16-le")) == "utf-16-le"
    assert detect_encoding("姓名,phone\n".encode("utf-16-be")) == "utf-16-be"


def test_big5_chosen_explicitly_keeps_traditional_names(tmp_path):
    # given a Big5 CSV of traditional names
    path = write_csv(tmp_path / "big5.csv", TRADITIONAL, headers=["姓名", "手機"], encoding="big5")

    # when it is read as Big5
    table = read_table(path, encoding="big5")

    # then every character is intact
    assert table.headers == ["姓名", "手機"]
    assert [cells[0] for _n, cells in table.rows] == ["陳靜怡", "黃國強", "鍾麗華"]


def test_wrong_explicit_encoding_is_a_clear_error(tmp_path):
    path = write_csv(tmp_path / "gbk.csv", NAMES, headers=["姓名", "手机"], encoding="gbk")

    with pytest.raises(ImportFileError) as error:
        read_table(path, encoding="utf-8")

    assert error.value.code == "encoding"
    assert "utf-8" in error.value.message


def test_blank_rows_are_skipped_but_keep_the_numbering(tmp_path):
    path = write_csv(
        tmp_path / "gaps.csv", [["王小明", "1"], ["", ""], ["李四", "2"]], headers=["姓名", "手机"]
    )

    assert [number for number, _cells in read_table(path).rows] == [2, 4]


def test_xlsx_keeps_traditional_names_and_cell_types(tmp_path):
    path = write_xlsx(
        tmp_path / "members.xlsx", [[n, int(p)] for n, p in TRADITIONAL], headers=["姓名", "手機"]
    )

    table = read_table(path)

    assert table.kind == "xlsx"
    assert rows_of(table) == [
        (2, ["陳靜怡", 13800138000]),
        (3, ["黃國強", 13900139000]),
        (4, ["鍾麗華", 13700137000]),
    ]


@override_settings(GUANXI_IMPORT_MAX_BYTES=1000)
def test_too_large_file_is_refused_before_reading(tmp_path):
    path = write_csv(tmp_path / "big.csv", [["王小明", f"139{i:08d}"] for i in range(100)])

    with pytest.raises(ImportFileError) as error:
        read_table(path)

    assert error.value.code == "too_large"


@override_settings(GUANXI_IMPORT_MAX_ROWS=5)
@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv_case", "xlsx_case"])
def test_too_many_rows_are_refused(tmp_path, writer):
    path = writer(tmp_path / "rows", [["王小明", f"139{i:08d}"] for i in range(6)])

    with pytest.raises(ImportFileError) as error:
        rows_of(read_table(path))

    assert error.value.code == "too_many_rows"


def test_zip_bomb_is_refused_from_the_directory_alone(tmp_path):
    # given an "XLSX" whose sheet unpacks from a few hundred KB to 64 MiB
    path = write_zip_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 2**20

    # when it is read
    started = time.monotonic()
    with pytest.raises(ImportFileError) as error:
        read_table(path)

    # then it is refused at once, without unpacking
    assert error.value.code == "zip_bomb"
    assert time.monotonic() - started < 1.0


@override_settings(GUANXI_IMPORT_MAX_BYTES=2**20)
def test_workbook_unpacking_beyond_the_limit_is_refused(tmp_path):
    # given a limit of 1 MiB, so at most 20 MiB unpacked, and a workbook of 64 MiB unpacked
    path = write_zip_bomb(tmp_path / "bomb.xlsx")

    with pytest.raises(ImportFileError) as error:
        read_table(path)

    assert error.value.code == "zip_bomb"


@pytest.mark.parametrize(
    "padding",
    [
        pytest.param(0, id="sniffed_case"),
        pytest.param(10_000, id="parsed_by_defusedxml_case"),
    ],
)
def test_xml_bomb_is_refused(tmp_path, padding):
    # given a workbook whose shared strings declare nested entities, at the start of the part
    # (found by the sniff) or beyond it (found by defusedxml as openpyxl parses)
    source = write_xlsx(tmp_path / "ok.xlsx", [["王小明", "13800138000"]])
    path = write_xml_bomb(tmp_path / "bomb.xlsx", source, padding=padding)

    with pytest.raises(ImportFileError) as error:
        rows_of(read_table(path))

    assert error.value.code == "xml_bomb"


def test_old_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)

    with pytest.raises(ImportFileError) as error:
        read_table(path)

    assert error.value.code == "xls"


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    with pytest.raises(ImportFileError) as error:
        read_table(path)

    assert error.value.code == "empty"
