"""On a 375-px-wide phone the pages fit the screen and the navigation folds into a menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .helpers import (
    assert_no_horizontal_scroll,
    assert_no_page_problems,
    sign_in,
)

pytestmark = pytest.mark.browser


def test_login_page_fits_a_phone(phone_page: Page, transactional_db):
    # given the sign-in page on a phone
    phone_page.goto("/login/")

    # then it does not scroll sideways and the form fills the width
    expect(phone_page.get_by_label("Username")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    assert_no_page_problems(phone_page)


def test_dashboard_fits_a_phone_and_the_menu_opens(phone_page: Page, shop, screenshot):
    # given an owner signed in on a phone
    sign_in(phone_page, username="li.na")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Welcome, 李娜")

    # then the dashboard does not scroll sideways and the navigation is folded away
    assert_no_horizontal_scroll(phone_page)
    toggler = phone_page.locator("button.navbar-toggler")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(phone_page.locator("#main-nav")).to_be_hidden()
    screenshot(phone_page, "phone-dashboard.png")

    # when they tap the menu button
    toggler.tap()

    # then the menu opens with the language and user menus, still without sideways scroll
    expect(phone_page.locator("#main-nav")).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(phone_page.locator("#language-menu")).to_be_visible()
    expect(phone_page.locator("#user-menu")).to_be_visible()
    expect(phone_page.locator("#main-nav")).not_to_have_class("collapsing")
    assert_no_horizontal_scroll(phone_page)
    assert_no_page_problems(phone_page)


def test_customer_list_fits_a_phone(phone_page: Page, shop):
    # given an owner signed in on a phone
    sign_in(phone_page, username="li.na")

    # when they open the customer list
    phone_page.goto("/customers/")

    # then the filters and the table fit the screen: the columns a phone cannot show are hidden
    expect(phone_page.locator("#customer-count")).to_have_text("48 customers")
    assert_no_horizontal_scroll(phone_page)
    visible_columns = phone_page.evaluate(
        "[...document.querySelectorAll('#customer-results thead th')]"
        ".filter((th) => th.offsetParent !== null).map((th) => th.innerText)"
    )
    assert visible_columns == ["Name", "Phone"]
    assert_no_page_problems(phone_page)
