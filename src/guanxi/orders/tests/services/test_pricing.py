"""Pricing: the split of discounts over lines, the order in which discounts apply, rounding."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.catalog.models import PriceList, PriceListItem
from guanxi.core.errors import ApplicationError
from guanxi.loyalty.models import Membership, TierLevel
from guanxi.loyalty.services import card_freeze
from guanxi.orders.choices import LineKind
from guanxi.orders.services import CheckoutLine, checkout_quote
from guanxi.orders.services.pricing import spread
from guanxi.orders.tests.factories import make_coupon, product, product_line, service, service_line

D = Decimal


# --- spread: largest remainder -------------------------------------------------------------------


def test_spread_adds_up_exactly_and_gives_leftover_cents_to_the_largest_fractions():
    assert spread(D("116.50"), [D("189.99"), D("94.99"), D("880.00")]) == [
        D("19.00"),
        D("9.50"),
        D("88.00"),
    ]


def test_spread_breaks_ties_in_favour_of_the_earlier_share():
    assert spread(D("0.02"), [D("1"), D("1"), D("1")]) == [D("0.01"), D("0.01"), D("0.00")]


def test_spread_compares_remainders_exactly():
    # 83.333… and 8.333… have the same remainder: the cent goes to the earlier share (in
    # 28-digit decimals the smaller number would show one more 3 and win)
    assert spread(D("1.00"), [D("10.00"), D("1.00"), D("1.00")]) == [
        D("0.84"),
        D("0.08"),
        D("0.08"),
    ]


def test_spread_never_takes_a_line_past_its_amount():
    # given eleven lines of 1.00 and a discount of 10.94: remainder-on-the-last-line would put
    # 1.04 on the last line; largest remainder keeps every share within a cent of 0.9945
    shares = spread(D("10.94"), [D("1.00")] * 11)
    assert shares == [D("1.00")] * 5 + [D("0.99")] * 6
    assert sum(shares) == D("10.94")


def test_spread_of_nothing_and_over_nothing():
    assert spread(D("0"), []) == []
    assert spread(D("0"), [D("0"), D("0")]) == [D("0.00"), D("0.00")]
    with pytest.raises(ValueError, match="nothing to spread"):
        spread(D("1.00"), [])


# --- the quote -----------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def vip_card(card):
    Membership.objects.filter(pk=card.membership_id).update(tier=TierLevel.objects.get(rank=2))
    card.membership.refresh_from_db()
    return card


def test_tier_discount_then_coupon_on_the_discounted_subtotal(store_a, vip_card):
    # given a VIP (5 % off, points × 1.2), two products, a service and a package sale
    cream, facial = product("199.99"), service("33.33")
    massage = service("100.00")
    make_coupon(code="TEN", kind="percent", value=D("10"))
    lines = [
        product_line(cream),
        service_line(facial, 3),
        CheckoutLine(
            kind=LineKind.PACKAGE,
            service_id=massage.pk,
            package_sessions=10,
            unit_price=D("880.00"),
        ),
    ]

    # when the till asks for the totals
    quote = checkout_quote(store=store_a, lines=lines, card=vip_card, coupon_code=" ten ")

    # then 5 % of the product and service lines (299.98 → 15.00) is split 10.00 / 5.00, the
    # package is not tier-discounted, 10 % of 1,164.98 (116.50) is split over all three lines
    assert quote.subtotal == D("1179.98")
    assert (quote.tier_discount_percent, quote.tier_discount) == (D("5.00"), D("15.00"))
    assert [line.tier_discount for line in quote.lines] == [D("10.00"), D("5.00"), D("0.00")]
    assert (quote.coupon_code, quote.coupon_discount) == ("TEN", D("116.50"))
    assert [line.coupon_discount for line in quote.lines] == [D("19.00"), D("9.50"), D("88.00")]
    assert [line.amount for line in quote.lines] == [D("170.99"), D("85.49"), D("792.00")]
    assert quote.total == D("1048.48")
    # and the points: 1.2 × each amount, floor of the sum (1,258) spread by largest remainder
    assert [line.points for line in quote.lines] == [205, 103, 950]
    assert quote.points_to_earn == 1258


def test_prices_come_from_the_store_price_list_unless_given(store_a, store_b):
    cream = product("120.00")
    price_list = PriceList.objects.create(store=store_a, name="Members")
    PriceListItem.objects.create(price_list=price_list, product=cream, price=D("99.00"))

    here = checkout_quote(store=store_a, lines=[product_line(cream, 2)])
    elsewhere = checkout_quote(store=store_b, lines=[product_line(cream, 2)])
    typed = checkout_quote(store=store_a, lines=[product_line(cream, 2, unit_price=D("80.50"))])

    assert (here.lines[0].unit_price, here.total) == (D("99.00"), D("198.00"))
    assert (elsewhere.lines[0].unit_price, elsewhere.total) == (D("120.00"), D("240.00"))
    assert (typed.lines[0].unit_price, typed.total) == (D("80.50"), D("161.00"))


def test_a_walk_in_customer_gets_no_discount_and_earns_nothing(store_a):
    quote = checkout_quote(store=store_a, lines=[product_line(product("10.00"), 3)])
    assert (quote.tier_discount, quote.total, quote.points_to_earn) == (D("0"), D("30.00"), 0)
    assert quote.card is None


def test_a_frozen_card_of_the_customer_gives_no_benefit(store_a, vip_card, owner):
    card_freeze(card=vip_card, actor=owner)
    customer = vip_card.membership.customer

    quote = checkout_quote(
        store=store_a, lines=[product_line(product("100.00"))], customer=customer
    )

    assert (quote.card, quote.card_usable) == (vip_card, False)
    assert (quote.tier_discount, quote.total, quote.points_to_earn) == (D("0.00"), D("100.00"), 0)


def test_a_frozen_card_given_at_the_till_is_refused(store_a, vip_card, owner):
    card_freeze(card=vip_card, actor=owner)
    with pytest.raises(ApplicationError) as error:
        checkout_quote(store=store_a, lines=[product_line(product("1.00"))], card=vip_card)
    assert error.value.code == "card_not_active"
    assert error.value.message == f"Card {vip_card.number} is Frozen and cannot be used."


def test_the_tier_discount_is_rounded_half_up_on_the_sum(store_a, vip_card):
    # 5 % of 0.30 is 0.015 → 0.02, spread 0.01 / 0.01 over two lines of 0.15
    item = product("0.15")
    quote = checkout_quote(
        store=store_a, lines=[product_line(item), product_line(item)], card=vip_card
    )
    assert quote.tier_discount == D("0.02")
    assert [line.amount for line in quote.lines] == [D("0.14"), D("0.14")]


@pytest.mark.parametrize(
    ("line", "code", "message"),
    [
        pytest.param(
            CheckoutLine(kind=LineKind.PRODUCT, product_id=None),
            "unknown_product",
            "Choose a product for every product line.",
            id="no_product_case",
        ),
        pytest.param(
            CheckoutLine(kind=LineKind.OTHER),
            "price_required",
            "Give the price of a line without a product.",
            id="other_without_price_case",
        ),
        pytest.param(
            CheckoutLine(kind=LineKind.OTHER, unit_price=D("1.005")),
            "invalid_price",
            "Prices are amounts of at least 0 with at most two decimal places.",
            id="three_decimals_case",
        ),
        pytest.param(
            CheckoutLine(kind=LineKind.OTHER, unit_price=D("1"), quantity=0),
            "invalid_quantity",
            "Quantities are whole numbers of at least 1.",
            id="zero_quantity_case",
        ),
        pytest.param(
            CheckoutLine(kind="gift", unit_price=D("1")),
            "invalid_kind",
            "Unknown kind of line: gift.",
            id="unknown_kind_case",
        ),
        pytest.param(
            CheckoutLine(kind=LineKind.PACKAGE_SESSION, package_id=1),
            "card_required",
            "A package session is taken from the member's card: find the member first.",
            id="session_without_card_case",
        ),
    ],
)
def test_lines_are_checked(store_a, line, code, message):
    with pytest.raises(ApplicationError) as error:
        checkout_quote(store=store_a, lines=[line])
    assert (error.value.code, error.value.message) == (code, message)


def test_a_product_off_sale_is_refused(store_a):
    item = product("5.00", is_active=False, name_en="Old lotion")
    with pytest.raises(ApplicationError) as error:
        checkout_quote(store=store_a, lines=[product_line(item)])
    assert (error.value.code, error.value.message) == ("not_on_sale", "Old lotion is not on sale.")


def test_an_unknown_coupon_is_refused_with_the_reason(store_a):
    with pytest.raises(ApplicationError) as error:
        checkout_quote(store=store_a, lines=[product_line(product("5.00"))], coupon_code="nope")
    assert error.value.code == "coupon_unknown"


def test_a_coupon_never_takes_more_than_the_subtotal(store_a):
    make_coupon(code="BIG", value=D("50.00"))
    quote = checkout_quote(store=store_a, lines=[product_line(product("30.00"))], coupon_code="BIG")
    assert (quote.coupon_discount, quote.total) == (D("30.00"), D("0.00"))


def test_a_package_sale_without_a_price_costs_the_sessions_at_the_service_price(store_a, card):
    massage = service("128.00")
    quote = checkout_quote(
        store=store_a,
        lines=[CheckoutLine(kind=LineKind.PACKAGE, service_id=massage.pk, package_sessions=5)],
        card=card,
    )
    assert (quote.lines[0].unit_price, quote.lines[0].package_valid_days) == (D("640.00"), 365)
    assert quote.total == D("640.00")


def test_quote_shows_the_card_balances(store_a, card, owner):
    from guanxi.loyalty.services import points_award, stored_value_topup

    points_award(card=card, points=1250, reason="opening", actor=owner)
    stored_value_topup(card=card, amount=D("300.00"), payment="cash", actor=owner)
    quote = checkout_quote(
        store=store_a,
        lines=[product_line(product("1.00"))],
        customer=card.membership.customer,
        at=timezone.now() + datetime.timedelta(minutes=1),
    )
    assert (quote.points_balance, quote.points_balance_value) == (1250, D("12.50"))
    assert (quote.stored_value_principal, quote.stored_value_bonus) == (D("300.00"), D("0.00"))
