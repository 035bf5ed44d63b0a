"""Eligibility of a customer for a member event: each rule, with its reason."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.models import Membership, TierLevel
from guanxi.loyalty.services import package_sell, package_session_consume
from guanxi.loyalty.tests.factories import make_card
from guanxi.marketing.services import event_eligibility
from guanxi.marketing.tests.factories import MemberEventFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 5, 10, 12, 0))


def _event(store, year=2026, **rules):
    return MemberEventFactory(
        store=store,
        starts_at=timezone.make_aware(datetime.datetime(year, 6, 1, 14, 0)),
        ends_at=timezone.make_aware(datetime.datetime(year, 6, 1, 17, 0)),
        **rules,
    )


def _tier(rank):
    return TierLevel.objects.get(rank=rank)


def test_an_event_without_rules_admits_everyone(store_a):
    # given an event with no rule and a customer without a card
    event = _event(store_a)
    customer = CustomerFactory(home_store=store_a)

    # then the customer is eligible, with nothing checked
    result = event_eligibility(event=event, customer=customer, now=NOW)
    assert (result.eligible, result.checks) == (True, [])


def test_tier_rule_admits_the_tier_and_above(store_a, owner):
    # given an event for VIP (rank 2) and above, a VIP member and a Regular member
    event = _event(store_a, minimum_tier=_tier(2))
    vip = make_card(store_a, actor=owner)
    Membership.objects.filter(pk=vip.membership_id).update(tier=_tier(3))
    regular = make_card(store_a, actor=owner)

    # then the VIP Health Star member passes and the member on the lowest rung does not
    passed = event_eligibility(event=event, customer=vip.membership.customer, now=NOW)
    failed = event_eligibility(event=event, customer=regular.membership.customer, now=NOW)
    assert (passed.eligible, passed.checks[0].message) == (True, "Tier VIP Health Star.")
    assert failed.eligible is False
    assert failed.reasons == ["Needs the tier VIP or higher; the customer is Regular."]


def test_tier_rule_refuses_a_customer_without_a_card(store_a):
    event = _event(store_a, minimum_tier=_tier(2))
    customer = CustomerFactory(home_store=store_a)

    result = event_eligibility(event=event, customer=customer, now=NOW)

    assert result.reasons == ["Needs the tier VIP or higher; the customer has no member card."]


def test_spend_rule_counts_from_the_day_given(store_a, owner, spend):
    # given an event for a spend of 2,000 since 1 March, and a member who spent 2,000.00
    event = _event(store_a, minimum_spend=Decimal("2000.00"), spend_since=datetime.date(2026, 3, 1))
    card = make_card(store_a, actor=owner)
    spend.amounts[card.membership_id] = Decimal("2000.00")

    # when checked
    result = event_eligibility(event=event, customer=card.membership.customer, now=NOW)

    # then the spend since local midnight of 1 March reaches the minimum
    assert result.eligible is True
    assert result.checks[0].message == "Spent CN¥2,000.00 since 2026-03-01."
    assert spend.calls == [
        (card.membership_id, timezone.make_aware(datetime.datetime(2026, 3, 1, 0, 0)))
    ]


def test_spend_rule_over_the_last_days_refuses_a_spend_below_the_minimum(store_a, owner, spend):
    # given an event for a spend of 2,000 over the last 30 days, and a member who spent 1,999.99
    event = _event(store_a, minimum_spend=Decimal("2000.00"), spend_days=30)
    card = make_card(store_a, actor=owner)
    spend.amounts[card.membership_id] = Decimal("1999.99")

    # when checked
    result = event_eligibility(event=event, customer=card.membership.customer, now=NOW)

    # then 30 days before now are counted, and the customer falls short
    assert spend.calls == [(card.membership_id, NOW - datetime.timedelta(days=30))]
    assert result.reasons == [
        "Needs a spend of CN¥2,000.00 since 2026-04-10; the customer spent CN¥1,999.99."
    ]


def test_spend_rule_without_a_period_counts_every_purchase(store_a, owner, spend):
    event = _event(store_a, minimum_spend=Decimal("500.00"))
    card = make_card(store_a, actor=owner)
    spend.amounts[card.membership_id] = Decimal("120.50")

    result = event_eligibility(event=event, customer=card.membership.customer, now=NOW)

    assert spend.calls == [(card.membership_id, None)]
    assert result.reasons == ["Needs a spend of CN¥500.00; the customer spent CN¥120.50 in all."]


def test_spend_rule_sums_every_source(store_a, owner, monkeypatch):
    # given two spend sources (say, orders and an imported history)
    from guanxi.loyalty.services import tiers

    monkeypatch.setattr(
        tiers,
        "_SPEND_SOURCES",
        [lambda m, since: Decimal("300.00"), lambda m, since: Decimal("200.00")],
    )
    event = _event(store_a, minimum_spend=Decimal("500.00"))
    card = make_card(store_a, actor=owner)

    # then their sum counts
    result = event_eligibility(event=event, customer=card.membership.customer, now=NOW)
    assert result.checks[0].message == "Spent CN¥500.00 in all."


def test_package_rule_needs_sessions_left_valid_on_the_event_day(store_a, owner):
    # given an event on 1 June 2030 that requires a package
    event = _event(store_a, year=2030, requires_package=True)
    valid = make_card(store_a, actor=owner)
    package_sell(
        card=valid,
        service_name="Facial",
        sessions=5,
        valid_until=datetime.date(2030, 6, 1),
        actor=owner,
    )
    expired = make_card(store_a, actor=owner)
    package_sell(
        card=expired,
        service_name="Facial",
        sessions=5,
        valid_until=datetime.date(2030, 5, 31),
        actor=owner,
    )
    used_up = make_card(store_a, actor=owner)
    package = package_sell(
        card=used_up,
        service_name="Massage",
        sessions=1,
        valid_until=datetime.date(2030, 12, 31),
        actor=owner,
    )
    package_session_consume(package=package, beautician=owner, visit="v1", actor=owner)

    # then only the package valid on the day with sessions left counts
    ok = event_eligibility(event=event, customer=valid.membership.customer, now=NOW)
    assert (ok.eligible, ok.checks[0].message) == (True, "Holds Facial with 5 sessions left.")
    reason = ["Needs a treatment package with sessions left, valid on 2030-06-01."]
    assert event_eligibility(event=event, customer=expired.membership.customer).reasons == reason
    assert event_eligibility(event=event, customer=used_up.membership.customer).reasons == reason


def test_every_failed_rule_gives_its_reason(store_a, spend):
    # given an event with all three rules and a customer without a card
    event = _event(
        store_a, minimum_tier=_tier(2), minimum_spend=Decimal("100.00"), requires_package=True
    )
    customer = CustomerFactory(home_store=store_a)

    # then three reasons, in the order tier, spend, package
    assert [c.rule for c in event_eligibility(event=event, customer=customer).checks] == [
        "tier",
        "spend",
        "package",
    ]
    assert len(event_eligibility(event=event, customer=customer).reasons) == 3


def test_an_erased_customer_is_never_eligible(store_a):
    event = _event(store_a)
    customer = CustomerFactory(home_store=store_a, erased_at=NOW)

    assert event_eligibility(event=event, customer=customer).reasons == [
        "The customer's personal data was erased."
    ]
