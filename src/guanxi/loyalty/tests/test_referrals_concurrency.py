"""A referral is paid once even when the referred customer's first purchases ring up at the same
moment on several tills (separate database connections)."""

import pytest

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import LedgerTransaction, ReferralReward
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import ledger_reconcile, referral_reward_on_purchase
from guanxi.loyalty.tests.factories import make_card
from guanxi.loyalty.tests.threads import in_thread, run_concurrently, separate_connections

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_ten_concurrent_first_purchases_pay_the_referral_once(store_a, owner):
    # given a referrer with a card and the customer they referred
    referrer_card = make_card(store_a, actor=owner)
    referred = CustomerFactory(home_store=store_a, referrer=referrer_card.membership.customer)
    with separate_connections():
        # when ten tills settle ten purchases of the referred customer at once
        results = run_concurrently(
            lambda i: referral_reward_on_purchase(
                customer=referred, reference=f"ORD-{i}", actor=owner, store_id=store_a.pk
            ),
            10,
            threads=10,
        )
        points, rewards, postings, drift = in_thread(
            lambda: (
                card_balances(referrer_card)[AccountKind.POINTS],
                list(ReferralReward.objects.values_list("status", "points")),
                LedgerTransaction.objects.filter(memo__startswith="Referral reward").count(),
                ledger_reconcile(),
            )
        )
    # then exactly one call paid, the others found it settled, and nothing failed
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sum(r is not None for r in results) == 1
    assert rewards == [("paid", 500)]
    assert postings == 1
    assert points == 500
    assert drift == []
