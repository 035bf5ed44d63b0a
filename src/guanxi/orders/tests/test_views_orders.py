"""The order list, the order page, the receipt, the customer page's "Orders" panel and the
navigation."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import guanxi.orders.nav_ui  # noqa: F401 - the navigation items (imported by orders.nav)
import guanxi.orders.order_panel  # noqa: F401 - the customer-page panel (imported by orders.nav)
from guanxi.core.permissions import Role
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.models import BonusRule, Membership, TierLevel
from guanxi.loyalty.services import stored_value_topup
from guanxi.loyalty.tests.factories import make_card
from guanxi.orders.choices import PaymentMethod
from guanxi.orders.services import checkout
from guanxi.orders.tests.factories import make_order, pay, product, product_line

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def sale(store_a, owner, make_staff):
    """A VIP member buys 2 × Rose serum (100.00, 5% off: 190.00), served by 赵敏, paying
    90.00 cash and 100.00 stored value; the cashier is 王丽."""
    BonusRule.objects.create(minimum_topup=D("1000"), bonus=D("100"))
    card = make_card(store_a, actor=owner, full_name="林美玲", phone="+8613800001111")
    Membership.objects.filter(pk=card.membership_id).update(tier=TierLevel.objects.get(rank=2))
    stored_value_topup(card=card, amount=D("1000.00"), payment="cash", actor=owner)
    cashier = make_staff(role=Role.SALES, stores=[store_a], full_name="王丽", username="wang.li")
    beautician = make_staff(role=Role.SERVICE_AGENT, stores=[store_a], full_name="赵敏")
    serum = product("100.00", name_en="Rose serum", sku="RS-100")
    return checkout(
        store=store_a,
        actor=cashier,
        lines=[product_line(serum, 2, staff_id=beautician.pk)],
        payments=[pay(PaymentMethod.CASH, "90.00"), pay(PaymentMethod.STORED_VALUE, "100.00")],
        card=card,
    )


# --- the receipt and the order page -------------------------------------------------------------


def test_receipt_shows_everything_a_receipt_needs(client, sale):
    client.force_login(sale.created_by)

    response = client.get(reverse("orders:order-receipt", kwargs={"pk": sale.pk}))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="h5 mb-0" id="receipt-store">Store A</h1>' in html
    assert f'id="receipt-number">{sale.number}</dd>' in html
    assert 'id="receipt-cashier">王丽</dd>' in html
    assert 'id="receipt-member">林美玲</dd>' in html
    assert "Rose serum" in html
    assert "2 × CN¥100.00 − CN¥10.00" in html
    assert "Served by: 赵敏" in html
    assert '<dd class="col-5 text-end mb-1" id="order-subtotal">CN¥200.00</dd>' in html
    assert "Tier discount (5%)" in html
    assert 'id="order-total">CN¥190.00</dd>' in html
    assert 'id="order-points-earned">228</dd>' in html  # 190 × 1 point × VIP 1.2
    assert '<tr data-method="cash">' in html
    assert '<td class="text-end text-nowrap">CN¥90.00</td>' in html
    assert '<tr data-method="stored_value">' in html
    assert '<td class="text-end text-nowrap">CN¥100.00</td>' in html
    # the balances after the sale: 1,000 − 100 paid, 100 bonus untouched, 228 points
    assert 'id="receipt-points-balance">228</dd>' in html
    assert 'id="receipt-principal">CN¥900.00</dd>' in html
    assert 'id="receipt-bonus">CN¥100.00</dd>' in html
    assert 'onclick="window.print()"' in html
    assert "@media print" in html


def test_order_page_shows_lines_payments_and_the_return_link(client, sale, manager_a, sales_a):
    client.force_login(manager_a)
    response = client.get(reverse("orders:order-detail", kwargs={"pk": sale.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="order-return-link"' in html
    assert "Rose serum" in html
    assert "赵敏" in html
    assert '<tr data-method="stored_value">' in html

    # a sales person sees the order but may not take goods back
    client.force_login(sales_a)
    html = client.get(reverse("orders:order-detail", kwargs={"pk": sale.pk})).content.decode()
    assert 'id="order-return-link"' not in html


def test_another_stores_order_is_not_found(client, sale, make_staff, store_b):
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[store_b]))
    for name in ("orders:order-detail", "orders:order-receipt", "orders:order-return"):
        assert client.get(reverse(name, kwargs={"pk": sale.pk})).status_code == 404


# --- the list -------------------------------------------------------------------------------------


@pytest.fixture
def orders(store_a, store_b, owner):
    """Three orders in store A (one of them a member's, one a day old), one in store B."""
    member = CustomerFactory(home_store=store_a, full_name="陈静", phone="+8613700000001")
    today = make_order(store_a, owner, price="10.00", customer=member)
    yesterday = make_order(
        store_a,
        owner,
        price="20.00",
        ordered_at=timezone.now() - datetime.timedelta(days=1),
    )
    walk_in = make_order(store_a, owner, price="30.00")
    elsewhere = make_order(store_b, owner, price="40.00")
    return {"today": today, "yesterday": yesterday, "walk_in": walk_in, "elsewhere": elsewhere}


def listed(client, **params):
    response = client.get(reverse("orders:order-list"), params)
    assert response.status_code == 200
    return [order.pk for order in response.context["orders"]]


def test_list_is_scoped_and_filtered(client, sales_a, orders):
    client.force_login(sales_a)
    local = [orders["walk_in"].pk, orders["today"].pk, orders["yesterday"].pk]

    assert sorted(listed(client)) == sorted(local)
    assert listed(client, customer="陈静") == [orders["today"].pk]
    assert listed(client, customer_id=orders["today"].customer_id) == [orders["today"].pk]
    assert listed(client, q=orders["walk_in"].number) == [orders["walk_in"].pk]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert listed(client, date_from=yesterday, date_to=yesterday) == [orders["yesterday"].pk]
    # the other store's number finds nothing
    assert listed(client, q=orders["elsewhere"].number) == []


def test_owner_filters_by_store(client, owner, orders, store_b):
    client.force_login(owner)
    assert listed(client, store=store_b.pk) == [orders["elsewhere"].pk]


def test_list_pages_and_costs_the_same_queries_however_long(client, owner, store_a):
    client.force_login(owner)
    for _ in range(3):
        make_order(store_a, owner, customer=CustomerFactory(home_store=store_a))
    client.get(reverse("orders:order-list"))  # the session and the settings, read once
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("orders:order-list"))
    for _ in range(3):
        make_order(store_a, owner, customer=CustomerFactory(home_store=store_a))
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("orders:order-list"))
    assert len(response.context["orders"]) == 6
    assert len(six) == len(three)


def test_list_has_pages_of_25(client, owner, store_a):
    client.force_login(owner)
    for _ in range(26):
        make_order(store_a, owner, price="1.00")
    first = client.get(reverse("orders:order-list"))
    second = client.get(reverse("orders:order-list"), {"page": 2})
    assert (len(first.context["orders"]), len(second.context["orders"])) == (25, 1)
    assert "Page 1 of 2" in first.content.decode()


def test_htmx_filter_returns_the_rows_only(client, sales_a, orders):
    client.force_login(sales_a)
    response = client.get(reverse("orders:order-list"), {"q": "x"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="order-rows">')
    assert 'id="order-none"' in html


# --- the customer page and the navigation -----------------------------------------------------------


def test_customer_page_lists_the_last_ten_orders(client, sales_a, store_a, owner):
    customer = CustomerFactory(home_store=store_a)
    made = [make_order(store_a, owner, price=f"{n}.00", customer=customer) for n in range(1, 12)]
    client.force_login(sales_a)

    html = client.get(
        reverse("customers:customer-detail", kwargs={"pk": customer.pk})
    ).content.decode()

    panel = html[html.index('id="order-panel"') :]
    shown = [order.pk for order in made if f'data-order="{order.pk}"' in panel]
    assert shown == [order.pk for order in made[1:]]  # the newest ten
    assert f"/orders/checkout/?customer={customer.pk}" in panel
    assert f"/orders/?customer_id={customer.pk}" in panel


def test_customer_page_offers_a_sale_when_there_is_no_order(client, sales_a, store_a):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)
    html = client.get(
        reverse("customers:customer-detail", kwargs={"pk": customer.pk})
    ).content.decode()
    assert 'id="order-panel-none"' in html
    assert 'id="order-panel-checkout"' in html


def test_navigation_shows_checkout_to_front_desk_only(client, sales_a, make_staff, store_a):
    client.force_login(sales_a)
    html = client.get("/").content.decode()
    assert 'data-nav="orders-checkout"' in html
    assert 'data-nav="orders"' in html

    client.force_login(make_staff(role=Role.MARKETER, stores=[store_a]))
    html = client.get("/").content.decode()
    assert 'data-nav="orders-checkout"' not in html
    assert 'data-nav="orders"' in html
