"""``guanxi import customers FILE``: the per-row report and the exit status."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.customers.models import Customer
from guanxi.customers.tests.imports.files import write_csv, write_xlsx


def call(*args):
    """Run the command; (exit status, output)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("import", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_dry_run_prints_every_invalid_row_and_exits_non_zero(tmp_path, store_a):
    path = write_csv(
        tmp_path / "m.csv",
        [["王小明", "13800138000", "2023-02-30"], ["", "13900139000", ""]],
        headers=["姓名", "手机", "生日"],
        encoding="gbk",
    )

    status, output = call("customers", str(path), "--dry-run", "--store", "a01")

    assert status == 1
    assert output.splitlines() == [
        "m.csv: 2 rows",
        "invalid: Row 2, 生日: This date does not exist. [2023-02-30]",
        "invalid: Row 3, 姓名: The name is missing.",
        "Check only, nothing saved: 0 new, 0 to update, 0 unchanged, 2 invalid rows.",
    ]
    assert Customer.objects.count() == 0


def test_skip_invalid_imports_the_rest_and_still_exits_non_zero(tmp_path, store_a):
    path = write_csv(
        tmp_path / "m.csv",
        [["王小明", "13800138000"], ["李四", "1.38001E+10"]],
        headers=["姓名", "手机"],
    )

    status, output = call("customers", str(path), "--skip-invalid", "--store", "Store A")

    assert status == 1
    assert "Imported: 1 new, 0 updated, 0 unchanged, 1 invalid row skipped." in output
    assert list(Customer.objects.values_list("full_name", "home_store")) == [("王小明", store_a.pk)]


def test_clean_file_with_mapping_and_encoding_exits_zero(tmp_path, store_a):
    path = write_csv(
        tmp_path / "m.csv",
        [["陳靜怡", "13800138000", "a01"]],
        headers=["會員", "聯絡方式", "分店"],
        encoding="big5",
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"會員": "full_name", "聯絡方式": "phone", "分店": "home_store"}), "utf-8"
    )

    status, output = call("customers", str(path), "--mapping", str(mapping), "--encoding", "big5")

    assert status == 0
    assert (
        output.splitlines()[-1]
        == "Imported: 1 new, 0 updated, 0 unchanged, 0 invalid rows skipped."
    )
    assert Customer.objects.get().full_name == "陳靜怡"


def test_xlsx_named_anything_is_read(tmp_path, store_a):
    path = write_xlsx(tmp_path / "export", [["鍾麗華", 13700137000, "", "", "", "a01"]])

    status, _output = call("customers", str(path))

    assert status == 0
    assert Customer.objects.get().full_name == "鍾麗華"


def test_file_that_cannot_be_imported_is_a_command_error(tmp_path, db):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)

    with pytest.raises(CommandError, match="Old Excel files"):
        call_command("import", "customers", str(path))


def test_unknown_store_is_a_command_error(tmp_path, db):
    path = write_csv(tmp_path / "m.csv", [["王小明", "13800138000"]], headers=["姓名", "手机"])

    with pytest.raises(CommandError, match="No store zz."):
        call_command("import", "customers", str(path), "--store", "zz")
