"""The referrals panel of the customer page, and referral rewards in merge, export and erasure."""

import pytest
from django.urls import reverse

from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.core.registry import CUSTOMER_DATA
from guanxi.customers.services.merge import customer_merge
from guanxi.customers.services.rights import customer_erase
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.models import ReferralReward
from guanxi.loyalty.services import referral_reward_on_purchase
from guanxi.loyalty.tests.factories import make_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(store_a, owner):
    """A referrer with a card who referred two customers; the first has bought (paid 500)."""
    card = make_card(store_a, actor=owner, full_name="李推荐")
    referrer = card.membership.customer
    bought = CustomerFactory(home_store=store_a, referrer=referrer, full_name="张已买")
    waiting = CustomerFactory(home_store=store_a, referrer=referrer, full_name="赵未买")
    reward = referral_reward_on_purchase(
        customer=bought, reference="ORD-1", actor=owner, store_id=store_a.pk
    )
    return referrer, bought, waiting, reward


def _page(client, user, customer):
    client.force_login(user)
    return client.get(reverse("customers:customer-detail", kwargs={"pk": customer.pk}))


def test_referrer_page_lists_the_people_referred_and_the_rewards(client, sales_a, referral):
    # given a referrer with a paid and a pending referral
    referrer, bought, waiting, _reward = referral

    # when their page is shown
    html = _page(client, sales_a, referrer).content.decode()

    # then the panel lists both, with the reward paid and the total earned
    assert 'id="referral-panel"' in html
    assert "Referred 2 customers" in html
    assert "500 points earned" in html
    row_bought = html.split(f'data-customer="{bought.pk}"')[1].split("</tr>")[0]
    row_waiting = html.split(f'data-customer="{waiting.pk}"')[1].split("</tr>")[0]
    assert "张已买" in row_bought
    assert "500 points on" in row_bought
    assert "赵未买" in row_waiting
    assert "No purchase yet" in row_waiting


def test_referred_customer_page_names_the_referrer_and_the_settlement(client, sales_a, referral):
    # given a referred customer who has bought
    referrer, bought, _waiting, _reward = referral

    # when their page is shown
    html = _page(client, sales_a, bought).content.decode()

    # then it names the referrer and says the reward was paid
    referred_by = html.split('id="referral-referred-by"')[1].split("</p>")[0]
    assert "李推荐" in referred_by
    assert "(reward of 500 points paid on" in referred_by


def test_no_panel_for_a_customer_without_referrals(client, sales_a, store_a):
    # given a customer nobody referred and who referred nobody
    customer = CustomerFactory(home_store=store_a)

    # then the page has no referrals panel
    assert 'id="referral-panel"' not in _page(client, sales_a, customer).content.decode()


def test_a_referrer_of_another_store_is_named_without_a_link(client, sales_a, store_a, store_b):
    # given a customer of store A referred by a customer of store B
    referrer = CustomerFactory(home_store=store_b, full_name="外店客")
    customer = CustomerFactory(home_store=store_a, referrer=referrer)

    # when store A's staff open the page
    html = _page(client, sales_a, customer).content.decode()

    # then the panel names the referrer (as the master data does) without a link to their page
    referred_by = html.split('id="referral-referred-by"')[1].split("</p>")[0]
    assert "外店客 <span" in referred_by
    assert "(another store's customer)" in referred_by
    assert "<a " not in referred_by


def test_export_lists_the_referrals_of_both_sides(referral):
    # given a paid referral
    referrer, bought, _waiting, reward = referral
    export = CUSTOMER_DATA["loyalty.referrals"].export

    # then each side's export has its row
    assert export(referrer.pk) == [
        {
            "role": "referrer",
            "time": reward.created_at.isoformat(),
            "status": "paid",
            "points": 500,
            "reason": "",
            "order": "ORD-1",
        }
    ]
    assert [row["role"] for row in export(bought.pk)] == ["referred"]


def test_merge_moves_rewards_earned_to_the_customer_kept(referral, store_a, owner):
    # given the referrer's duplicate record
    referrer, _bought, _waiting, reward = referral
    duplicate = CustomerFactory(home_store=store_a)

    # when the referrer is folded into the duplicate
    customer_merge(source=referrer, target=duplicate, actor=owner)

    # then the reward now belongs to the customer kept, audited
    reward.refresh_from_db()
    assert reward.referrer_id == duplicate.pk
    audit = AuditEvent.objects.filter(
        object_type="loyalty.referralreward", object_pk=str(reward.pk), action="update"
    ).get()
    assert audit.changes == {"referrer": [referrer.pk, duplicate.pk]}


def test_merge_of_two_settled_referrals_keeps_the_one_of_the_customer_kept(
    referral, store_a, owner
):
    # given both records of one person were referred and both settled
    referrer, bought, waiting, reward = referral
    second = referral_reward_on_purchase(
        customer=waiting, reference="ORD-2", actor=owner, store_id=store_a.pk
    )

    # when one is folded into the other
    customer_merge(source=waiting, target=bought, actor=owner)

    # then one settlement is left (the kept customer's), the other's deletion is audited
    assert list(ReferralReward.objects.values_list("pk", "referred_id")) == [(reward.pk, bought.pk)]
    assert AuditEvent.objects.filter(
        object_type="loyalty.referralreward", object_pk=str(second.pk), action="delete"
    ).exists()


def test_erasing_the_referred_customer_blanks_their_name_on_the_referrers_timeline(referral, owner):
    # given a paid referral on the referrer's timeline
    referrer, bought, _waiting, reward = referral

    # when the referred customer is erased
    customer_erase(customer=bought, actor=owner, reason="request")

    # then the reward is kept and the name is gone from the referrer's timeline
    event = TimelineEvent.objects.get(customer_id=referrer.pk, kind="referral_reward")
    assert "张已买" not in event.title
    assert ReferralReward.objects.get(pk=reward.pk).points == 500
