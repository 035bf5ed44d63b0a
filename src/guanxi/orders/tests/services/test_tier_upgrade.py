"""Tier spend and the upgrade at checkout: the household's membership moves up, once."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core.models import TimelineEvent
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory
from guanxi.loyalty.choices import TierBasis, TierChangeReason
from guanxi.loyalty.models import LoyaltySettings, Membership, TierChange
from guanxi.loyalty.selectors import loyalty_settings_get
from guanxi.loyalty.services.tiers import tier_spend_sources
from guanxi.loyalty.tests.factories import make_card
from guanxi.orders.choices import OrderSource
from guanxi.orders.services import order_return, order_spend
from guanxi.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def household_card(store_a, owner):
    household = HouseholdFactory(store=store_a, name="The Lins")
    card = make_card(store_a, actor=owner, household=household, full_name="Lin Mei")
    CustomerFactory(home_store=store_a, household=household, full_name="Lin Hua")
    return card


def test_orders_are_the_registered_tier_spend_source():
    assert order_spend in tier_spend_sources()


def test_crossing_the_threshold_at_checkout_upgrades_the_household(
    store_a, household_card, sales_a, django_capture_on_commit_callbacks
):
    # given a household that has spent 2,000.00 (Regular; VIP starts at 3,000.00)
    mei = household_card.membership.household.members.get(full_name="Lin Mei")
    hua = household_card.membership.household.members.get(full_name="Lin Hua")
    with django_capture_on_commit_callbacks(execute=True):
        make_order(store_a, sales_a, price="2000.00", customer=mei)
    membership = Membership.objects.get(pk=household_card.membership_id)
    assert membership.tier is None

    # when the other member of the household buys for 1,000.00
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(store_a, sales_a, price="1000.00", customer=hua)

    # then the household's membership, and so its card, is VIP, upgraded at checkout
    assert order.card == household_card
    membership.refresh_from_db()
    assert membership.tier.name_en == "VIP"
    change = TierChange.objects.get()
    assert (change.reason, change.spend, change.to_level.name_en, change.actor) == (
        TierChangeReason.CHECKOUT,
        D("3000.00"),
        "VIP",
        sales_a,
    )
    # and a notification went to both members' timelines
    assert sorted(
        TimelineEvent.objects.filter(kind="tier_upgrade").values_list("customer_id", "title")
    ) == sorted([(mei.pk, "Upgraded to VIP"), (hua.pk, "Upgraded to VIP")])

    # when they buy again, nothing more changes; a return does not lower the tier at checkout
    with django_capture_on_commit_callbacks(execute=True):
        make_order(store_a, sales_a, price="10.00", customer=hua)
        order_return(order=order, lines=[], actor=sales_a)
        make_order(store_a, sales_a, price="10.00", customer=hua)
    assert TierChange.objects.count() == 1
    # 2,000 + 1,000 − 1,000 returned + 9.50 + 9.50 (VIP: 5 % off)
    assert order_spend(membership, None) == D("2019.00")
    membership.refresh_from_db()
    assert membership.tier.name_en == "VIP"


def test_the_upgrade_uses_the_vip_discount_from_the_next_order(store_a, household_card, sales_a):
    mei = household_card.membership.household.members.get(full_name="Lin Mei")
    first = make_order(store_a, sales_a, price="3000.00", customer=mei)
    assert first.tier_discount == D("0.00")
    from guanxi.orders.services import checkout_quote
    from guanxi.orders.tests.factories import product, product_line

    quote = checkout_quote(store=store_a, lines=[product_line(product("100.00"))], customer=mei)
    assert (quote.tier_discount_percent, quote.total) == (D("5.00"), D("95.00"))


def test_rolling_spend_leaves_out_orders_older_than_a_year(store_a, household_card, sales_a):
    loyalty_settings_get()
    LoyaltySettings.objects.update(tier_basis=TierBasis.ROLLING_12_MONTHS)
    mei = household_card.membership.household.members.get(full_name="Lin Mei")
    old = timezone.now() - datetime.timedelta(days=400)
    make_order(
        store_a,
        sales_a,
        price="2000.00",
        customer=mei,
        ordered_at=old,
        source=OrderSource.IMPORT,
        reference="OLD-1",
    )

    make_order(store_a, sales_a, price="2500.00", customer=mei)

    membership = Membership.objects.get(pk=household_card.membership_id)
    assert membership.tier is None
    assert order_spend(membership, timezone.now() - datetime.timedelta(days=365)) == D("2500.00")
    assert order_spend(membership, None) == D("4500.00")
