"""A sales person's day with one customer: register them, find them again by the last digits of
their phone, open their page, fill in more, and watch the page follow."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from guanxi.core.permissions import Role
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.staff.tests.factories import StoreFactory, UserFactory

from .helpers import assert_no_horizontal_scroll, assert_no_page_problems, sign_in

pytestmark = pytest.mark.browser

PERCENT = re.compile(r"(\d+)%")


@pytest.fixture
def sales_person(transactional_db):
    """A sales person of one store, which already has a few members."""
    store = StoreFactory(name="上海南京路店", code="sh01")
    seller = UserFactory(username="wang.li", full_name="王丽", role=Role.SALES, stores=[store])
    for i in range(3):
        CustomerFactory(home_store=store, full_name=f"陈静{i}", phone=f"+8613700000{i:03d}")
    return seller


def completeness(page: Page) -> int:
    text = page.locator("#customer-completeness").inner_text()
    found = PERCENT.search(text)
    assert found, f"no percentage in {text!r}"
    return int(found.group(1))


def test_create_find_by_last_digits_edit_and_see_the_page_follow(page: Page, sales_person):
    # given a sales person signed in
    sign_in(page, username="wang.li")

    # when they register a customer through the form
    page.goto("/customers/")
    page.get_by_role("link", name="New customer").click()
    page.get_by_label("Full name").fill("林美玲")
    page.get_by_label(re.compile(r"^Phone")).fill("139 1234 5678")
    page.get_by_label("Home store").select_option(label="上海南京路店")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    # then the customer's page opens, with the creation on the timeline
    expect(page.locator("#customer-name")).to_have_text("林美玲")
    created = page.locator('#customer-timeline [data-kind="customers.created"]')
    expect(created).to_have_count(1)
    expect(created).to_contain_text("上海南京路店")
    before = completeness(page)
    customer = Customer.objects.get(full_name="林美玲")
    assert customer.phone == "+8613912345678"

    # when they go elsewhere and type the last 4 digits of the phone in the header search
    page.goto("/")
    page.locator("#header-search-input").fill("5678")
    match = page.locator(f'#quick-search-list a[data-customer="{customer.pk}"]')
    expect(match).to_contain_text("林美玲")
    expect(page.locator("#quick-search-list a[data-customer]")).to_have_count(1)

    # and open the one match
    with page.expect_navigation():
        match.click()

    # then they are on the customer's 360 page
    expect(page.locator("#customer-name")).to_have_text("林美玲")
    assert page.url.rstrip("/").endswith(f"/customers/{customer.pk}")

    # when they edit: birthday, city and email
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Birthday").fill("1990-04-12")
    page.get_by_label("City").fill("上海")
    page.get_by_label("Email").fill("lin.meiling@example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    # then the page shows the new data, the creation is still on the timeline, and the
    # completeness score went up by what birthday (3), city (1) and email (1) weigh
    expect(page.locator("#customer-name")).to_have_text("林美玲")
    expect(page.get_by_text("lin.meiling@example.com")).to_be_visible()
    expect(created).to_have_count(1)
    after = completeness(page)
    customer.refresh_from_db()
    assert (customer.city, customer.email, customer.birthday.isoformat()) == (
        "上海",
        "lin.meiling@example.com",
        "1990-04-12",
    )
    assert after > before
    assert after == customer.completeness
    assert_no_page_problems(page)


def test_list_and_customer_page_fit_a_phone(phone_page: Page, sales_person):
    # given a sales person signed in on a 375-px-wide phone
    customer = Customer.objects.order_by("pk").first()
    sign_in(phone_page, username="wang.li")

    # when they open the customer list, then a customer's page
    phone_page.goto("/customers/")
    expect(phone_page.get_by_text(customer.full_name, exact=True).first).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    phone_page.goto(f"/customers/{customer.pk}/")

    # then neither scrolls sideways
    expect(phone_page.locator("#customer-name")).to_have_text(customer.full_name)
    expect(phone_page.locator("#customer-completeness")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    assert_no_page_problems(phone_page)
