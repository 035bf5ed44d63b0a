"""The coupon check and gift redemption API."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from guanxi.core.permissions import Role
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import CouponKind, CouponUse, Gift, GiftRedemption
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import coupon_create, gift_create, points_award

pytestmark = pytest.mark.django_db
QUOTE = "api-loyalty-coupon-quote"
REDEEM = "api-loyalty-card-gift-redeem"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def coupon(owner):
    today = timezone.localdate()
    return coupon_create(
        code="TEN",
        name="Ten percent",
        kind=CouponKind.PERCENT,
        value=Decimal("10"),
        minimum_spend=Decimal("50"),
        valid_from=today,
        valid_until=today + datetime.timedelta(days=7),
        actor=owner,
    )


@pytest.fixture
def towel(owner):
    return gift_create(name_en="Towel", points=300, stock=5, actor=owner)


def test_quote_gives_the_discount_and_writes_nothing(coupon, sales_a, store_a):
    response = client_for(sales_a).post(
        reverse(QUOTE), {"code": "ten", "store": store_a.pk, "subtotal": "88.80"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["discount"], body["subtotal"]) == ("TEN", "8.88", "88.80")
    assert CouponUse.objects.count() == 0


def test_quote_refusal_in_the_error_shape(coupon, sales_a, store_a):
    response = client_for(sales_a).post(
        reverse(QUOTE), {"code": "TEN", "store": store_a.pk, "subtotal": "49.99"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "coupon_minimum_spend"


def test_quote_for_another_store_or_its_customer_is_not_found(coupon, sales_a, store_a, store_b):
    client = client_for(sales_a)
    other_store = client.post(
        reverse(QUOTE), {"code": "TEN", "store": store_b.pk, "subtotal": "100"}, format="json"
    )
    assert other_store.status_code == 404
    stranger = CustomerFactory(home_store=store_b)
    other_customer = client.post(
        reverse(QUOTE),
        {"code": "TEN", "store": store_a.pk, "subtotal": "100", "customer": stranger.pk},
        format="json",
    )
    assert other_customer.status_code == 404


def test_gift_list(towel, owner, sales_a):
    gift_create(name_en="Gone", points=1, stock=0, actor=owner)
    response = client_for(sales_a).get(reverse("api-loyalty-gift-list"))
    assert [(g["name_en"], g["points"], g["stock"]) for g in response.json()] == [("Towel", 300, 5)]


def test_redeem_is_idempotent(card, towel, sales_a, owner):
    points_award(card=card, points=1000, reason="opening", actor=owner)
    client = client_for(sales_a)
    url = reverse(REDEEM, kwargs={"pk": card.pk})
    first = client.post(
        url, {"gift": towel.pk, "quantity": 2}, format="json", HTTP_IDEMPOTENCY_KEY="g-1"
    )
    again = client.post(
        url, {"gift": towel.pk, "quantity": 2}, format="json", HTTP_IDEMPOTENCY_KEY="g-1"
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    body = first.json()
    assert (body["quantity"], body["points"], body["points_left"], body["stock_left"]) == (
        2,
        600,
        400,
        3,
    )
    assert body["store"] == card.membership.store_id
    assert GiftRedemption.objects.count() == 1
    assert card_balances(card)[AccountKind.POINTS] == 400
    assert Gift.objects.get(pk=towel.pk).stock == 3


def test_redeem_refused_for_points_changes_nothing(card, towel, sales_a):
    response = client_for(sales_a).post(
        reverse(REDEEM, kwargs={"pk": card.pk}), {"gift": towel.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "insufficient_points"
    assert Gift.objects.get(pk=towel.pk).stock == 5


def test_redeem_at_a_store_the_user_cannot_see_is_not_found(card, towel, sales_a, owner, store_b):
    points_award(card=card, points=1000, reason="opening", actor=owner)
    response = client_for(sales_a).post(
        reverse(REDEEM, kwargs={"pk": card.pk}),
        {"gift": towel.pk, "store": store_b.pk},
        format="json",
    )
    assert response.status_code == 404
    assert GiftRedemption.objects.count() == 0


def test_redeem_refused_to_a_marketer(card, towel, make_staff, store_a):
    marketer = make_staff(role=Role.MARKETER, stores=[store_a])
    response = client_for(marketer).post(
        reverse(REDEEM, kwargs={"pk": card.pk}), {"gift": towel.pk}, format="json"
    )
    assert response.status_code == 403
