"""The column mapping: suggestions from headers in English and Chinese, and its checks."""

import json

import pytest

from guanxi.customers.imports.mapping import (
    mapping_from_json,
    resolve_mapping,
    suggest_mapping,
)
from guanxi.customers.imports.reading import ImportFileError


def test_chinese_and_english_headers_are_suggested():
    headers = [
        "姓名",
        "手機號碼",
        "出生日期",
        "性別",
        "郵箱",
        "省",
        "市",
        "区",
        "地址",
        "Store",
        "备注",
    ]

    assert suggest_mapping(headers) == {
        "姓名": "full_name",
        "手機號碼": "phone",
        "出生日期": "birthday",
        "性別": "gender",
        "郵箱": "email",
        "省": "province",
        "市": "city",
        "区": "district",
        "地址": "street",
        "Store": "home_store",
        "备注": "",
    }


def test_a_field_is_suggested_for_one_column_only():
    assert suggest_mapping(["Mobile", "电话"]) == {"Mobile": "phone", "电话": ""}


def test_resolve_gives_column_indexes():
    assert resolve_mapping(
        ["x", "名字", "Phone No."], {"名字": "full_name", "phone no": "phone"}
    ) == {
        1: "full_name",
        2: "phone",
    }


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        pytest.param({"a": "full_name"}, "No column is mapped to Phone.", id="missing_case"),
        pytest.param(
            {"a": "full_name", "b": "phone", "c": "phone"},
            "The columns b and c are both mapped to Phone.",
            id="twice_case",
        ),
        pytest.param(
            {"a": "full_name", "b": "phone", "c": "password"},
            "Unknown customer field password for column c.",
            id="unknown_case",
        ),
    ],
)
def test_resolve_refuses_bad_mappings(mapping, message):
    with pytest.raises(ImportFileError) as error:
        resolve_mapping(["a", "b", "c"], mapping)

    assert error.value.message == message


def test_mapping_file_is_read(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps({"会员名": "full_name", "联系方式": "phone", "备注": None}), "utf-8")

    assert mapping_from_json(path) == {"会员名": "full_name", "联系方式": "phone", "备注": ""}


def test_mapping_file_must_be_an_object(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_text("[1, 2]", "utf-8")

    with pytest.raises(ImportFileError):
        mapping_from_json(path)
