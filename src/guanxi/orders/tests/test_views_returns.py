"""The return page: choose, preview exactly, confirm once; a line comes back only once."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.core.idempotency import IdempotencyKey
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import LedgerEntry, LedgerTransaction, Membership, TierLevel
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import stored_value_topup
from guanxi.loyalty.tests.factories import make_card
from guanxi.orders.choices import OrderStatus, PaymentMethod
from guanxi.orders.models import OrderReturn, Refund, ReturnLine
from guanxi.orders.services import checkout
from guanxi.orders.tests.factories import pay, product, product_line

pytestmark = pytest.mark.django_db
D = Decimal


def balances(card):
    found = card_balances(card)
    return (
        int(found[AccountKind.POINTS]),
        found[AccountKind.STORED_VALUE_PRINCIPAL],
        found[AccountKind.STORED_VALUE_BONUS],
    )


def world():
    return (
        OrderReturn.objects.count(),
        ReturnLine.objects.count(),
        Refund.objects.count(),
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
        IdempotencyKey.objects.count(),
    )


@pytest.fixture
def sale(store_a, owner, manager_a):
    """A VIP member buys 2 × Rose serum (190.00 after 5%) and 1 × Toner (50.00 → 47.50),
    paying 117.50 cash and 120.00 stored value; 285 points earned (237.50 × 1.2)."""
    card = make_card(store_a, actor=owner, full_name="林美玲")
    Membership.objects.filter(pk=card.membership_id).update(tier=TierLevel.objects.get(rank=2))
    stored_value_topup(card=card, amount=D("500.00"), payment="cash", actor=owner)
    serum = product("100.00", name_en="Rose serum")
    toner = product("50.00", name_en="Toner")
    order = checkout(
        store=store_a,
        actor=manager_a,
        lines=[product_line(serum, 2), product_line(toner, 1)],
        payments=[pay(PaymentMethod.CASH, "117.50"), pay(PaymentMethod.STORED_VALUE, "120.00")],
        card=card,
    )
    assert (order.total, order.points_earned) == (D("237.50"), 285)
    return order


def url(order):
    return reverse("orders:order-return", kwargs={"pk": order.pk})


def open_page(client, user, order):
    client.force_login(user)
    response = client.get(url(order))
    assert response.status_code == 200
    return response


def lines_of(order):
    return {line.description: line for line in order.lines.all()}


def post(client, order, page, action, **data):
    payload = {"key": page.context["form"]["key"].value(), "reason": "", "action": action}
    payload.update(data)
    return client.post(url(order), payload)


def test_preview_shows_exact_refunds_and_writes_nothing(client, manager_a, sale):
    page = open_page(client, manager_a, sale)
    serum = lines_of(sale)["Rose serum"]
    before = world()

    response = post(client, sale, page, "preview", **{f"qty_{serum.pk}": 1})

    assert response.status_code == 200
    preview = response.context["preview"]
    # 95.00 back, spread over 117.50 cash and 120.00 stored value in proportion
    assert [(r.method, r.amount, r.points) for r in preview.refunds] == [
        (PaymentMethod.CASH, D("47.00"), 0),
        (PaymentMethod.STORED_VALUE, D("48.00"), 0),
    ]
    assert (preview.amount, preview.points_clawed_back) == (D("95.00"), 114)
    html = response.content.decode()
    assert '<dd class="col-5 text-end fw-semibold" id="return-preview-total">CN¥95.00</dd>' in html
    assert '<dd class="col-5 text-end" id="return-preview-points">114</dd>' in html
    assert 'id="return-confirm"' in html
    assert world() == before


def test_confirm_returns_one_line_exactly_once(client, manager_a, sale):
    card = sale.card
    page = open_page(client, manager_a, sale)
    serum = lines_of(sale)["Rose serum"]
    held = balances(card)

    response = post(client, sale, page, "confirm", reason="Allergy", **{f"qty_{serum.pk}": 1})

    assert response.status_code == 302
    assert response["Location"] == reverse("orders:order-detail", kwargs={"pk": sale.pk})
    returned = OrderReturn.objects.get()
    assert (returned.amount, returned.points_clawed_back, returned.reason) == (
        D("95.00"),
        114,
        "Allergy",
    )
    assert sorted((r.method, r.amount) for r in returned.refunds.all()) == [
        (PaymentMethod.CASH, D("47.00")),
        (PaymentMethod.STORED_VALUE, D("48.00")),
    ]
    assert balances(card) == (held[0] - 114, held[1] + D("48.00"), held[2])
    sale.refresh_from_db()
    assert (sale.status, sale.returned_total) == (OrderStatus.PARTLY_RETURNED, D("95.00"))
    detail = client.get(response["Location"]).content.decode()
    assert "Return recorded: CN¥95.00 paid back." in detail

    # the same page sent again changes nothing
    again = post(client, sale, page, "confirm", reason="Allergy", **{f"qty_{serum.pk}": 1})
    assert again.status_code == 302
    assert OrderReturn.objects.count() == 1


def test_a_line_already_returned_is_refused_with_the_reason(client, manager_a, sale):
    serum = lines_of(sale)["Rose serum"]
    first = open_page(client, manager_a, sale)
    assert post(client, sale, first, "confirm", **{f"qty_{serum.pk}": 2}).status_code == 302
    # a page opened afterwards offers no quantity for the line any more
    second = open_page(client, manager_a, sale)
    assert f'name="qty_{serum.pk}"' not in second.content.decode()
    before, held = world(), balances(sale.card)

    response = client.post(
        url(sale),
        {
            "key": second.context["form"]["key"].value(),
            "action": "confirm",
            f"qty_{serum.pk}": "1",
        },
    )

    assert response.status_code == 400
    assert response.context["error"] == (f"Rose serum on order {sale.number} was already returned.")
    assert f"Rose serum on order {sale.number} was already returned." in response.content.decode()
    assert world() == before
    assert balances(sale.card) == held


def test_return_everything_then_nothing_is_left(client, manager_a, sale):
    page = open_page(client, manager_a, sale)

    response = post(client, sale, page, "confirm", everything="on")

    assert response.status_code == 302
    sale.refresh_from_db()
    assert (sale.status, sale.returned_total) == (OrderStatus.RETURNED, D("237.50"))
    assert balances(sale.card)[0] == 0
    page = open_page(client, manager_a, sale)
    again = post(client, sale, page, "preview", everything="on")
    assert again.context["error"] == f"Order {sale.number} was already returned in full."


def test_nothing_chosen_is_explained(client, manager_a, sale):
    page = open_page(client, manager_a, sale)
    response = post(client, sale, page, "preview")
    assert response.status_code == 400
    assert "Enter a quantity for at least one line, or tick “Return everything”." in (
        response.content.decode()
    )


def test_a_sales_person_may_not_take_goods_back(client, sales_a, sale):
    client.force_login(sales_a)
    assert client.get(url(sale)).status_code == 403
    assert client.post(url(sale), {"everything": "on"}).status_code == 403
    assert OrderReturn.objects.count() == 0


def test_another_stores_manager_gets_not_found(client, make_staff, store_b, sale):
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[store_b]))
    assert client.get(url(sale)).status_code == 404
    assert client.post(url(sale), {"everything": "on"}).status_code == 404
    assert OrderReturn.objects.count() == 0
