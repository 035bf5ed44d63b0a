"""The member-card panel of the customer page and the card page: tier progress, points expiring
soon, the paid/bonus split of stored value, packages, the last entries and the tier history."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from guanxi.loyalty.card_panel import card_panel
from guanxi.loyalty.choices import SpendingOrder, TierBasis, TierChangeReason
from guanxi.loyalty.models import (
    LoyaltySettings,
    Membership,
    PointLot,
    ServicePackage,
    TierLevel,
)
from guanxi.loyalty.selectors import points_expiring_soon, tier_progress
from guanxi.loyalty.services import (
    bonus_rule_create,
    loyalty_settings_update,
    package_sell,
    package_session_consume,
    points_award,
    stored_value_spend,
    stored_value_topup,
)
from guanxi.loyalty.services import tiers as tier_services
from guanxi.loyalty.services.tiers import tier_evaluate

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def spend_of(monkeypatch):
    """Register a spend source that returns ``amount`` and records the ``since`` it was given."""
    calls = []

    def register(amount):
        def source(membership, since):
            calls.append((membership.pk, since))
            return Decimal(amount)

        monkeypatch.setattr(tier_services, "_SPEND_SOURCES", [source])
        return calls

    return register


@pytest.fixture
def no_spend_source(monkeypatch):
    monkeypatch.setattr(tier_services, "_SPEND_SOURCES", [])


def panel_html(client, user, card):
    client.force_login(user)
    url = reverse("customers:customer-detail", kwargs={"pk": card.membership.customer_id})
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('id="card-panel"')
    return html[start : html.index("</section>", start)]


def _midnight(day):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=SHANGHAI)


# --- Tier and progress ----------------------------------------------------------------------------


def test_progress_to_the_next_tier_is_exact(client, sales_a, card, spend_of):
    # given the default ladder (VIP from 3,000) and a lifetime spend of 1,200.00
    calls = spend_of("1200.00")
    # when the customer page is opened
    panel = panel_html(client, sales_a, card)
    # then the panel shows Regular, 1,800.00 to go and a bar at 40 %
    assert 'id="card-tier-name">Regular</strong>' in panel
    assert "Lifetime spend: CN¥1,200.00" in panel
    assert "CN¥1,800.00 more to reach VIP" in panel
    assert 'aria-valuenow="40"' in panel
    assert 'style="width: 40%"' in panel
    assert 'aria-label="Progress to VIP"' in panel
    assert calls == [(card.membership_id, None)]


def test_progress_uses_the_rolling_year_when_configured(card, spend_of):
    LoyaltySettings.objects.update_or_create(
        pk=1, defaults={"tier_basis": TierBasis.ROLLING_12_MONTHS}
    )
    calls = spend_of("9999.99")
    Membership.objects.filter(pk=card.membership_id).update(tier=TierLevel.objects.get(rank=2))
    card.membership.refresh_from_db()
    before = timezone.now()

    progress = tier_progress(membership=card.membership)

    after = timezone.now()
    (membership_pk, since), *_rest = calls
    assert membership_pk == card.membership_id
    assert before - datetime.timedelta(days=365) <= since <= after - datetime.timedelta(days=365)
    assert progress.level.name_en == "VIP"
    assert progress.next_level.name_en == "VIP Health Star"
    assert progress.spend == Decimal("9999.99")
    assert progress.remaining == Decimal("0.01")
    assert progress.percent == 99
    assert progress.basis_label == "Spend in the last 12 months"
    assert progress.reached is None


def test_spend_past_the_next_threshold_says_the_tier_will_move(client, sales_a, card, spend_of):
    spend_of("12000.00")
    panel = panel_html(client, sales_a, card)
    assert 'id="card-tier-name">Regular</strong>' in panel
    assert (
        "The spend already reaches VIP Health Star: the tier moves up at the next purchase or "
        "the nightly re-evaluation."
    ) in panel
    assert 'id="card-tier-bar"' not in panel


def test_the_highest_tier_shows_no_bar(client, sales_a, card, spend_of):
    Membership.objects.filter(pk=card.membership_id).update(tier=TierLevel.objects.get(rank=4))
    spend_of("45000.00")
    panel = panel_html(client, sales_a, card)
    assert 'id="card-tier-name">VIP Health Angel</strong>' in panel
    assert "12% off" in panel
    assert "The highest tier." in panel
    assert 'id="card-tier-bar"' not in panel


def test_without_a_spend_source_the_tier_shows_without_progress(
    client, sales_a, card, no_spend_source
):
    panel = panel_html(client, sales_a, card)
    assert 'id="card-tier-name">Regular</strong>' in panel
    assert 'id="card-tier-spend"' not in panel
    assert 'id="card-tier-bar"' not in panel
    assert "more to reach" not in panel


def test_without_a_ladder_there_is_no_tier(client, sales_a, card, spend_of):
    spend_of("500.00")
    TierLevel.objects.all().delete()
    panel = panel_html(client, sales_a, card)
    assert 'id="card-tier"' not in panel
    assert tier_progress(membership=card.membership) is None


# --- Points expiring soon -------------------------------------------------------------------------


def test_expiring_points_give_the_earliest_last_day_and_its_amount(card, owner):
    # given four batches: 120 expiring at midnight after 31 Dec 2026, 30 in the afternoon of
    # 31 Dec, 80 on 10 Jan 2027 and 500 on 1 Mar 2027 (beyond 60 days)
    now = datetime.datetime(2026, 11, 15, 10, 0, tzinfo=SHANGHAI)
    expiries = [
        (120, _midnight(datetime.date(2027, 1, 1))),
        (30, datetime.datetime(2026, 12, 31, 15, 0, tzinfo=SHANGHAI)),
        (80, datetime.datetime(2027, 1, 10, 14, 0, tzinfo=SHANGHAI)),
        (500, _midnight(datetime.date(2027, 3, 1))),
    ]
    for points, expires_at in expiries:
        points_award(card=card, points=points, reason="gift", actor=owner)
        lot = PointLot.objects.filter(points=points).get()
        PointLot.objects.filter(pk=lot.pk).update(expires_at=expires_at)
    # when the expiry is read on 15 Nov 2026
    expiry = points_expiring_soon(membership_id=card.membership_id, now=now)
    # then 150 expire after 31 Dec 2026, 230 in all within 60 days
    assert expiry.first_date == datetime.date(2026, 12, 31)
    assert expiry.first_points == 150
    assert expiry.total == 230
    assert expiry.horizon_days == 60


def test_no_points_expiring_within_60_days(card, owner):
    points_award(card=card, points=70, reason="gift", actor=owner)
    PointLot.objects.update(expires_at=timezone.now() + datetime.timedelta(days=61))
    expiry = points_expiring_soon(membership_id=card.membership_id)
    assert (expiry.total, expiry.first_date, expiry.first_points) == (0, None, 0)


def test_panel_says_when_points_expire(client, sales_a, card, owner):
    # given 120 points valid through the day in 20 days and 45 through the day in 40 days
    first_day = timezone.localdate() + datetime.timedelta(days=20)
    points_award(card=card, points=120, reason="gift", actor=owner)
    PointLot.objects.filter(points=120).update(
        expires_at=_midnight(first_day + datetime.timedelta(days=1))
    )
    points_award(card=card, points=45, reason="gift", actor=owner)
    PointLot.objects.filter(points=45).update(
        expires_at=_midnight(first_day + datetime.timedelta(days=21))
    )
    # when the panel is shown
    panel = panel_html(client, sales_a, card)
    # then it names the first date and amount, and the total
    assert '<dd class="col-6 col-md-7" id="card-points">165 ' in panel
    assert f"120 points expire on {date_format(first_day, 'DATE_FORMAT')}" in panel
    assert "165 points in all within 60 days" in panel


def test_panel_expiry_date_is_localized(client, sales_a, card, owner):
    first_day = timezone.localdate() + datetime.timedelta(days=10)
    points_award(card=card, points=1, reason="gift", actor=owner)
    PointLot.objects.update(expires_at=_midnight(first_day + datetime.timedelta(days=1)))
    sales_a.language = "zh-hans"
    sales_a.save(update_fields=["language"])
    client.force_login(sales_a)
    url = reverse("customers:customer-detail", kwargs={"pk": card.membership.customer_id})
    html = client.get(url).content.decode()
    assert f"{first_day.year}年{first_day.month}月{first_day.day}日" in html


# --- Stored value, packages, entries -------------------------------------------------------------


def test_stored_value_is_split_into_paid_and_bonus(client, sales_a, card, owner):
    # given top up 1,000 get 100, a top-up of 1,000 and, bonus first, a spend of 150
    bonus_rule_create(store=None, minimum_topup=Decimal("1000"), bonus=Decimal("100"), actor=owner)
    stored_value_topup(card=card, amount=Decimal("1000.00"), payment="cash", actor=owner)
    loyalty_settings_update(
        data={"stored_value_spending_order": SpendingOrder.BONUS_FIRST}, actor=owner
    )
    stored_value_spend(card=card, amount=Decimal("150.00"), actor=owner)
    # when the panel is shown
    panel = panel_html(client, sales_a, card)
    # then the bonus is spent and 50 came out of the paid value
    assert '<dd class="col-6 col-md-7 fw-semibold" id="card-stored-value">CN¥950.00</dd>' in panel
    assert '<dd class="col-6 col-md-7" id="card-principal">CN¥950.00</dd>' in panel
    assert '<dd class="col-6 col-md-7" id="card-bonus">CN¥0.00</dd>' in panel


def test_packages_show_sessions_left_and_grey_out_expired_ones(
    client, sales_a, card, owner, make_staff, store_a
):
    beautician = make_staff(stores=[store_a])
    valid_until = timezone.localdate() + datetime.timedelta(days=90)
    facial = package_sell(
        card=card, service_name="Facial", sessions=10, valid_until=valid_until, actor=owner
    )
    for visit in ("v1", "v2", "v3"):
        package_session_consume(package=facial, beautician=beautician, visit=visit, actor=owner)
    massage = package_sell(
        card=card, service_name="Massage", sessions=5, valid_until=valid_until, actor=owner
    )
    ServicePackage.objects.filter(pk=massage.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    panel = panel_html(client, sales_a, card)
    facial_row = panel[panel.index(f'data-package="{facial.pk}"') :].split("</tr>")[0]
    massage_row = panel[panel.index(f'data-package="{massage.pk}"') :].split("</tr>")[0]
    assert "7 of 10" in facial_row
    assert "text-body-secondary" not in facial_row
    assert f'datetime="{valid_until:%Y-%m-%d}"' in facial_row
    assert "5 of 5" in massage_row
    assert 'class="text-body-secondary"' in massage_row
    assert "expired" in massage_row


def test_panel_shows_the_last_five_entries_and_links_the_ledger(client, sales_a, card, owner):
    for index in range(7):
        points_award(card=card, points=index + 1, reason=f"visit {index}", actor=owner)
    panel = panel_html(client, sales_a, card)
    assert panel.count("data-transaction=") == 5
    assert "visit 6" in panel
    assert "visit 1" not in panel
    assert reverse("loyalty:card-ledger", kwargs={"pk": card.pk}) in panel


# --- Bounded queries ------------------------------------------------------------------------------


def _render_panel(user, customer):
    request = RequestFactory().get("/")
    request.user = user
    context = card_panel(request, customer)
    return render_to_string(
        "loyalty/partials/_card_panel.html", {"customer": customer, **context}, request=request
    )


def _grow(card, owner, rounds):
    for index in range(rounds):
        points_award(card=card, points=10, reason=f"r{index}", actor=owner)
        PointLot.objects.filter(transaction__memo=f"r{index}").update(
            expires_at=timezone.now() + datetime.timedelta(days=5 + index)
        )
        package_sell(
            card=card,
            service_name=f"Package {index}",
            sessions=3,
            valid_until=timezone.localdate() + datetime.timedelta(days=30),
            actor=owner,
        )


def test_panel_queries_are_bounded(sales_a, card, owner, spend_of, django_assert_max_num_queries):
    # given a card with a little history, and one spend source (itself no query here)
    spend_of("100.00")
    customer = card.membership.customer
    _grow(card, owner, 2)
    _render_panel(sales_a, customer)  # warm the settings row and the user's stores
    # when the card has many more entries, lots and packages, the panel still runs at most 10
    _grow(card, owner, 12)
    with django_assert_max_num_queries(10):
        html = _render_panel(sales_a, customer)
    assert html.count("data-package=") == 14
    assert "20 points expire on" in html  # the two lots due in five days
    assert "140 points in all within 60 days" in html


# --- The card page ---------------------------------------------------------------------------------


def test_card_page_shows_the_tier_and_its_history(client, sales_a, card, owner, spend_of):
    spend_of("3500.00")
    tier_evaluate(
        membership=card.membership,
        spend=Decimal("3500.00"),
        reason=TierChangeReason.CHECKOUT,
        actor=owner,
    )
    client.force_login(sales_a)
    html = client.get(reverse("loyalty:card-detail", kwargs={"pk": card.pk})).content.decode()
    assert 'id="card-tier-name">VIP</strong>' in html
    assert "CN¥6,500.00 more to reach VIP Health Star" in html
    history = html[html.index('id="card-tier-history"') :].split("</table>")[0]
    assert history.count("data-tier-change=") == 1
    assert "Regular → VIP" in history
    assert "Upgrade at checkout" in history
    assert "CN¥3,500.00" in history
    # the embedded panel leaves out what the page shows itself
    assert html.count('id="card-points"') == 1
    assert 'id="card-panel"' not in html


def test_card_page_without_tier_changes_says_so(client, sales_a, card, no_spend_source):
    client.force_login(sales_a)
    html = client.get(reverse("loyalty:card-detail", kwargs={"pk": card.pk})).content.decode()
    assert "The tier has not changed since the card was issued." in html
