"""A day at the till with one member: top up her card, sell her a serum and a treatment
package paid with cash and stored value, use a session of the package, and take the serum back;
the card page shows the right balances and sessions after every step."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

import guanxi.orders.nav_ui  # noqa: F401 - the navigation items (imported by orders.nav)
from guanxi.catalog.tests.factories import ProductFactory, ServiceFactory
from guanxi.core.permissions import Role
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import BonusRule
from guanxi.loyalty.selectors import card_balances, package_list
from guanxi.loyalty.tests.factories import make_card
from guanxi.orders.models import Order, OrderReturn
from guanxi.staff.tests.factories import StoreFactory, UserFactory

from .helpers import assert_no_horizontal_scroll, assert_no_page_problems, sign_in

pytestmark = pytest.mark.browser
D = Decimal
RECEIPT = re.compile(r"/orders/(\d+)/receipt/$")


@pytest.fixture
def till(transactional_db):
    """A store with a sales person and a manager, a member with a fresh card, a serum with a
    barcode, a facial, and the bonus rule "top up 1,000, get 100"."""
    store = StoreFactory(name="上海南京路店", code="sh01")
    seller = UserFactory(username="wang.li", full_name="王丽", role=Role.SALES, stores=[store])
    UserFactory(username="zhang.wei", full_name="张伟", role=Role.STORE_MANAGER, stores=[store])
    card = make_card(store, actor=seller, full_name="林美玲", phone="+8613912345678")
    ProductFactory(name_en="Rose serum", sku="RS-100", barcode="6901234567892", price="100.00")
    ServiceFactory(name_en="Deluxe facial", price="298.00")
    BonusRule.objects.create(minimum_topup=D("1000.00"), bonus=D("100.00"))
    return card


def expect_card(page: Page, card, *, stored_value: str, principal: str, bonus: str, points: int):
    page.goto(f"/loyalty/cards/{card.pk}/")
    expect(page.locator("#card-stored-value")).to_have_text(stored_value)
    expect(page.locator("#card-principal")).to_have_text(principal)
    expect(page.locator("#card-bonus")).to_have_text(bonus)
    expect(page.locator("#card-points")).to_contain_text(re.compile(rf"^{points}\b"))


def test_top_up_sell_use_a_session_and_return(page: Page, till, screenshot):
    card = till
    sign_in(page, username="wang.li")

    # 1. Top up 1,000.00 in cash: the page shows the bonus before it is loaded
    page.goto(f"/loyalty/cards/{card.pk}/")
    page.locator("#card-topup-link").click()
    page.get_by_label("Amount").fill("1000")
    expect(page.locator("#topup-bonus")).to_have_text("The bonus rules add CN¥100.00.")
    page.get_by_label("Paid by").select_option(label="Cash")
    with page.expect_navigation():
        page.get_by_role("button", name="Top up").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "CN¥1,000.00 loaded on the card, with a bonus of CN¥100.00."
    )
    expect_card(
        page,
        card,
        stored_value="CN¥1,100.00",
        principal="CN¥1,000.00",
        bonus="CN¥100.00",
        points=0,
    )

    # 2. At the till: the member by her phone and Enter, the serum by its barcode and Enter
    page.locator('[data-nav="orders-checkout"]').click()
    page.get_by_label("Find the member").fill("139 1234 5678")
    page.get_by_label("Find the member").press("Enter")
    expect(page.locator("#checkout-member-name")).to_have_text("林美玲")
    expect(page.locator("#checkout-stored-value")).to_have_text("CN¥1,100.00")
    page.get_by_label("Add an item").fill("6901234567892")
    page.get_by_label("Add an item").press("Enter")
    expect(page.locator("#checkout-lines-table [data-description]")).to_have_text(["Rose serum"])
    expect(page.locator("#checkout-total")).to_have_text("CN¥100.00")

    # and a package of 10 facials for 2,000.00
    page.locator("#checkout-package-sale summary").click()
    page.get_by_label("Service", exact=True).select_option(label="Deluxe facial")
    page.get_by_label("Sessions", exact=True).fill("10")
    page.get_by_label("Package price").fill("2000.00")
    page.get_by_role("button", name="Add the package").click()
    expect(page.locator("#checkout-lines-table [data-description]")).to_have_text(
        ["Rose serum", "Deluxe facial"]
    )
    expect(page.locator("#checkout-total")).to_have_text("CN¥2,100.00")

    # paid with 1,000.00 cash and the whole 1,100.00 of stored value
    page.get_by_label("Cash", exact=True).fill("1000.00")
    expect(page.locator("#checkout-left-to-pay")).to_have_text(
        "Paid CN¥1,000.00; still to pay: CN¥1,100.00."
    )
    page.get_by_label("Stored value", exact=True).fill("1100.00")
    expect(page.locator("#checkout-left-to-pay")).to_have_text("The payments cover the total.")
    screenshot(page, "checkout.png")
    page.get_by_role("button", name="Pay and record the sale").click()
    expect(page).to_have_url(RECEIPT)
    order = Order.objects.get()
    expect(page.locator("#receipt-number")).to_have_text(order.number)
    expect(page.locator("#order-total")).to_have_text("CN¥2,100.00")
    # points are earned on what was paid in money and paid value: 2,100 − 100 bonus
    expect(page.locator("#order-points-earned")).to_have_text("2000")
    expect(page.locator("#receipt-lines [data-staff]")).to_have_text(
        ["Served by: 王丽", "Served by: 王丽"]
    )
    screenshot(page, "receipt.png")

    # the card: no stored value left, 2,000 points, the package with its 10 sessions
    expect_card(
        page, card, stored_value="CN¥0.00", principal="CN¥0.00", bonus="CN¥0.00", points=2000
    )
    package = package_list(card=card).get()
    expect(page.locator(f'#card-packages [data-package="{package.pk}"]')).to_contain_text(
        "10 of 10"
    )

    # 3. One session of the package, given by the signed-in beautician
    page.locator("#card-package-session-link").click()
    page.get_by_label("Package").select_option(index=0)
    expect(page.get_by_label("Beautician")).to_have_value(str(order.created_by_id))
    with page.expect_navigation():
        page.get_by_role("button", name="Use one session").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "One session of Deluxe facial was used."
    )
    expect(page.locator(f'#card-packages [data-package="{package.pk}"]')).to_contain_text("9 of 10")
    assert_no_page_problems(page)

    # 4. The store manager takes the serum back
    page.context.clear_cookies()
    sign_in(page, username="zhang.wei")
    page.goto(f"/orders/{order.pk}/")
    page.locator("#order-return-link").click()
    serum = order.lines.get(description="Rose serum")
    page.locator(f"#id_qty_{serum.pk}").fill("1")
    page.get_by_label("Reason").fill("Allergic reaction")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview the refund").click()
    # 100.00 back over 1,000 cash and 1,100 stored value; the serum's 95 points taken back
    expect(page.locator('#return-preview-refunds [data-method="cash"] [data-amount]')).to_have_text(
        "CN¥47.62"
    )
    expect(
        page.locator('#return-preview-refunds [data-method="stored_value"] [data-amount]')
    ).to_have_text("CN¥52.38")
    expect(page.locator("#return-preview-points")).to_have_text("95")
    # (a colleague opens the same return in another tab meanwhile)
    other_tab = page.context.new_page()
    other_tab.goto(f"/orders/{order.pk}/return/")
    other_tab.locator(f"#id_qty_{serum.pk}").fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm the return").click()
    expect(page.get_by_role("alert").first).to_contain_text("Return recorded: CN¥100.00 paid back.")
    expect(page.locator("#order-status")).to_have_text("Partly returned")

    # the second return of the same line is refused with the reason, and nothing moves
    with other_tab.expect_navigation():
        other_tab.get_by_role("button", name="Preview the refund").click()
    expect(other_tab.locator("#return-error")).to_have_text(
        f"Rose serum on order {order.number} was already returned."
    )
    other_tab.close()
    assert OrderReturn.objects.count() == 1

    # the card: stored value back in the proportions it was paid (47.62 paid, 4.76 bonus),
    # 2,000 − 95 points, and the package untouched at 9 sessions
    expect_card(
        page,
        card,
        stored_value="CN¥52.38",
        principal="CN¥47.62",
        bonus="CN¥4.76",
        points=1905,
    )
    expect(page.locator(f'#card-packages [data-package="{package.pk}"]')).to_contain_text("9 of 10")
    found = card_balances(card)
    assert (
        int(found[AccountKind.POINTS]),
        found[AccountKind.STORED_VALUE_PRINCIPAL],
        found[AccountKind.STORED_VALUE_BONUS],
    ) == (1905, D("47.62"), D("4.76"))
    assert_no_page_problems(page)


def test_the_till_fits_a_phone(phone_page: Page, till):
    sign_in(phone_page, username="wang.li")
    phone_page.goto("/orders/checkout/")
    phone_page.get_by_label("Find the member").fill("13912345678")
    phone_page.get_by_label("Find the member").press("Enter")
    expect(phone_page.locator("#checkout-member-name")).to_have_text("林美玲")
    phone_page.get_by_label("Add an item").fill("RS-100")
    phone_page.get_by_label("Add an item").press("Enter")
    expect(phone_page.locator("#checkout-total")).to_have_text("CN¥100.00")
    assert_no_horizontal_scroll(phone_page)
    assert_no_page_problems(phone_page)
