"""The money pages of a card: top up (with its bonus), refund paid value, use a package
session; each once per page, each refused cleanly."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.core.idempotency import IdempotencyKey
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.loyalty.choices import AccountKind, TransactionKind
from guanxi.loyalty.models import (
    BonusRule,
    LedgerEntry,
    LedgerTransaction,
    PackageSessionUse,
)
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import card_freeze, package_sell, stored_value_topup

pytestmark = pytest.mark.django_db
D = Decimal


def balances(card):
    found = card_balances(card)
    return (found[AccountKind.STORED_VALUE_PRINCIPAL], found[AccountKind.STORED_VALUE_BONUS])


def world():
    return (
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        PackageSessionUse.objects.count(),
        AuditEvent.objects.count(),
        IdempotencyKey.objects.count(),
    )


def url(name, card):
    return reverse(f"loyalty:{name}", kwargs={"pk": card.pk})


def key_of(response):
    return response.context["form"]["key"].value()


@pytest.fixture
def bonus_rules(db):
    BonusRule.objects.create(minimum_topup=D("1000.00"), bonus=D("100.00"))
    BonusRule.objects.create(minimum_topup=D("3000.00"), bonus=D("500.00"))


# --- the card page's buttons ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        pytest.param(Role.SALES, {"card-topup-link"}, id="sales_case"),
        pytest.param(
            Role.STORE_MANAGER, {"card-topup-link", "card-refund-link"}, id="manager_case"
        ),
        pytest.param(Role.MARKETER, set(), id="marketer_case"),
    ],
)
def test_card_page_shows_the_money_buttons_the_role_allows(
    client, make_staff, store_a, card, role, expected
):
    client.force_login(make_staff(role=role, stores=[store_a]))
    html = client.get(url("card-detail", card)).content.decode()
    found = {
        link
        for link in ("card-topup-link", "card-refund-link", "card-package-session-link")
        if f'id="{link}"' in html
    }
    assert found == expected


def test_package_button_shows_only_with_a_session_left(client, sales_a, card, owner):
    client.force_login(sales_a)
    assert (
        'id="card-package-session-link"'
        not in client.get(url("card-detail", card)).content.decode()
    )
    package_sell(
        card=card,
        service_name="Facial",
        sessions=1,
        valid_until=datetime.date(2030, 1, 1),
        actor=owner,
    )
    assert 'id="card-package-session-link"' in client.get(url("card-detail", card)).content.decode()


# --- top up -----------------------------------------------------------------------------------------


def test_topup_loads_the_amount_and_the_rules_bonus(client, sales_a, card, bonus_rules):
    client.force_login(sales_a)
    page = client.get(url("card-topup", card))

    response = client.post(
        url("card-topup", card), {"key": key_of(page), "amount": "1000.00", "payment": "mobile"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("card-detail", card)
    assert balances(card) == (D("1000.00"), D("100.00"))
    txn = LedgerTransaction.objects.get(kind=TransactionKind.TOPUP)
    assert (txn.memo, txn.created_by_id) == ("Mobile payment", sales_a.pk)
    followed = client.get(response["Location"]).content.decode()
    assert "CN¥1,000.00 loaded on the card, with a bonus of CN¥100.00." in followed
    assert 'id="card-principal">CN¥1,000.00</dd>' in followed
    assert 'id="card-bonus">CN¥100.00</dd>' in followed


def test_topup_page_shows_the_bonus_as_the_amount_is_typed(client, sales_a, card, bonus_rules):
    client.force_login(sales_a)
    headers = {"HTTP_HX_REQUEST": "true"}

    big = client.get(url("card-topup", card), {"amount": "3000"}, **headers)
    small = client.get(url("card-topup", card), {"amount": "999.99"}, **headers)
    junk = client.get(url("card-topup", card), {"amount": "abc"}, **headers)

    assert "The bonus rules add CN¥500.00." in big.content.decode()
    assert "No bonus for this amount." in small.content.decode()
    assert junk.content.decode().strip() == ""


def test_topup_twice_with_one_page_loads_once(client, sales_a, card, bonus_rules):
    client.force_login(sales_a)
    page = client.get(url("card-topup", card))
    data = {"key": key_of(page), "amount": "1000.00", "payment": "cash"}

    client.post(url("card-topup", card), data)
    again = client.post(url("card-topup", card), data)

    assert again.status_code == 302
    assert balances(card) == (D("1000.00"), D("100.00"))
    assert LedgerTransaction.objects.filter(kind=TransactionKind.TOPUP).count() == 1
    followed = client.get(again["Location"]).content.decode()
    assert "This was already recorded; nothing was done twice." in followed


@pytest.mark.parametrize(
    "amount",
    [pytest.param("0", id="zero_case"), pytest.param("10.001", id="fraction_case")],
)
def test_topup_refuses_a_bad_amount(client, sales_a, card, amount):
    client.force_login(sales_a)
    page = client.get(url("card-topup", card))
    before = world()

    response = client.post(
        url("card-topup", card), {"key": key_of(page), "amount": amount, "payment": "cash"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["amount"]
    assert world() == before


def test_topup_of_a_frozen_card_is_refused(client, sales_a, card, owner):
    page_user = sales_a
    client.force_login(page_user)
    page = client.get(url("card-topup", card))
    card_freeze(card=card, actor=owner)
    before = world()

    response = client.post(
        url("card-topup", card), {"key": key_of(page), "amount": "100.00", "payment": "cash"}
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert 'id="topup-errors"' in response.content.decode()
    assert world() == before


def test_a_service_agent_may_not_top_up(client, make_staff, store_a, card):
    client.force_login(make_staff(role=Role.SERVICE_AGENT, stores=[store_a]))
    assert client.get(url("card-topup", card)).status_code == 403


# --- refund of paid value -------------------------------------------------------------------------


def test_manager_pays_back_paid_value_but_never_the_bonus(
    client, manager_a, card, owner, bonus_rules
):
    stored_value_topup(card=card, amount=D("1000.00"), payment="cash", actor=owner)
    client.force_login(manager_a)
    page = client.get(url("card-principal-refund", card))
    assert 'id="money-principal">CN¥1,000.00</dd>' in page.content.decode()

    too_much = client.post(
        url("card-principal-refund", card),
        {"key": key_of(page), "amount": "1000.01", "reason": "Moving away"},
    )
    assert too_much.status_code == 400
    assert too_much.context["form"].errors["amount"] == [
        "At most CN¥1,000.00 of paid value is on the card."
    ]

    done = client.post(
        url("card-principal-refund", card),
        {"key": key_of(page), "amount": "400.00", "reason": "Moving away"},
    )
    assert done.status_code == 302
    assert balances(card) == (D("600.00"), D("100.00"))
    refund = LedgerTransaction.objects.get(kind=TransactionKind.REFUND)
    assert refund.memo == "Moving away"
    assert "CN¥400.00 of paid value was paid back." in client.get(done["Location"]).content.decode()


def test_a_sales_person_may_not_refund(client, sales_a, card):
    client.force_login(sales_a)
    assert client.get(url("card-principal-refund", card)).status_code == 403
    assert client.post(url("card-principal-refund", card), {}).status_code == 403


# --- package sessions -----------------------------------------------------------------------------


@pytest.fixture
def facial(card, owner):
    return package_sell(
        card=card,
        service_name="Deluxe facial",
        sessions=2,
        valid_until=datetime.date(2030, 6, 30),
        actor=owner,
    )


def test_a_session_is_used_with_the_beautician(client, sales_a, make_staff, store_a, card, facial):
    beautician = make_staff(role=Role.SERVICE_AGENT, stores=[store_a], full_name="赵敏")
    client.force_login(sales_a)
    page = client.get(url("card-package-session", card))
    assert "Deluxe facial — 2 of 2 left, valid until 2030-06-30" in page.content.decode()

    response = client.post(
        url("card-package-session", card),
        {"key": key_of(page), "package": facial.pk, "beautician": beautician.pk},
    )

    assert response.status_code == 302
    use = PackageSessionUse.objects.get()
    assert (use.package_id, use.beautician_id) == (facial.pk, beautician.pk)
    facial.account.refresh_from_db()
    assert facial.account.balance == 1
    followed = client.get(response["Location"]).content.decode()
    assert "One session of Deluxe facial was used." in followed
    assert "1 of 2" in followed
    # the same page again uses no second session
    client.post(
        url("card-package-session", card),
        {"key": key_of(page), "package": facial.pk, "beautician": beautician.pk},
    )
    facial.account.refresh_from_db()
    assert facial.account.balance == 1


def test_a_beautician_of_another_store_is_refused(
    client, sales_a, make_staff, store_b, card, facial
):
    stranger = make_staff(role=Role.SERVICE_AGENT, stores=[store_b])
    client.force_login(sales_a)
    page = client.get(url("card-package-session", card))
    before = world()

    response = client.post(
        url("card-package-session", card),
        {"key": key_of(page), "package": facial.pk, "beautician": stranger.pk},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["beautician"]
    assert world() == before


def test_no_session_is_left_after_the_last(client, sales_a, card, facial):
    client.force_login(sales_a)
    for _ in range(2):
        page = client.get(url("card-package-session", card))
        client.post(
            url("card-package-session", card),
            {"key": key_of(page), "package": facial.pk, "beautician": sales_a.pk},
        )
    facial.account.refresh_from_db()
    assert facial.account.balance == 0
    page = client.get(url("card-package-session", card))
    assert "The card holds no package with a session left." in page.content.decode()
