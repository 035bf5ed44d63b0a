"""The till page sent several times at once (a double click, a resent form): one order."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.core.permissions import Role
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import stored_value_topup
from guanxi.loyalty.tests.factories import make_card
from guanxi.loyalty.tests.threads import in_thread, run_concurrently, separate_connections
from guanxi.orders.models import Order, Payment
from guanxi.orders.tests.factories import product

pytestmark = pytest.mark.usefixtures("transactional_db")
URL = "/orders/checkout/"


def test_one_page_paid_five_times_at_once_records_one_order(store_a, owner, make_staff):
    # given a member with 500.00 of stored value and a till page with a 120.00 serum on it
    card = make_card(store_a, actor=owner, phone="+8613800003333")
    stored_value_topup(card=card, amount=Decimal("500.00"), payment="cash", actor=owner)
    seller = make_staff(role=Role.SALES, stores=[store_a])
    serum = product("120.00")
    client = Client()
    client.force_login(seller)
    page = client.get(URL)
    data = page.context["form"].data.copy()
    data["member_q"] = "13800003333"
    data["action"] = "find"
    page = client.post(URL, data)
    data = page.context["form"].data.copy()
    data["action"] = f"add_product:{serum.pk}"
    page = client.post(URL, data)
    data = page.context["form"].data.copy()
    data["pay_stored_value"] = "120.00"
    data["action"] = "pay"

    def pay(_index):
        till = Client()
        till.force_login(seller)
        response = till.post(URL, data)
        return response.status_code, response["Location"]

    # when the page is paid five times at once
    with separate_connections():
        responses = run_concurrently(pay, 5, threads=5)
        orders, payments, balance = in_thread(
            lambda: (
                list(Order.objects.values_list("pk", flat=True)),
                Payment.objects.count(),
                card_balances(card)[AccountKind.STORED_VALUE_PRINCIPAL],
            )
        )

    # then one order was recorded and every request was sent to its receipt
    assert len(orders) == 1
    receipt = reverse("orders:order-receipt", kwargs={"pk": orders[0]})
    assert responses == [(302, receipt)] * 5
    assert (payments, balance) == (1, Decimal("380.00"))
