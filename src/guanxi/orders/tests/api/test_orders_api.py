"""The orders API: an external POS records sales and returns, idempotently, in its stores."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from guanxi.core.idempotency import IdempotencyKey
from guanxi.core.permissions import Role
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import points_award
from guanxi.orders.choices import OrderSource
from guanxi.orders.models import Order, OrderReturn
from guanxi.orders.tests.factories import make_order, product, service

pytestmark = pytest.mark.django_db
LIST = reverse("api-order-list")
D = Decimal


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client, url, body, key="k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, body, format="json", **headers)


@pytest.fixture
def points_card(card, owner):
    points_award(card=card, points=2000, reason="opening", actor=owner)
    return card


@pytest.fixture
def sale(points_card, sales_a):
    """What a POS sends: the member by phone, a product by SKU, a service, cash and points."""
    cream = product("128.00", sku="CREAM-50")
    facial = service("298.00")
    return {
        "reference": "POS1-000123",
        "customer": {"phone": points_card.membership.customer.phone},
        "lines": [
            {"sku": "cream-50", "quantity": 2, "staff": "sales_a"},
            {"kind": "service", "service": facial.pk, "unit_price": "268.00"},
        ],
        "payments": [
            {"method": "cash", "amount": "504.00", "reference": "T-9"},
            {"method": "points", "amount": "20.00"},
        ],
        "note": "From the mall kiosk",
        "_cream": cream.pk,
    }


def _body(sale):
    return {k: v for k, v in sale.items() if not k.startswith("_")}


def test_a_pos_sale_is_recorded(sale, sales_a, points_card, store_a):
    response = post(client_for(sales_a), LIST, _body(sale))

    assert response.status_code == 201, response.json()
    body = response.json()
    order = Order.objects.get()
    assert (body["id"], body["number"], body["reference"], body["source"]) == (
        order.pk,
        order.number,
        "POS1-000123",
        "api",
    )
    assert (body["store"], body["customer"], body["card_number"]) == (
        store_a.pk,
        points_card.membership.customer_id,
        points_card.number,
    )
    assert (body["subtotal"], body["total"], body["points_earned"]) == ("524.00", "524.00", 504)
    assert [
        (line["kind"], line["product"], line["quantity"], line["amount"], line["staff"])
        for line in body["lines"]
    ] == [
        ("product", sale["_cream"], 2, "256.00", sales_a.pk),
        ("service", None, 1, "268.00", sales_a.pk),
    ]
    assert body["lines"][1]["service"] == order.lines.get(position=2).service_id
    assert [(p["method"], p["amount"], p["points"], p["reference"]) for p in body["payments"]] == [
        ("cash", "504.00", 0, "T-9"),
        ("points", "20.00", 2000, ""),
    ]
    assert body["note"] == "From the mall kiosk"
    assert card_balances(points_card)[AccountKind.POINTS] == 504


def test_the_same_reference_again_is_a_conflict_naming_the_order(sale, sales_a):
    client = client_for(sales_a)
    first = post(client, LIST, _body(sale), key="a")
    again = post(client, LIST, _body(sale), key="b")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate_reference"
    assert again.json()["error"]["order"] == first.json()["id"]
    assert Order.objects.count() == 1


def test_the_same_key_replays_and_another_body_is_refused(sale, sales_a):
    client = client_for(sales_a)
    first = post(client, LIST, _body(sale), key="till-1")
    again = post(client, LIST, _body(sale), key="till-1")
    other = post(client, LIST, {**_body(sale), "note": "changed"}, key="till-1")
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_a_write_without_an_idempotency_key_is_refused(sale, sales_a):
    response = post(client_for(sales_a), LIST, _body(sale), key=None)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"
    assert Order.objects.count() == 0


def test_a_refused_sale_writes_nothing_and_keeps_no_key(sale, sales_a, points_card):
    body = _body(sale)
    body["payments"] = [{"method": "cash", "amount": "524.00"}, {"method": "points", "amount": "1"}]
    response = post(client_for(sales_a), LIST, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "payments_mismatch"
    assert (Order.objects.count(), IdempotencyKey.objects.count()) == (0, 0)
    assert card_balances(points_card)[AccountKind.POINTS] == 2000


@pytest.mark.parametrize(
    ("customer", "code"),
    [
        pytest.param({"phone": "+8613900000000"}, "customer_not_found", id="phone_case"),
        pytest.param({"card_number": "GX0000000"}, "card_not_found", id="card_case"),
        pytest.param({"external_id": "nobody"}, "customer_not_found", id="external_id_case"),
    ],
)
def test_an_unknown_customer_is_refused(sale, sales_a, customer, code):
    response = post(client_for(sales_a), LIST, {**_body(sale), "customer": customer})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_the_customer_by_card_number(sale, sales_a, points_card):
    body = {**_body(sale), "customer": {"card_number": points_card.number.lower()}}
    response = post(client_for(sales_a), LIST, body)
    assert response.status_code == 201
    assert response.json()["customer"] == points_card.membership.customer_id


def test_a_customer_of_another_store_is_not_found(sale, make_staff, store_b):
    other = make_staff(role=Role.SALES, stores=[store_b], username="sales_b")
    body = {**_body(sale), "lines": [{"sku": "CREAM-50"}], "payments": []}
    response = post(client_for(other), LIST, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "customer_not_found"


def test_an_unknown_sku_is_refused(sale, sales_a):
    body = {**_body(sale), "lines": [{"sku": "NOPE"}]}
    response = post(client_for(sales_a), LIST, body)
    assert response.json()["error"] == {
        "code": "unknown_product",
        "message": "No product has the SKU or barcode NOPE.",
        "fields": {},
    }


def test_an_owner_names_the_store(sale, owner, store_a, store_b):
    body = {**_body(sale), "lines": [{"sku": "CREAM-50"}], "payments": [], "customer": {}}
    body["payments"] = [{"method": "cash", "amount": "128.00"}]
    missing = post(client_for(owner), LIST, body, key="o-1")
    named = post(client_for(owner), LIST, {**body, "store": store_a.pk}, key="o-2")
    assert missing.json()["error"]["code"] == "store_required"
    assert (named.status_code, named.json()["store"]) == (201, store_a.pk)


def test_a_marketer_may_not_sell(sale, make_staff, store_a):
    marketer = make_staff(role=Role.MARKETER, stores=[store_a])
    response = post(client_for(marketer), LIST, _body(sale))
    assert response.status_code == 403
    assert Order.objects.count() == 0


def test_the_list_is_scoped_filtered_and_searched(
    store_a, store_b, sales_a, owner, django_assert_max_num_queries
):
    mine = make_order(store_a, owner, source=OrderSource.API, reference="A-100")
    make_order(store_a, owner, source=OrderSource.API, reference="B-200")
    theirs = make_order(store_b, owner)
    client = client_for(sales_a)

    with django_assert_max_num_queries(8):
        everything = client.get(LIST).json()
    searched = client.get(LIST, {"q": "a-1"}).json()
    by_number = client.get(LIST, {"q": mine.number}).json()
    by_store = client_for(owner).get(LIST, {"store": store_b.pk}).json()

    assert everything["count"] == 2
    assert [o["reference"] for o in searched["results"]] == ["A-100"]
    assert [o["id"] for o in by_number["results"]] == [mine.pk]
    assert [o["id"] for o in by_store["results"]] == [theirs.pk]


def test_an_order_of_another_store_is_not_found(store_b, owner, sales_a):
    order = make_order(store_b, owner)
    response = client_for(sales_a).get(reverse("api-order-detail", kwargs={"pk": order.pk}))
    assert response.status_code == 404


def test_a_return_through_the_api(sale, sales_a, manager_a, points_card):
    created = post(client_for(sales_a), LIST, _body(sale)).json()
    url = reverse("api-order-return-create", kwargs={"pk": created["id"]})
    line = created["lines"][0]["id"]

    refused = post(client_for(sales_a), url, {"lines": [{"line": line, "quantity": 1}]}, key="r0")
    response = post(
        client_for(manager_a), url, {"lines": [{"line": line, "quantity": 1}], "reason": "Dented"}
    )
    again = post(client_for(manager_a), url, {"lines": [{"line": line, "quantity": 2}]}, key="r2")

    assert refused.status_code == 403
    assert response.status_code == 201, response.json()
    body = response.json()
    # 128.00 of the 524.00 paid (504.00 cash, 20.00 in points) goes back in proportion: 123.11
    # in cash and 4.89 as 489 points; the line earned 246 points, half of them are taken back
    assert (body["amount"], body["deducted"], body["reason"]) == ("128.00", "0.00", "Dented")
    assert [(r["method"], r["amount"], r["points"]) for r in body["refunds"]] == [
        ("cash", "123.11", 0),
        ("points", "4.89", 489),
    ]
    assert body["points_clawed_back"] == 123
    assert [(x["line"], x["quantity"], x["amount"]) for x in body["lines"]] == [(line, 1, "128.00")]
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "quantity_exceeds"
    assert OrderReturn.objects.count() == 1
    assert card_balances(points_card)[AccountKind.POINTS] == 504 + 489 - 123


def test_a_return_of_a_line_of_another_order_is_refused(store_a, owner, manager_a):
    order, other = make_order(store_a, owner), make_order(store_a, owner)
    url = reverse("api-order-return-create", kwargs={"pk": order.pk})
    response = post(
        client_for(manager_a), url, {"lines": [{"line": other.lines.get().pk, "quantity": 1}]}
    )
    assert response.json()["error"]["code"] == "unknown_line"
