"""Referral rewards: paid once to the referrer's card when the referred customer first buys."""

import pytest

from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import LedgerTransaction, LoyaltySettings, ReferralReward
from guanxi.loyalty.selectors import card_balances, loyalty_settings_get
from guanxi.loyalty.services import (
    card_freeze,
    card_issue,
    ledger_reconcile,
    referral_reward_on_purchase,
)
from guanxi.loyalty.tests.factories import make_card

pytestmark = pytest.mark.django_db


def _points(card):
    return card_balances(card)[AccountKind.POINTS]


def test_first_purchase_pays_the_referrer_the_configured_points(store_a, owner):
    # given a referrer with a card and a customer they referred
    referrer_card = make_card(store_a, actor=owner, full_name="李推荐")
    referrer = referrer_card.membership.customer
    referred = CustomerFactory(home_store=store_a, referrer=referrer, full_name="张新客")

    # when the referred customer buys for the first time
    reward = referral_reward_on_purchase(
        customer=referred, reference="ORD-1", actor=owner, store_id=store_a.pk
    )

    # then the referrer's card gets 500 points, recorded, audited and on their timeline
    assert reward is not None
    assert (reward.status, reward.points, reward.skip_reason) == ("paid", 500, "")
    assert (reward.referrer_id, reward.referred_id, reward.reference) == (
        referrer.pk,
        referred.pk,
        "ORD-1",
    )
    assert reward.membership_id == referrer_card.membership_id
    assert _points(referrer_card) == 500
    posting = LedgerTransaction.objects.get(pk=reward.ledger_transaction_id)
    assert (posting.reference, posting.memo) == (
        "ORD-1",
        f"Referral reward (customer #{referred.pk})",
    )
    audit = AuditEvent.objects.get(object_type="loyalty.referralreward", object_pk=str(reward.pk))
    assert (audit.action, audit.changes["points"], audit.actor_id) == (
        "create",
        [None, 500],
        owner.pk,
    )
    event = TimelineEvent.objects.get(customer_id=referrer.pk, kind="referral_reward")
    assert event.title == "Referral reward: 500 points for 张新客"
    assert (event.object_type, event.object_pk) == ("customers.customer", str(referred.pk))
    assert ledger_reconcile() == []


def test_second_purchase_pays_nothing_more(store_a, owner):
    # given a referral already paid on the first purchase
    referrer_card = make_card(store_a, actor=owner)
    referred = CustomerFactory(home_store=store_a, referrer=referrer_card.membership.customer)
    first = referral_reward_on_purchase(
        customer=referred, reference="ORD-1", actor=owner, store_id=store_a.pk
    )

    # when the customer buys again
    second = referral_reward_on_purchase(
        customer=referred, reference="ORD-2", actor=owner, store_id=store_a.pk
    )

    # then nothing more is paid
    assert first is not None
    assert second is None
    assert ReferralReward.objects.count() == 1
    assert _points(referrer_card) == 500


def test_the_configured_reward_size_is_paid(store_a, owner):
    # given a reward of 120 points
    loyalty_settings_get()
    LoyaltySettings.objects.update(referral_reward_points=120)
    referrer_card = make_card(store_a, actor=owner)
    referred = CustomerFactory(home_store=store_a, referrer=referrer_card.membership.customer)

    # when the referred customer buys
    reward = referral_reward_on_purchase(
        customer=referred, reference="ORD-9", actor=owner, store_id=store_a.pk
    )

    # then 120 points are paid
    assert reward.points == 120
    assert _points(referrer_card) == 120


def test_a_customer_without_a_referrer_settles_nothing(store_a, owner):
    # given a customer nobody referred
    customer = CustomerFactory(home_store=store_a)

    # when they buy
    result = referral_reward_on_purchase(
        customer=customer, reference="ORD-1", actor=owner, store_id=store_a.pk
    )

    # then nothing is recorded
    assert result is None
    assert ReferralReward.objects.count() == 0


def test_a_reward_of_zero_points_turns_referrals_off(store_a, owner):
    # given the reward set to 0
    loyalty_settings_get()
    LoyaltySettings.objects.update(referral_reward_points=0)
    referrer_card = make_card(store_a, actor=owner)
    referred = CustomerFactory(home_store=store_a, referrer=referrer_card.membership.customer)

    # when the referred customer buys
    result = referral_reward_on_purchase(
        customer=referred, reference="ORD-1", actor=owner, store_id=store_a.pk
    )

    # then nothing is paid nor settled
    assert result is None
    assert ReferralReward.objects.count() == 0
    assert _points(referrer_card) == 0


def test_a_referrer_without_a_card_is_skipped_with_the_reason(store_a, owner):
    # given a referrer who has no card
    referrer = CustomerFactory(home_store=store_a)
    referred = CustomerFactory(home_store=store_a, referrer=referrer)

    # when the referred customer buys
    reward = referral_reward_on_purchase(
        customer=referred, reference="ORD-1", actor=owner, store_id=store_a.pk
    )

    # then the referral is settled as skipped, and a card issued later does not get it
    assert (reward.status, reward.skip_reason, reward.points) == ("skipped", "referrer_no_card", 0)
    assert reward.get_skip_reason_display() == "The referrer has no member card"
    assert reward.ledger_transaction_id is None
    card = card_issue(customer=referrer, actor=owner)
    again = referral_reward_on_purchase(
        customer=referred, reference="ORD-2", actor=owner, store_id=store_a.pk
    )
    assert again is None
    assert _points(card) == 0
    assert not TimelineEvent.objects.filter(kind="referral_reward").exists()


def test_a_frozen_referrer_card_is_skipped_without_stopping_the_sale(store_a, owner):
    # given a referrer whose card is frozen
    referrer_card = make_card(store_a, actor=owner)
    card_freeze(card=referrer_card, actor=owner)
    referred = CustomerFactory(home_store=store_a, referrer=referrer_card.membership.customer)

    # when the referred customer buys
    reward = referral_reward_on_purchase(
        customer=referred, reference="ORD-1", actor=owner, store_id=store_a.pk
    )

    # then nothing is raised and the referral is skipped with the reason
    assert (reward.status, reward.skip_reason) == ("skipped", "referrer_card_not_active")
    assert _points(referrer_card) == 0


def test_an_erased_referrer_is_skipped(store_a, owner):
    # given a referrer whose personal data was erased (card kept for the accounts)
    referrer_card = make_card(store_a, actor=owner)
    referrer = referrer_card.membership.customer
    type(referrer).objects.filter(pk=referrer.pk).update(erased_at="2026-01-01T00:00:00Z")
    referred = CustomerFactory(home_store=store_a, referrer=referrer)

    # when the referred customer buys
    reward = referral_reward_on_purchase(
        customer=referred, reference="ORD-1", actor=owner, store_id=store_a.pk
    )

    # then the referral is skipped and no points move
    assert (reward.status, reward.skip_reason) == ("skipped", "referrer_erased")
    assert _points(referrer_card) == 0


def test_a_household_referrer_is_paid_on_the_household_card(store_a, owner):
    # given a referrer in a household whose card is the household's
    from guanxi.customers.models import Household

    household = Household.objects.create(name="王家", store=store_a)
    referrer = CustomerFactory(home_store=store_a, household=household)
    card = card_issue(customer=referrer, actor=owner)
    referred = CustomerFactory(home_store=store_a, referrer=referrer)

    # when the referred customer buys
    reward = referral_reward_on_purchase(
        customer=referred, reference="ORD-1", actor=owner, store_id=store_a.pk
    )

    # then the household's card gets the points
    assert card.membership.household_id == household.pk
    assert reward.membership_id == card.membership_id
    assert _points(card) == 500
