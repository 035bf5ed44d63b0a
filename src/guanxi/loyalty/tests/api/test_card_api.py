"""The card API: redeem points and top up stored value, scoped to the card's store, idempotent."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from guanxi.core.idempotency import IdempotencyKey
from guanxi.core.permissions import Role
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import BonusRule, LedgerTransaction
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import points_award
from guanxi.loyalty.tests.factories import make_card
from guanxi.loyalty.tests.threads import in_thread, run_concurrently, separate_connections

REDEEM = "api-loyalty-card-points-redeem"
TOPUP = "api-loyalty-card-stored-value-topup"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def points_card(card, owner):
    points_award(card=card, points=100, reason="opening", actor=owner)
    return card


@pytest.mark.django_db
def test_redeem_returns_the_new_balances(points_card, sales_a):
    response = client_for(sales_a).post(
        reverse(REDEEM, kwargs={"pk": points_card.pk}), {"points": 30}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["card"], body["number"], body["points"]) == (
        points_card.pk,
        points_card.number,
        70,
    )
    assert (body["stored_value_principal"], body["stored_value_bonus"]) == ("0.00", "0.00")


@pytest.mark.django_db
def test_redeem_beyond_the_balance_gives_the_error_shape(points_card, sales_a):
    response = client_for(sales_a).post(
        reverse(REDEEM, kwargs={"pk": points_card.pk}), {"points": 101}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "insufficient_points"
    assert response.json()["error"]["message"] == "Not enough points: 101 asked, 100 on the card."
    assert card_balances(points_card)[AccountKind.POINTS] == 100


@pytest.mark.django_db
def test_card_of_another_store_is_not_found(points_card, make_staff, store_b):
    other = make_staff(role=Role.STORE_MANAGER, stores=[store_b])
    response = client_for(other).post(
        reverse(REDEEM, kwargs={"pk": points_card.pk}), {"points": 1}, format="json"
    )
    assert response.status_code == 404
    assert card_balances(points_card)[AccountKind.POINTS] == 100


@pytest.mark.django_db
def test_topup_is_refused_to_a_service_agent(card, make_staff, store_a):
    agent = make_staff(role=Role.SERVICE_AGENT, stores=[store_a])
    response = client_for(agent).post(
        reverse(TOPUP, kwargs={"pk": card.pk}),
        {"amount": "100.00", "payment": "cash"},
        format="json",
    )
    assert response.status_code == 403
    assert LedgerTransaction.objects.count() == 0


@pytest.mark.django_db
def test_topup_with_bonus(card, sales_a):
    BonusRule.objects.create(minimum_topup=Decimal("1000"), bonus=Decimal("150"))
    response = client_for(sales_a).post(
        reverse(TOPUP, kwargs={"pk": card.pk}),
        {"amount": "1000.00", "payment": "UnionPay"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["stored_value_principal"], response.json()["stored_value_bonus"]) == (
        "1000.00",
        "150.00",
    )


@pytest.mark.django_db
def test_same_key_same_body_replays_without_a_second_write(points_card, sales_a):
    client = client_for(sales_a)
    url = reverse(REDEEM, kwargs={"pk": points_card.pk})
    first = client.post(url, {"points": 10}, format="json", HTTP_IDEMPOTENCY_KEY="till-1-0001")
    again = client.post(url, {"points": 10}, format="json", HTTP_IDEMPOTENCY_KEY="till-1-0001")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert card_balances(points_card)[AccountKind.POINTS] == 90


@pytest.mark.django_db
def test_same_key_other_body_is_422(points_card, sales_a):
    client = client_for(sales_a)
    url = reverse(REDEEM, kwargs={"pk": points_card.pk})
    client.post(url, {"points": 10}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = client.post(url, {"points": 20}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert card_balances(points_card)[AccountKind.POINTS] == 90


@pytest.mark.django_db
def test_refused_request_keeps_no_key_and_may_be_retried(points_card, sales_a):
    client = client_for(sales_a)
    url = reverse(REDEEM, kwargs={"pk": points_card.pk})
    refused = client.post(url, {"points": 500}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert refused.status_code == 400
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.usefixtures("transactional_db")
def test_20_concurrent_identical_requests_write_once(store_a, owner, make_staff):
    # given a card with 100 points and a till that sends the same request 20 times at once
    card = make_card(store_a, actor=owner)
    points_award(card=card, points=100, reason="opening", actor=owner)
    sales = make_staff(role=Role.SALES, stores=[store_a])
    url = reverse(REDEEM, kwargs={"pk": card.pk})

    def send(_index):
        response = client_for(sales).post(
            url, {"points": 10}, format="json", HTTP_IDEMPOTENCY_KEY="till-7-42"
        )
        return response.status_code, response.json()

    with separate_connections():
        responses = run_concurrently(send, 20)
        written, balance = in_thread(
            lambda: (
                LedgerTransaction.objects.filter(kind="redemption").count(),
                card_balances(card)[AccountKind.POINTS],
            )
        )
    # then one redemption was written and every response is the first one
    assert written == 1
    assert balance == 90
    assert all(r == responses[0] for r in responses)
    assert responses[0][0] == 201
    assert responses[0][1]["points"] == 90
