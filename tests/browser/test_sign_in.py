"""Signing in and out in a real browser, with the pages' CSS and JavaScript loaded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import assert_no_page_problems, sign_in

pytestmark = pytest.mark.browser


def test_owner_signs_in_sees_the_dashboard_and_signs_out(page: Page, shop, screenshot):
    # given the sign-in page
    page.goto("/login/")
    expect(page).to_have_title("Sign in · Guanxi")
    screenshot(page, "login.png")

    # when the owner signs in
    sign_in(page, username="li.na")

    # then the dashboard greets them by name, with the navigation bar of a signed-in user
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, 李娜")
    expect(page.locator("#user-menu")).to_have_text("李娜")
    expect(page.locator("#members-total")).to_have_text("48")
    expect(page.locator("#members-chart canvas")).to_have_count(1)  # ECharts drew the chart
    screenshot(page, "dashboard.png")

    # when they sign out from the user menu
    page.locator("#user-menu").click()
    page.locator("#logout-button").click()

    # then they are back on the sign-in page, and the dashboard asks them to sign in again
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    assert_no_page_problems(page)


def test_assets_load(page: Page, staff_owner):
    # given a signed-in owner on the dashboard
    sign_in(page, username="li.na")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, 李娜")

    # then Bootstrap's CSS styles the page and its JavaScript and htmx are running
    navbar_background = page.locator("nav.navbar").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert navbar_background == "rgb(33, 37, 41)"  # Bootstrap's .bg-dark
    assert page.evaluate("typeof window.bootstrap.Collapse") == "function"
    assert page.evaluate("typeof window.htmx.ajax") == "function"
    assert page.evaluate("getComputedStyle(document.querySelector('.bi'), '::before').fontFamily")
    assert page.evaluate("document.fonts.check('16px bootstrap-icons')") is True
    assert_no_page_problems(page)
