"""The sign-in form: labelled fields, and a wrong password answered in the visitor's language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import assert_no_page_problems

pytestmark = pytest.mark.browser


def submit_wrong_password(page: Page, *, username_label: str, password_label: str) -> None:
    page.get_by_label(username_label).fill("li.na")
    page.get_by_label(password_label).fill("not the password")
    page.locator("form button[type=submit]").first.click()


def test_login_form_has_labelled_fields(page: Page, transactional_db):
    # given the sign-in page
    page.goto("/login/")

    # then each field has a visible label tied to it, and the password is masked
    expect(page.locator("label[for=id_username]")).to_have_text(re.compile(r"^Username\s*\*$"))
    expect(page.locator("label[for=id_password]")).to_have_text(re.compile(r"^Password\s*\*$"))
    expect(page.get_by_label("Username")).to_have_attribute("autocomplete", "username")
    expect(page.get_by_label("Password")).to_have_attribute("type", "password")
    assert_no_page_problems(page)


def test_wrong_password_shows_the_error_in_the_form(page: Page, staff_owner):
    # given the sign-in page in English
    page.goto("/login/")

    # when a wrong password is submitted
    submit_wrong_password(page, username_label="Username", password_label="Password")

    # then the error shows inside the form, the username is kept and nobody is signed in
    expect(page.locator("form .alert-danger")).to_have_text(
        "Please enter a correct username and password. Note that both fields may be case-sensitive."
    )
    expect(page.get_by_label("Username")).to_have_value("li.na")
    expect(page.locator("#user-menu")).to_have_count(0)
    staff_owner.refresh_from_db()
    assert staff_owner.last_login is None
    assert_no_page_problems(page)


def test_wrong_password_error_is_translated(page: Page, staff_owner):
    # given the sign-in page switched to Traditional Chinese with its language links
    page.goto("/login/")
    page.locator("button[data-language='zh-hant']").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(page.locator("label[for=id_username]")).to_have_text(re.compile(r"^使用者名稱\s*\*$"))
    expect(page.locator("label[for=id_password]")).to_have_text(re.compile(r"^密碼\s*\*$"))

    # when a wrong password is submitted
    submit_wrong_password(page, username_label="使用者名稱", password_label="密碼")

    # then the error next to the form is in Traditional Chinese, and nobody is signed in
    expect(page.locator("form .alert-danger")).to_have_text(
        "輸入正確的 使用者名稱 和密碼。請注意兩者皆區分大小寫。"
    )
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    staff_owner.refresh_from_db()
    assert staff_owner.last_login is None
    assert_no_page_problems(page)
