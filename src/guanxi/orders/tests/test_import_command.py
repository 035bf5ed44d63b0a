"""``guanxi import orders FILE``: the options, the per-row report and the exit status."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.customers.tests.imports.files import write_csv
from guanxi.orders.imports import cli  # noqa: F401 - the capability and the importer
from guanxi.orders.models import Order

pytestmark = pytest.mark.django_db


def call(*args):
    """Run the command; (exit status, output lines)."""
    out = StringIO()
    try:
        call_command("import", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


@pytest.fixture
def member(store_a):
    return CustomerFactory(home_store=store_a, phone="+8613800138000")


def test_dry_run_prints_every_invalid_row_and_exits_non_zero(tmp_path, member):
    path = write_csv(
        tmp_path / "o.csv",
        [["A", "2026-02-30 10:00", "13800138000", "88"], ["B", "2026-03-01 10:00", "138", "-1"]],
        headers=["单号", "时间", "手机", "金额"],
        encoding="gbk",
    )

    status, output = call("orders", str(path), "--dry-run", "--store", "a01")

    assert status == 1
    assert output == [
        "o.csv: 2 rows",
        "invalid: Row 2, 时间: This date does not exist. [2026-02-30 10:00]",
        "invalid: Row 3, 手机: This is not a valid phone number. [138]",
        "invalid: Row 3, 金额: An amount cannot be negative. [-1]",
        "Check only, nothing saved. New orders: 0 (lines: 0); already imported: 0; invalid "
        "rows: 2.",
    ]
    assert Order.objects.count() == 0


def test_a_clean_file_with_a_mapping_and_an_encoding_exits_zero(tmp_path, store_a, member):
    path = write_csv(
        tmp_path / "o.csv",
        [["T-1", "2026/3/1 10:00", "13800138000", "1,280.00", "靜安"]],
        headers=["銷售單", "日期時間", "聯絡方式", "實收", "分店"],
        encoding="big5",
    )
    store_a.name = "靜安"
    store_a.save()
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "銷售單": "reference",
                "日期時間": "ordered_at",
                "聯絡方式": "customer",
                "實收": "amount",
                "分店": "store",
            }
        ),
        "utf-8",
    )

    status, output = call(
        "orders", str(path), "--mapping", str(mapping), "--encoding", "big5", "--award-points"
    )

    assert status == 0
    assert output == [
        "o.csv: 1 row",
        "Imported. New orders: 1 (lines: 1); already imported: 0; invalid rows skipped: 0. "
        "Points awarded: 0; memberships moved up a tier: 0.",
    ]
    order = Order.objects.get()
    assert (order.reference, order.total, order.store_id) == ("T-1", 1280, store_a.pk)


def test_unknown_file_store_and_mapping(tmp_path, store_a):
    with pytest.raises(CommandError, match="No such file"):
        call("orders", str(tmp_path / "missing.csv"))
    path = write_csv(tmp_path / "o.csv", [["A", "88"]], headers=["单号", "金额"])
    with pytest.raises(CommandError, match="No store zz."):
        call("orders", str(path), "--store", "zz")
    with pytest.raises(CommandError) as error:
        call("orders", str(path))
    assert str(error.value) == (
        "No column is mapped to Time of sale. No column names the customer: map a column to "
        "the customer, the phone, the external ID or the card number."
    )
