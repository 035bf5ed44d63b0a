"""The interface language: chosen in the header, kept on the staff profile, used on every page."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from .helpers import assert_no_page_problems, sign_in

pytestmark = pytest.mark.browser


def translated(language: str, message: str) -> str:
    """``message`` as the catalogs render it in ``language``.

    Until the project catalogs are filled this is the English text for Guanxi's own strings, and
    the test still proves that the page is rendered in the chosen language; once they are, it
    proves that the translations reach the page.
    """
    with translation.override(language):
        return translation.gettext(message)


def choose_language(page: Page, language: str) -> None:
    page.locator("#language-menu").click()
    page.locator(f"button[data-language='{language}']").click()


def test_language_menu_switches_to_traditional_chinese_and_back(
    page: Page, staff_owner, shop, screenshot
):
    # given an owner on the dashboard in English
    sign_in(page, username="li.na")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#language-menu")).to_have_text("English")

    # when they choose 繁體中文 in the header's language menu
    choose_language(page, "zh-hant")

    # then the page is in Traditional Chinese, and so are its navigation and labels
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(page.locator("#language-menu")).to_have_text("繁體中文")
    expect(page).to_have_title(f"{translated('zh-hant', 'Dashboard')} · Guanxi")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translated("zh-hant", "Welcome, %(name)s") % {"name": "李娜"}
    )
    expect(page.locator("[data-nav=customers]")).to_have_text(translated("zh-hant", "Customers"))
    expect(page.locator("#members-panel-title")).to_have_text(translated("zh-hant", "Members"))
    screenshot(page, "dashboard-zh-hant.png")
    page.locator("#user-menu").click()
    expect(page.locator("#logout-button")).to_have_text(translated("zh-hant", "Sign out"))
    expect(page.get_by_role("link", name=translated("zh-hant", "My profile"))).to_be_visible()

    # and the choice is kept on the staff profile: it survives a reload and a new sign-in
    staff_owner.refresh_from_db()
    assert staff_owner.language == "zh-hant"
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    page.context.clear_cookies()
    sign_in(page, username="li.na")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")

    # when they switch back to English
    choose_language(page, "en")

    # then the page and the profile are in English again
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, 李娜")
    staff_owner.refresh_from_db()
    assert staff_owner.language == "en"
    assert_no_page_problems(page)
