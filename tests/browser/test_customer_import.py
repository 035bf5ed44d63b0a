"""A store manager imports a member list from a GBK spreadsheet on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from guanxi.customers.models import Customer

from .helpers import assert_no_horizontal_scroll, assert_no_page_problems, sign_in

pytestmark = pytest.mark.browser

MEMBERS_CSV = (
    "姓名,手机,生日,性别,门店\r\n"
    "周雨涵,13700137001,1991年3月8日,女,sh01\r\n"
    "吴浩然,1.38001E+10,1985/7/1,男,sh01\r\n"
).encode("gbk")


def test_check_then_import_on_a_phone(phone_page: Page, shop):
    # given a store manager on a phone, on the import page
    sign_in(phone_page, username="zhang.wei")
    phone_page.goto("/customers/")
    phone_page.get_by_role("link", name="Import").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Import customers")

    # when they upload a GBK CSV
    phone_page.locator("#id_file").set_input_files(
        {"name": "members.csv", "mimeType": "text/csv", "buffer": MEMBERS_CSV}
    )
    phone_page.get_by_role("button", name="Upload and map columns").click()

    # then the columns are mapped for them and the page fits the phone
    expect(phone_page.get_by_label("手机")).to_have_value("phone")
    expect(phone_page.get_by_label("门店")).to_have_value("home_store")
    assert_no_horizontal_scroll(phone_page)

    # when they check the file
    phone_page.get_by_role("button", name="Check only (dry run)").click()

    # then the rounded phone is reported with its row, and nothing is saved
    issues = phone_page.locator("#import-issues")
    expect(issues).to_contain_text("The spreadsheet rounded this number; digits were lost.")
    expect(issues.locator("tbody tr td").first).to_have_text("3")
    assert Customer.objects.filter(full_name="周雨涵").count() == 0

    # when they import skipping the invalid row
    phone_page.get_by_label("Import the valid rows and skip the invalid ones").check()
    phone_page.get_by_role("button", name="Import", exact=True).click()

    # then the valid member is in
    expect(phone_page.locator("#import-summary")).to_have_text(
        "Imported: 1 new, 0 updated, 0 unchanged, 1 invalid row skipped."
    )
    assert Customer.objects.get(full_name="周雨涵").home_store.code == "sh01"
    assert_no_horizontal_scroll(phone_page)
    assert_no_page_problems(phone_page)
