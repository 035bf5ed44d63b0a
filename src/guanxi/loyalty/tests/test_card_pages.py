"""Member-card pages and the card panel of the customer page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory
from guanxi.loyalty.choices import CardStatus
from guanxi.loyalty.models import BonusRule, MemberCard, PointLot
from guanxi.loyalty.selectors import card_for_customer
from guanxi.loyalty.services import (
    card_issue,
    card_replace,
    package_sell,
    points_award,
    stored_value_topup,
)


@pytest.fixture
def marketer_a(make_staff, store_a):
    return make_staff(role=Role.MARKETER, stores=[store_a], username="marketer_a")


@pytest.fixture
def sales_b(make_staff, store_b):
    return make_staff(role=Role.SALES, stores=[store_b], username="sales_b")


@pytest.fixture
def busy_card(card, owner):
    """A card after an award of 120 points, a 1,000 top-up with a 200 bonus, a package sale."""
    BonusRule.objects.create(minimum_topup=Decimal("1000.00"), bonus=Decimal("200.00"))
    points_award(card=card, points=120, reason="birthday gift", actor=owner)
    stored_value_topup(card=card, amount=Decimal("1000.00"), payment="cash", actor=owner)
    package_sell(
        card=card,
        service_name="Facial deluxe",
        sessions=10,
        valid_until=datetime.date(2030, 6, 30),
        actor=owner,
    )
    return card


def customer_page(client, user, customer):
    client.force_login(user)
    return client.get(reverse("customers:customer-detail", kwargs={"pk": customer.pk}))


@pytest.mark.django_db
def test_panel_shows_the_exact_balances_packages_and_entries(client, sales_a, busy_card):
    # given a card with points, stored value with bonus and a package; its 120 points expire in 30 days
    lot = PointLot.objects.get(account__membership=busy_card.membership)
    PointLot.objects.filter(pk=lot.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=30)
    )
    customer = busy_card.membership.customer
    # when a sales member opens the customer page
    response = customer_page(client, sales_a, customer)
    # then the panel shows every balance exactly
    assert response.status_code == 200
    html = response.content.decode()
    panel = html[html.index('id="card-panel"') :]
    assert busy_card.number in panel
    assert '<dd class="col-6 col-md-7" id="card-points">120 ' in panel
    assert "120 points expire on " in panel
    assert '<dd class="col-6 col-md-7" id="card-principal">CN¥1,000.00</dd>' in panel
    assert '<dd class="col-6 col-md-7" id="card-bonus">CN¥200.00</dd>' in panel
    assert "Facial deluxe" in panel
    assert "10 of 10" in panel
    assert "2030-06-30" in panel
    assert panel.count("data-transaction=") == 3
    assert "+CN¥1,000.00" in panel
    assert "+CN¥200.00" in panel
    assert "+120" in panel
    assert reverse("loyalty:card-ledger", kwargs={"pk": busy_card.pk}) in panel
    assert "Issue card" not in panel
    assert 'id="card-tier-name">Regular</strong>' in panel


@pytest.mark.django_db
def test_panel_counts_no_points_expiring_beyond_90_days(client, sales_a, busy_card):
    PointLot.objects.filter(account__membership=busy_card.membership).update(
        expires_at=timezone.now() + datetime.timedelta(days=91)
    )
    html = customer_page(client, sales_a, busy_card.membership.customer).content.decode()
    assert 'id="card-points-expiring"' not in html


@pytest.mark.django_db
def test_panel_shows_the_household_card_on_every_member(client, sales_a, store_a, owner):
    # given a household whose member has a card
    household = HouseholdFactory(store=store_a)
    first = CustomerFactory(home_store=store_a, household=household)
    second = CustomerFactory(home_store=store_a, household=household)
    card = card_issue(customer=first, actor=owner)
    # when the other member's page is opened, then it shows the shared card
    html = customer_page(client, sales_a, second).content.decode()
    assert card.number in html
    assert "Shared by the household" in html


@pytest.mark.django_db
def test_panel_offers_to_issue_a_card_and_the_button_issues_it(client, sales_a, store_a):
    # given a customer without a card
    customer = CustomerFactory(home_store=store_a)
    html = customer_page(client, sales_a, customer).content.decode()
    assert 'id="card-issue"' in html
    issue_url = reverse("loyalty:card-issue", kwargs={"pk": customer.pk})
    assert f'action="{issue_url}"' in html
    # when the button is pressed
    response = client.post(issue_url)
    # then the card exists, is audited, and the customer page shows it
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-detail", kwargs={"pk": customer.pk})
    card = card_for_customer(customer)
    assert card is not None
    assert card.status == CardStatus.ACTIVE
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_pk=str(card.pk), actor=sales_a
    ).exists()
    assert card.number in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_issue_is_hidden_and_refused_without_the_capability(client, marketer_a, store_a):
    customer = CustomerFactory(home_store=store_a)
    html = customer_page(client, marketer_a, customer).content.decode()
    assert "No member card yet." in html
    assert 'id="card-issue"' not in html
    response = client.post(reverse("loyalty:card-issue", kwargs={"pk": customer.pk}))
    assert response.status_code == 403
    assert not MemberCard.objects.exists()


@pytest.mark.django_db
def test_issue_for_another_stores_customer_is_not_found(client, sales_a, store_b):
    customer = CustomerFactory(home_store=store_b)
    client.force_login(sales_a)
    response = client.post(reverse("loyalty:card-issue", kwargs={"pk": customer.pk}))
    assert response.status_code == 404
    assert not MemberCard.objects.exists()


@pytest.mark.django_db
def test_detail_shows_holder_members_history_and_balances(client, sales_a, store_a, owner):
    household = HouseholdFactory(store=store_a, name="Wang family")
    first = CustomerFactory(home_store=store_a, household=household, full_name="Wang Li")
    CustomerFactory(home_store=store_a, household=household, full_name="Wang Mei")
    old = card_issue(customer=first, actor=owner)
    points_award(card=old, points=40, reason="welcome", actor=owner)
    new = card_replace(card=old, actor=owner)
    client.force_login(sales_a)
    html = client.get(reverse("loyalty:card-detail", kwargs={"pk": new.pk})).content.decode()
    assert "Wang family" in html
    assert "Wang Li" in html
    assert "Wang Mei" in html
    history = html[html.index('id="card-history"') :]
    assert new.number in history
    assert old.number in history
    assert '<dd class="col-6 col-md-7" id="card-points">40</dd>' in html
    old_html = client.get(reverse("loyalty:card-detail", kwargs={"pk": old.pk})).content.decode()
    assert 'id="card-replaced-by"' in old_html
    assert new.number in old_html


ACTIONS = [
    ("loyalty:card-freeze", CardStatus.ACTIVE, CardStatus.FROZEN),
    ("loyalty:card-unfreeze", CardStatus.FROZEN, CardStatus.ACTIVE),
    ("loyalty:card-report-lost", CardStatus.ACTIVE, CardStatus.LOST),
    ("loyalty:card-replace", CardStatus.ACTIVE, CardStatus.REPLACED),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "before", "after"), ACTIONS)
def test_action_confirms_then_changes_the_card_and_is_audited(
    client, sales_a, card, url_name, before, after
):
    MemberCard.objects.filter(pk=card.pk).update(status=before)
    client.force_login(sales_a)
    url = reverse(url_name, kwargs={"pk": card.pk})
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert 'id="card-action-confirm"' in confirm.content.decode()
    response = client.post(url)
    card.refresh_from_db()
    assert card.status == after
    target = card.replaced_by_id or card.pk
    assert response.status_code == 302
    assert response["Location"] == reverse("loyalty:card-detail", kwargs={"pk": target})
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_pk=str(card.pk), actor=sales_a
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "before", "after"), ACTIONS)
def test_action_on_another_stores_card_is_not_found(client, sales_b, card, url_name, before, after):
    MemberCard.objects.filter(pk=card.pk).update(status=before)
    client.force_login(sales_b)
    events = AuditEvent.objects.count()
    assert client.post(reverse(url_name, kwargs={"pk": card.pk})).status_code == 404
    card.refresh_from_db()
    assert card.status == before
    assert MemberCard.objects.count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "before", "after"), ACTIONS)
def test_action_is_forbidden_without_the_capability(
    client, marketer_a, card, url_name, before, after
):
    MemberCard.objects.filter(pk=card.pk).update(status=before)
    client.force_login(marketer_a)
    url = reverse(url_name, kwargs={"pk": card.pk})
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    card.refresh_from_db()
    assert card.status == before
    assert MemberCard.objects.count() == 1


@pytest.mark.django_db
def test_action_refused_by_the_service_shows_the_reason(client, sales_a, card):
    client.force_login(sales_a)
    response = client.post(reverse("loyalty:card-unfreeze", kwargs={"pk": card.pk}))
    assert response.status_code == 400
    assert f"Card {card.number} is Active; this cannot be done now." in response.content.decode()
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


@pytest.mark.django_db
def test_print_page_renders_the_number_as_inline_code128_svg(client, marketer_a, card):
    client.force_login(marketer_a)
    response = client.get(reverse("loyalty:card-print", kwargs={"pk": card.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    barcode = html[html.index('id="card-barcode"') :]
    assert barcode.index("<svg") < barcode.index("</svg>")
    assert "<?xml" not in html
    # Code 128: 11 modules per symbol; start B, the characters, the check symbol, stop (13).
    svg = barcode[barcode.index("<svg") : barcode.index("</svg>")]
    assert svg.count("fill:black") > len(card.number) * 3
    assert "@media print" in html


@pytest.mark.django_db
def test_print_page_of_a_replaced_card_is_not_found(client, owner, card):
    card_replace(card=card, actor=owner)
    client.force_login(owner)
    assert client.get(reverse("loyalty:card-print", kwargs={"pk": card.pk})).status_code == 404


@pytest.mark.django_db
def test_ledger_page_and_its_htmx_partial(client, sales_a, card, owner):
    for index in range(30):
        points_award(card=card, points=index + 1, reason=f"visit {index}", actor=owner)
    client.force_login(sales_a)
    url = reverse("loyalty:card-ledger", kwargs={"pk": card.pk})
    page = client.get(url).content.decode()
    assert "<html" in page
    assert "30 transactions" in page
    assert "Page 1 of 2" in page
    assert page.count("data-transaction=") == 25
    assert "visit 29" in page
    partial = client.get(url, {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert partial.lstrip().startswith('<div id="card-ledger-rows">')
    assert partial.count("data-transaction=") == 5
    assert "visit 0" in partial


@pytest.mark.django_db
def test_ledger_page_runs_a_fixed_number_of_queries(client, sales_a, busy_card, owner):
    client.force_login(sales_a)
    url = reverse("loyalty:card-ledger", kwargs={"pk": busy_card.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(12):
        points_award(card=busy_card, points=5, reason=f"more {index}", actor=owner)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("data-transaction=") == 15
    assert len(many) == len(few)
