"""Coupons and gifts under concurrent requests, each on its own database connection."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core.errors import ApplicationError
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import CouponKind, CouponUse, Gift, GiftRedemption
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import (
    coupon_create,
    coupon_use,
    gift_create,
    gift_redeem,
    ledger_reconcile,
    points_award,
)
from guanxi.loyalty.tests.factories import make_card
from guanxi.loyalty.tests.threads import in_thread, run_concurrently, separate_connections

# The project's transactional_db (root conftest) lifts the append-only triggers for the flush.
pytestmark = pytest.mark.usefixtures("transactional_db")


def _outcome(call):
    try:
        call()
    except ApplicationError as error:
        return error.code
    return "ok"


def test_concurrent_coupon_uses_never_exceed_the_limit(store_a, owner):
    # given a coupon that may be used 5 times
    today = timezone.localdate()
    coupon_create(
        code="FIVE",
        name="Five uses",
        kind=CouponKind.AMOUNT,
        value=Decimal("5.00"),
        valid_from=today,
        valid_until=today + datetime.timedelta(days=1),
        max_uses=5,
        actor=owner,
    )
    with separate_connections():
        # when 20 tills use it for 20 different orders at once
        outcomes = run_concurrently(
            lambda i: _outcome(
                lambda: coupon_use(
                    code="FIVE",
                    customer_id=None,
                    store_id=store_a.pk,
                    subtotal=Decimal("50.00"),
                    at=timezone.now(),
                    reference=f"order-{i}",
                    actor=owner,
                )
            ),
            20,
        )
        uses = in_thread(lambda: CouponUse.objects.count())
    # then exactly 5 succeed and 15 are refused as used up
    assert outcomes.count("ok") == 5
    assert outcomes.count("coupon_used_up") == 15
    assert uses == 5


def test_10_concurrent_redemptions_of_a_gift_with_stock_3(store_a, owner):
    # given a gift of 100 points with 3 in stock, and 10 cards with 1,000 points each
    gift = gift_create(name_en="Tote bag", points=100, stock=3, actor=owner)
    cards = [make_card(store_a, actor=owner) for _i in range(10)]
    for card in cards:
        points_award(card=card, points=1000, reason="opening", actor=owner)
    with separate_connections():
        # when the 10 cards redeem one each at the same moment
        outcomes = run_concurrently(
            lambda i: _outcome(
                lambda: gift_redeem(
                    card=cards[i], gift=gift, quantity=1, store=store_a, actor=owner
                )
            ),
            10,
        )
        stock, redemptions, points, drift = in_thread(
            lambda: (
                Gift.objects.get(pk=gift.pk).stock,
                GiftRedemption.objects.count(),
                sum(card_balances(c)[AccountKind.POINTS] for c in cards),
                ledger_reconcile(),
            )
        )
    # then 3 succeed, 7 are refused as out of stock, and only 300 points left the cards
    assert outcomes.count("ok") == 3
    assert outcomes.count("gift_out_of_stock") == 7
    assert (stock, redemptions) == (0, 3)
    assert points == Decimal(10 * 1000 - 300)
    assert drift == []


def test_concurrent_gift_redemptions_never_overdraw_points(store_a, owner):
    # given one card with 1,000 points and a gift of 300 points with plenty in stock
    gift = gift_create(name_en="Scarf", points=300, stock=100, actor=owner)
    card = make_card(store_a, actor=owner)
    points_award(card=card, points=1000, reason="opening", actor=owner)
    with separate_connections():
        # when 10 redemptions of it run at once
        outcomes = run_concurrently(
            lambda _i: _outcome(
                lambda: gift_redeem(card=card, gift=gift, quantity=1, store=store_a, actor=owner)
            ),
            10,
        )
        stock, balance = in_thread(
            lambda: (Gift.objects.get(pk=gift.pk).stock, card_balances(card)[AccountKind.POINTS])
        )
    # then 3 succeed (900 points), 7 are refused for points, and the stock fell by 3 only
    assert outcomes.count("ok") == 3
    assert outcomes.count("insufficient_points") == 7
    assert (stock, balance) == (97, Decimal(100))
