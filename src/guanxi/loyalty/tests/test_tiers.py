"""The tier ladder: thresholds, upgrades with history, audit and timeline, downgrades by policy,
the nightly re-evaluation and the spend registry."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import translation

from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory
from guanxi.loyalty.choices import TierBasis, TierChangeReason
from guanxi.loyalty.models import LoyaltySettings, Membership, TierChange, TierLevel
from guanxi.loyalty.selectors import tier_history
from guanxi.loyalty.services import card_issue, tiers
from guanxi.loyalty.services.tiers import tier_evaluate, tier_for_spend, tier_reevaluate_all

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def level(name_en):
    return TierLevel.objects.get(name_en=name_en)


@pytest.fixture
def household_card(store_a, owner):
    household = HouseholdFactory(store=store_a)
    first = CustomerFactory(home_store=store_a, household=household, full_name="Li Na")
    CustomerFactory(home_store=store_a, household=household, full_name="Wang Wei")
    return card_issue(customer=first, actor=owner)


@pytest.fixture
def allow_downgrade():
    LoyaltySettings.objects.update_or_create(pk=1, defaults={"tier_downgrade_allowed": True})


@pytest.fixture
def no_spend_sources(monkeypatch):
    monkeypatch.setattr(tiers, "_SPEND_SOURCES", [])


@pytest.mark.parametrize(
    ("spend", "expected"),
    [
        ("0.00", "Regular"),
        ("2999.99", "Regular"),
        ("3000.00", "VIP"),
        ("9999.99", "VIP"),
        ("10000.00", "VIP Health Star"),
        ("29999.99", "VIP Health Star"),
        ("30000.00", "VIP Health Angel"),
        ("1000000.00", "VIP Health Angel"),
    ],
    ids=lambda value: value if isinstance(value, str) and value[0].isdigit() else None,
)
def test_thresholds_map_to_the_level_whose_threshold_is_reached(spend, expected):
    # given the default ladder (data migration 0004)
    # when / then
    assert tier_for_spend(Decimal(spend)).name_en == expected


def test_an_empty_ladder_reaches_no_level():
    TierLevel.objects.all().delete()
    assert tier_for_spend(Decimal("50000")) is None


def test_name_follows_the_active_language():
    vip_star = level("VIP Health Star")

    with translation.override("zh-hans"):
        assert vip_star.name == "VIP健康之星"
    with translation.override("zh-hant"):
        assert str(vip_star) == "VIP健康之星"
    with translation.override("en"):
        assert vip_star.name == "VIP Health Star"


def test_upgrade_records_history_audit_and_timeline_on_every_household_member(
    household_card, owner, django_capture_on_commit_callbacks
):
    # given a household membership on the lowest tier (empty)
    membership = household_card.membership
    assert membership.tier_id is None
    # when a checkout brings the spend to 3,000.00
    with django_capture_on_commit_callbacks(execute=True):
        change = tier_evaluate(
            membership=membership,
            spend=Decimal("3000"),
            reason=TierChangeReason.CHECKOUT,
            actor=owner,
        )
    # then the membership is VIP and the move is in its history
    membership.refresh_from_db()
    assert membership.tier == level("VIP")
    history = list(tier_history(membership))
    assert history == [change]
    assert (change.from_level, change.to_level, change.reason, change.spend, change.actor) == (
        None,
        level("VIP"),
        TierChangeReason.CHECKOUT,
        Decimal("3000.00"),
        owner,
    )
    audit = AuditEvent.objects.filter(
        object_type="loyalty.membership", object_pk=str(membership.pk), actor=owner
    )
    assert audit.filter(message="Tier changed from Regular to VIP (Upgrade at checkout).").exists()
    assert audit.filter(changes__tier=[None, level("VIP").pk]).exists()
    # and every household member's timeline says so (Huey runs immediately in tests)
    events = TimelineEvent.objects.filter(domain="loyalty", kind="tier_upgrade")
    names = dict(Customer.objects.values_list("pk", "full_name"))
    assert sorted((names[e.customer_id], e.title) for e in events) == [
        ("Li Na", "Upgraded to VIP"),
        ("Wang Wei", "Upgraded to VIP"),
    ]


def test_upgrade_of_a_single_customer_reaches_that_customer(
    card, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tier_evaluate(
            membership=card.membership,
            spend=Decimal("30000"),
            reason=TierChangeReason.CHECKOUT,
            actor=owner,
        )
    events = TimelineEvent.objects.filter(domain="loyalty", kind="tier_upgrade")
    assert [(e.customer_id, e.title) for e in events] == [
        (card.membership.customer_id, "Upgraded to VIP Health Angel")
    ]


def test_same_tier_records_nothing(card, owner):
    change = tier_evaluate(
        membership=card.membership,
        spend=Decimal("2999.99"),
        reason=TierChangeReason.CHECKOUT,
        actor=owner,
    )
    assert change is None
    assert TierChange.objects.count() == 0
    assert Membership.objects.get(pk=card.membership_id).tier_id is None


@pytest.mark.parametrize(
    "reason_case", [TierChangeReason.CHECKOUT, TierChangeReason.MANUAL], ids=str
)
def test_no_downgrade_except_on_reevaluation(card, owner, allow_downgrade, reason_case):
    # given a VIP Health Star and a policy that allows downgrades
    Membership.objects.filter(pk=card.membership_id).update(tier=level("VIP Health Star"))
    # when a checkout (or a hand re-evaluation) sees a lower spend
    change = tier_evaluate(
        membership=card.membership, spend=Decimal("100"), reason=reason_case, actor=owner
    )
    # then the tier stays
    assert change is None
    assert Membership.objects.get(pk=card.membership_id).tier == level("VIP Health Star")
    assert TierChange.objects.count() == 0


def test_reevaluation_does_not_downgrade_when_the_policy_forbids(card):
    Membership.objects.filter(pk=card.membership_id).update(tier=level("VIP Health Star"))
    change = tier_evaluate(
        membership=card.membership,
        spend=Decimal("3000"),
        reason=TierChangeReason.REEVALUATION,
        actor=None,
    )
    assert change is None
    assert Membership.objects.get(pk=card.membership_id).tier == level("VIP Health Star")


def test_reevaluation_downgrades_when_the_policy_allows_without_timeline(
    card, allow_downgrade, django_capture_on_commit_callbacks
):
    Membership.objects.filter(pk=card.membership_id).update(tier=level("VIP Health Star"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        change = tier_evaluate(
            membership=card.membership,
            spend=Decimal("3000"),
            reason=TierChangeReason.REEVALUATION,
            actor=None,
        )
    assert (change.from_level, change.to_level, change.actor) == (
        level("VIP Health Star"),
        level("VIP"),
        None,
    )
    assert Membership.objects.get(pk=card.membership_id).tier == level("VIP")
    assert callbacks == []
    assert TimelineEvent.objects.filter(kind="tier_upgrade").count() == 0


def test_reevaluation_without_spend_source_does_nothing(card, no_spend_sources, caplog):
    caplog.set_level("INFO", logger="guanxi.loyalty.services.tiers")
    assert tier_reevaluate_all() == 0
    assert "no spend source is registered" in caplog.text
    assert TierChange.objects.count() == 0


def test_reevaluation_sums_registered_sources_since_the_basis(
    card, owner, no_spend_sources, django_capture_on_commit_callbacks
):
    # given two spend sources and a rolling-12-months basis
    LoyaltySettings.objects.update_or_create(
        pk=1, defaults={"tier_basis": TierBasis.ROLLING_12_MONTHS}
    )
    seen = []

    def orders(membership, since):
        seen.append(since)
        return Decimal("6000")

    tiers.tier_spend_register(orders)
    tiers.tier_spend_register(lambda membership, since: Decimal("4000"))
    # when the nightly job runs
    with django_capture_on_commit_callbacks(execute=True):
        changed = tier_reevaluate_all(now=NOW)
    # then 10,000 reaches VIP Health Star, judged on the last 12 months
    assert changed == 1
    change = TierChange.objects.get()
    assert (change.to_level, change.reason, change.spend) == (
        level("VIP Health Star"),
        TierChangeReason.REEVALUATION,
        Decimal("10000.00"),
    )
    assert seen == [datetime.datetime(2025, 11, 23, 9, 0, tzinfo=datetime.UTC)]


def test_lifetime_basis_asks_for_spend_since_ever():
    assert tiers.tier_spend_since(basis=TierBasis.LIFETIME) is None


def test_tier_history_is_append_only(card, owner):
    change = tier_evaluate(
        membership=card.membership,
        spend=Decimal("3000"),
        reason=TierChangeReason.CHECKOUT,
        actor=owner,
    )
    with pytest.raises(DatabaseError, match="loyalty_tierchange is append-only"):
        with transaction.atomic():
            TierChange.objects.filter(pk=change.pk).update(spend=Decimal("1"))
    assert TierChange.objects.get(pk=change.pk).spend == Decimal("3000.00")
