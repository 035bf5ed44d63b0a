"""The till page: find the member, scan, re-price live, pay once, refuse cleanly."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.core.idempotency import IdempotencyKey
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import LedgerEntry, LedgerTransaction, Membership, TierLevel
from guanxi.loyalty.selectors import card_balances, package_list
from guanxi.loyalty.services import (
    card_freeze,
    package_sell,
    points_award,
    stored_value_topup,
)
from guanxi.loyalty.tests.factories import make_card
from guanxi.orders.choices import LineKind, PaymentMethod
from guanxi.orders.models import Order, OrderLine, Payment
from guanxi.orders.tests.factories import make_coupon, product, service

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/orders/checkout/"
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- helpers --------------------------------------------------------------------------------------


def open_till(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def send(client, previous, action=None, headers=None, **changes):
    """Post the page as the browser would: every field the last page had, with ``changes``."""
    data = previous.context["form"].data.copy()
    for name, value in changes.items():
        data[name.replace("__", "-")] = str(value)
    if action is not None:
        data["action"] = action
    return client.post(URL, data, **(headers or {}))


def balances(card):
    found = card_balances(card)
    return (
        int(found[AccountKind.POINTS]),
        found[AccountKind.STORED_VALUE_PRINCIPAL],
        found[AccountKind.STORED_VALUE_BONUS],
    )


def world():
    """What a refused sale must leave as it was."""
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        Payment.objects.count(),
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
        IdempotencyKey.objects.count(),
    )


def vip(card):
    """The card's membership on the VIP tier: 5% off, points × 1.2 (the default ladder)."""
    Membership.objects.filter(pk=card.membership_id).update(tier=TierLevel.objects.get(rank=2))
    card.refresh_from_db()
    return card


@pytest.fixture
def member_card(store_a, owner):
    """A VIP member (phone 138 0000 1111) with 1,000.00 paid + 100.00 bonus and 5,000 points."""
    from guanxi.loyalty.models import BonusRule

    BonusRule.objects.create(minimum_topup=D("1000"), bonus=D("100"))
    card = make_card(store_a, actor=owner, full_name="林美玲", phone="+8613800001111")
    stored_value_topup(card=card, amount=D("1000.00"), payment="cash", actor=owner)
    points_award(card=card, points=5000, reason="opening", actor=owner)
    return vip(card)


@pytest.fixture
def serum():
    return product("100.00", name_en="Rose serum", sku="RS-100", barcode="6901234567892")


def with_member_and_serum(client, sales_a, member_card, serum, quantity=1):
    page = open_till(client, sales_a)
    page = send(client, page, "find", member_q="138 0000 1111")
    for _ in range(quantity):
        page = send(client, page, "scan", item_q=serum.barcode)
    return page


# --- the member -----------------------------------------------------------------------------------


def test_phone_finds_the_member_with_tier_points_and_stored_value(client, sales_a, member_card):
    page = open_till(client, sales_a)

    response = send(client, page, "find", member_q="138 0000 1111")

    assert response.status_code == 200
    assert response.context["member"] == member_card.membership.customer
    assert response.context["card"] == member_card
    html = response.content.decode()
    assert "林美玲" in html
    assert 'id="checkout-tier"' in html
    assert "VIP" in html
    assert "5% off" in html
    assert "5000 (worth CN¥50.00)" in html
    assert '<dd class="col-6 text-end mb-1" id="checkout-stored-value">CN¥1,100.00</dd>' in html
    # the member's ids now travel with the page
    assert response.context["form"].data["customer"] == str(member_card.membership.customer_id)
    assert response.context["form"].data["card"] == str(member_card.pk)


def test_a_scanned_card_number_finds_its_holder(client, sales_a, member_card):
    page = open_till(client, sales_a)
    scanned = f"{member_card.number[:4]} {member_card.number[4:]}".lower()

    response = send(client, page, "find", member_q=scanned)

    assert response.context["member"] == member_card.membership.customer
    assert response.context["card"] == member_card


def test_several_matches_are_offered_and_one_is_picked(client, sales_a, store_a):
    first = CustomerFactory(home_store=store_a, full_name="陈静", phone="+8613700000001")
    CustomerFactory(home_store=store_a, full_name="陈静怡", phone="+8613700000002")
    page = open_till(client, sales_a)

    offered = send(client, page, "find", member_q="陈静")
    assert sorted(c.full_name for c, _card in offered.context["outcome"].member_candidates) == [
        "陈静",
        "陈静怡",
    ]
    assert offered.context["member"] is None

    picked = send(client, offered, f"member:{first.pk}")
    assert picked.context["member"] == first
    assert picked.context["card"] is None  # no card: a sale without member benefits


def test_no_match_says_so(client, sales_a):
    page = open_till(client, sales_a)

    response = send(client, page, "find", member_q="13999999999")

    assert response.context["member"] is None
    assert "No member matches “13999999999”." in response.content.decode()


def test_another_stores_member_is_not_found(client, sales_a, store_b, owner):
    other = make_card(store_b, actor=owner, phone="+8613800002222")
    customer = other.membership.customer
    client.force_login(sales_a)

    assert client.get(URL, {"customer": customer.pk}).status_code == 404
    page = open_till(client, sales_a)
    by_phone = send(client, page, "find", member_q="13800002222")
    assert by_phone.context["member"] is None
    by_card = send(client, page, "find", member_q=other.number)
    assert by_card.context["card"] is None
    # a page sent back with the other store's ids keeps neither
    forged = send(client, page, "quote", customer=customer.pk, card=other.pk)
    assert forged.context["member"] is None
    assert forged.context["card"] is None
    assert "This member was not found." in forged.content.decode()


# --- the basket and live totals -----------------------------------------------------------------


def test_scanning_twice_adds_one_line_of_two_and_reprices(client, sales_a, member_card, serum):
    page = with_member_and_serum(client, sales_a, member_card, serum, quantity=2)

    quote = page.context["quote"]
    assert len(quote.lines) == 1
    assert (quote.lines[0].quantity, quote.subtotal, quote.tier_discount, quote.total) == (
        2,
        D("200.00"),
        D("10.00"),
        D("190.00"),
    )
    assert quote.points_to_earn == 228  # 190 paid × 1 point × VIP 1.2
    html = page.content.decode()
    assert '<dd class="col-5 text-end mb-1" id="checkout-subtotal">CN¥200.00</dd>' in html
    assert 'id="checkout-tier-discount-amount">−CN¥10.00</dd>' in html
    assert 'id="checkout-total">CN¥190.00</dd>' in html
    assert '<dd class="col-5 text-end small mb-0" id="checkout-points-to-earn">228</dd>' in html


def test_htmx_quantity_change_returns_the_form_only(client, sales_a, member_card, serum):
    page = with_member_and_serum(client, sales_a, member_card, serum)

    response = send(client, page, headers=HTMX, lines__0__quantity=3)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form method="post" action="/orders/checkout/"')
    assert "<html" not in html
    assert response.context["quote"].total == D("285.00")  # 300 − 5%
    assert response.context["form"].data["key"] == page.context["form"].data["key"]


def test_a_name_offers_products_and_services_to_choose(client, sales_a, serum):
    other = product("80.00", name_en="Rose toner")
    facial = service("298.00", name_en="Rose facial")
    page = open_till(client, sales_a)

    offered = send(client, page, "scan", item_q="rose")
    outcome = offered.context["outcome"]
    assert {p.pk for p in outcome.products} == {serum.pk, other.pk}
    assert [s.pk for s in outcome.services] == [facial.pk]

    added = send(client, offered, f"add_service:{facial.pk}")
    assert [(line.kind, line.service_id, line.amount) for line in added.context["quote"].lines] == [
        (LineKind.SERVICE, facial.pk, D("298.00"))
    ]


def test_removing_a_line(client, sales_a, member_card, serum):
    page = with_member_and_serum(client, sales_a, member_card, serum)
    facial = service("298.00")
    page = send(client, page, f"add_service:{facial.pk}")
    assert len(page.context["quote"].lines) == 2

    response = send(client, page, "remove:0")

    assert [line.service_id for line in response.context["quote"].lines] == [facial.pk]


def test_a_coupon_is_applied_and_a_bad_one_explained(client, sales_a, member_card, serum):
    make_coupon(code="SAVE10")
    page = with_member_and_serum(client, sales_a, member_card, serum)

    good = send(client, page, "coupon", coupon="save10")
    assert (good.context["quote"].coupon_discount, good.context["quote"].total) == (
        D("10.00"),
        D("85.00"),
    )
    assert 'id="checkout-coupon-discount">−CN¥10.00</dd>' in good.content.decode()

    bad = send(client, page, "coupon", coupon="NOPE")
    assert bad.context["quote"].total == D("95.00")  # priced without it
    assert bad.context["outcome"].errors  # the coupon service's reason, at the top
    assert 'id="checkout-errors"' in bad.content.decode()


# --- paying ---------------------------------------------------------------------------------------


def test_cash_and_stored_value_record_one_order(client, sales_a, member_card, serum):
    page = with_member_and_serum(client, sales_a, member_card, serum)
    before = balances(member_card)

    response = send(client, page, "pay", pay_cash="45.00", pay_stored_value="50.00")

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:order-receipt", kwargs={"pk": order.pk})
    assert (order.store_id, order.customer_id, order.card_id, order.created_by_id) == (
        sales_a.stores.get().pk,
        member_card.membership.customer_id,
        member_card.pk,
        sales_a.pk,
    )
    assert (order.subtotal, order.tier_discount, order.total) == (
        D("100.00"),
        D("5.00"),
        D("95.00"),
    )
    line = order.lines.get()
    assert (line.product_id, line.quantity, line.amount, line.staff_id) == (
        serum.pk,
        1,
        D("95.00"),
        sales_a.pk,
    )
    assert sorted((p.method, p.amount) for p in order.payments.all()) == [
        (PaymentMethod.CASH, D("45.00")),
        (PaymentMethod.STORED_VALUE, D("50.00")),
    ]
    # 50.00 came off the paid stored value (spent first by default); points on 95.00 × 1.2
    assert balances(member_card) == (before[0] + 114, D("950.00"), D("100.00"))
    assert order.points_earned == 114


def test_points_pay_part_and_the_page_says_how_many(client, sales_a, member_card, serum):
    page = with_member_and_serum(client, sales_a, member_card, serum)

    priced = send(client, page, pay_points="10.00")  # a change of the points field re-prices
    assert priced.context["points_to_pay"] == 1000
    assert "This uses 1000 points." in priced.content.decode()
    assert "100 points pay CN¥1.00." in priced.content.decode()

    send(client, priced, "pay", pay_cash="85.00")

    order = Order.objects.get()
    assert sorted((p.method, p.amount, p.points) for p in order.payments.all()) == [
        (PaymentMethod.CASH, D("85.00"), 0),
        (PaymentMethod.POINTS, D("10.00"), 1000),
    ]
    # 5,000 − 1,000 paid + 102 earned on the 85.00 paid in money (× 1.2)
    assert balances(member_card)[0] == 4102


def test_a_double_submit_records_one_order(client, sales_a, member_card, serum):
    page = with_member_and_serum(client, sales_a, member_card, serum)

    first = send(client, page, "pay", pay_cash="95.00")
    second = send(client, page, "pay", pay_cash="95.00")

    order = Order.objects.get()
    receipt = reverse("orders:order-receipt", kwargs={"pk": order.pk})
    assert (first["Location"], second["Location"]) == (receipt, receipt)
    assert Payment.objects.count() == 1
    followed = client.get(receipt)
    assert "This sale was already recorded; here is its receipt." in followed.content.decode()


def test_htmx_pay_redirects_the_whole_page(client, sales_a, member_card, serum):
    page = with_member_and_serum(client, sales_a, member_card, serum)

    response = send(client, page, "pay", headers=HTMX, pay_cash="95.00")

    order = Order.objects.get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("orders:order-receipt", kwargs={"pk": order.pk})


@pytest.mark.parametrize(
    ("payments", "message"),
    [
        pytest.param(
            {"pay_cash": "90.00"},
            "The payments (CN¥90.00) do not add up to the total (CN¥95.00).",
            id="payments_short_case",
        ),
        pytest.param(
            {"pay_stored_value": "95.00", "pay_cash": "0"},
            None,  # the balance check's own words
            id="stored_value_short_case",
        ),
    ],
)
def test_a_refused_payment_records_nothing(
    client, sales_a, member_card, serum, owner, payments, message
):
    if "pay_stored_value" in payments:
        from guanxi.loyalty.services import stored_value_spend

        stored_value_spend(card=member_card, amount=D("1050.00"), actor=owner)
    page = with_member_and_serum(client, sales_a, member_card, serum)
    before, held = world(), balances(member_card)

    response = send(client, page, "pay", **payments)

    assert response.status_code == 400
    errors = response.context["outcome"].errors
    assert len(errors) == 1
    if message:
        assert errors == [message]
    else:
        assert errors[0].startswith("Not enough stored value")
    assert 'id="checkout-errors"' in response.content.decode()
    assert world() == before
    assert balances(member_card) == held
    # the same page can be corrected and paid: the refused attempt kept no key
    assert send(client, response, "pay", pay_cash="95.00", pay_stored_value="0").status_code == 302
    assert Order.objects.count() == 1


def test_a_frozen_card_is_refused_until_sold_without_it(client, sales_a, member_card, serum, owner):
    page = with_member_and_serum(client, sales_a, member_card, serum)
    card_freeze(card=member_card, actor=owner)
    before = world()

    refused = send(client, page, "pay", pay_cash="95.00")

    assert refused.status_code == 400
    assert refused.context["outcome"].errors == [
        f"Card {member_card.number} is Frozen and cannot be used."
    ]
    assert world() == before
    without = send(client, refused, "card_drop")
    assert without.context["card"] is None
    assert without.context["quote"].total == D("100.00")  # no tier discount without the card
    assert send(client, without, "pay", pay_cash="100.00").status_code == 302
    order = Order.objects.get()
    # the member's card is recorded with the sale, but gave no discount and earns nothing
    assert (order.customer_id, order.card_id, order.total, order.points_earned) == (
        member_card.membership.customer_id,
        member_card.pk,
        D("100.00"),
        0,
    )


def test_the_line_records_the_staff_member_chosen(
    client, sales_a, make_staff, store_a, store_b, member_card, serum
):
    colleague = make_staff(role=Role.SERVICE_AGENT, stores=[store_a], full_name="赵敏")
    stranger = make_staff(role=Role.SALES, stores=[store_b])
    page = with_member_and_serum(client, sales_a, member_card, serum)
    staff_choices = dict(page.context["formset"].forms[0].fields["staff"].choices)
    assert colleague.pk in staff_choices
    assert stranger.pk not in staff_choices

    chosen = send(client, page, lines__0__staff=colleague.pk)
    send(client, chosen, "pay", pay_cash="95.00")
    assert OrderLine.objects.get().staff_id == colleague.pk

    # a staff member of another store sent back is replaced by the signed-in user
    page = with_member_and_serum(client, sales_a, member_card, serum)
    forged = send(client, page, lines__0__staff=stranger.pk)
    assert forged.context["form"].data["lines-0-staff"] == str(sales_a.pk)


# --- packages -------------------------------------------------------------------------------------


def test_a_package_sale_and_a_session_of_a_held_package(client, sales_a, member_card, owner):
    facial = service("298.00", name_en="Deluxe facial")
    held = package_sell(
        card=member_card,
        service_name="Eye care",
        sessions=5,
        valid_until=datetime.date(2030, 1, 31),
        actor=owner,
    )
    page = open_till(client, sales_a)
    page = send(client, page, "find", member_q="13800001111")
    assert [item["package"] for item in page.context["packages"]] == [held]

    page = send(
        client,
        page,
        "add_package",
        package_service=facial.pk,
        package_sessions=10,
        package_valid_days=180,
        package_price="2500.00",
    )
    page = send(client, page, f"use_session:{held.pk}")

    quote = page.context["quote"]
    assert [(line.kind, line.amount, line.package_sessions) for line in quote.lines] == [
        (LineKind.PACKAGE, D("2500.00"), 10),
        (LineKind.PACKAGE_SESSION, D("0.00"), 0),
    ]
    assert quote.total == D("2500.00")  # packages take no tier discount
    assert (
        send(client, page, "pay", pay_stored_value="1100.00", pay_cash="1400.00").status_code == 302
    )
    packages = {p.service_name: int(p.account.balance) for p in package_list(card=member_card)}
    assert packages == {"Deluxe facial": 10, "Eye care": 4}
    sold = package_list(card=member_card).get(service_name="Deluxe facial")
    assert sold.valid_until == sold.created_at.astimezone().date() + datetime.timedelta(days=180)


def test_a_package_needs_a_member(client, sales_a):
    facial = service("298.00")
    page = open_till(client, sales_a)

    page = send(client, page, "add_package", package_service=facial.pk, package_sessions=3)

    assert page.context["quote"] is None
    assert "A package is sold to a member: find the member's card first." in (
        page.context["outcome"].errors
    )


# --- who may sell where ---------------------------------------------------------------------------


def test_a_marketer_may_not_sell(client, make_staff, store_a):
    client.force_login(make_staff(role=Role.MARKETER, stores=[store_a]))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {}).status_code == 403


def test_several_stores_get_a_picker_limited_to_theirs(client, make_staff, store_a, store_b):
    from guanxi.staff.tests.factories import StoreFactory

    store_c = StoreFactory(name="Store C", code="c01")
    seller = make_staff(role=Role.SALES, stores=[store_a, store_c])
    page = open_till(client, seller)
    assert page.context["several_stores"] is True
    assert set(page.context["form"].fields["store"].queryset) == {store_a, store_c}

    # another store's id sent back falls back to one of theirs
    forged = send(client, page, store=store_b.pk)
    assert forged.context["store"] in (store_a, store_c)

    chosen = send(client, page, store=store_c.pk)
    serum = product("100.00")
    chosen = send(client, chosen, f"add_product:{serum.pk}")
    send(client, chosen, "pay", pay_cash="100.00")
    assert Order.objects.get().store == store_c


def test_a_forged_key_is_not_a_page(client, sales_a):
    page = open_till(client, sales_a)
    assert send(client, page, "pay", key="not-a-key").status_code == 404
    assert uuid.UUID(page.context["form"].data["key"])
