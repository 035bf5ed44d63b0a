"""The R×F grid in the browser: the owner opens the grid, clicks a cell and sees that cell's
customers (and only them); the store manager's grid counts their store; the grid fits a phone.

The figures are computed by the engine itself (``analytics_refresh``) from orders made at the
till (``orders.tests.factories``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from guanxi.analytics.models import CustomerMetrics
from guanxi.analytics.tests.scoping import shop_with_orders
from guanxi.core.permissions import Role
from guanxi.staff.tests.factories import StoreFactory, UserFactory

from .helpers import assert_no_horizontal_scroll, assert_no_page_problems, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def analysed_shop(staff_owner):
    """Two stores with a fan each, a newcomer and a lapsed customer in the first, analysed."""
    store_a = StoreFactory(name="上海南京路店", code="sh01")
    store_b = StoreFactory(name="杭州西湖店", code="hz01")
    UserFactory(username="zhang.wei", full_name="张伟", role=Role.STORE_MANAGER, stores=[store_a])
    return shop_with_orders(store_a, store_b)


def test_click_a_cell_and_see_its_customers(page: Page, analysed_shop, screenshot):
    shop = analysed_shop
    fan_cell = CustomerMetrics.objects.get(customer=shop.fan_a).cell
    newcomer_cell = CustomerMetrics.objects.get(customer=shop.newcomer_a).cell
    assert fan_cell != newcomer_cell
    sign_in(page, username="li.na")

    # the owner opens the grid from the menu
    page.locator('[data-nav="analytics"]').click()
    page.locator('[data-analytics-nav="grid"]').click()
    expect(page.get_by_role("heading", name="R×F grid")).to_be_visible()
    expect(page.locator("#rf-grid [data-cell]")).to_have_count(16)
    expect(page.locator(f'[data-cell="{fan_cell}"] [data-customers]')).to_have_text("2")
    expect(page.locator(f'[data-cell="{newcomer_cell}"] [data-customers]')).to_have_text("1")
    screenshot(page, "rf-grid.png")

    # clicks the fans' cell: its two customers are listed under the grid, the bigger spender first
    page.locator(f'[data-cell="{fan_cell}"] a.rf-cell-link').click()
    rows = page.locator("#cell-customers #analytics-customer-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(shop.fan_b.full_name)
    expect(rows.nth(1)).to_contain_text(shop.fan_a.full_name)
    expect(page.locator("#customers-count")).to_have_text("2 customers")

    # and another cell replaces them with its own customers
    page.locator(f'[data-cell="{newcomer_cell}"] a.rf-cell-link').click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text(shop.newcomer_a.full_name)
    assert_no_page_problems(page)


def test_store_manager_sees_their_store_and_the_grid_fits_a_phone(phone_page: Page, analysed_shop):
    shop = analysed_shop
    fan_cell = CustomerMetrics.objects.get(customer=shop.fan_a).cell
    sign_in(phone_page, username="zhang.wei")
    phone_page.goto("/analytics/grid/")
    expect(phone_page.locator(f'[data-cell="{fan_cell}"] [data-customers]')).to_have_text("1")
    assert_no_horizontal_scroll(phone_page)
    phone_page.locator(f'[data-cell="{fan_cell}"] a.rf-cell-link').click()
    rows = phone_page.locator("#cell-customers #analytics-customer-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text(shop.fan_a.full_name)
    assert_no_horizontal_scroll(phone_page)
    assert_no_page_problems(phone_page)
