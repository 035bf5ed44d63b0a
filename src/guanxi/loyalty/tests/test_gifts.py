"""The gift catalogue: redemption for points, stock, refusals that change nothing."""

from decimal import Decimal

import pytest

from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent
from guanxi.loyalty.choices import AccountKind, TransactionKind
from guanxi.loyalty.models import Gift, GiftRedemption, LedgerTransaction
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import (
    card_freeze,
    gift_create,
    gift_redeem,
    gift_restock,
    gift_update,
    ledger_reconcile,
    points_award,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def towel(owner):
    return gift_create(
        name_en="Bath towel",
        name_zh_hans="浴巾",
        name_zh_hant="浴巾",
        points=300,
        stock=5,
        actor=owner,
    )


def refusal(call):
    with pytest.raises(ApplicationError) as error:
        call()
    return error.value.code, error.value.message


def test_redeem_takes_points_and_stock(card, towel, store_a, sales_a):
    # given 1,000 points
    points_award(card=card, points=1000, reason="opening", actor=sales_a)
    # when 2 towels of 300 points are redeemed
    redemption = gift_redeem(card=card, gift=towel, quantity=2, store=store_a, actor=sales_a)
    # then 600 points leave, 3 towels are left, the redemption records it all
    assert card_balances(card)[AccountKind.POINTS] == Decimal(400)
    assert Gift.objects.get(pk=towel.pk).stock == 3
    assert (redemption.quantity, redemption.points, redemption.store, redemption.staff) == (
        2,
        600,
        store_a,
        sales_a,
    )
    assert redemption.transaction.kind == TransactionKind.REDEMPTION
    assert redemption.transaction.memo == "Gift: Bath towel × 2"
    assert AuditEvent.objects.filter(object_type="loyalty.giftredemption").count() == 1
    assert ledger_reconcile() == []


def test_not_enough_points_changes_nothing(card, towel, store_a, sales_a):
    points_award(card=card, points=500, reason="opening", actor=sales_a)
    before = LedgerTransaction.objects.count()
    assert refusal(
        lambda: gift_redeem(card=card, gift=towel, quantity=2, store=store_a, actor=sales_a)
    ) == ("insufficient_points", "Not enough points: 600 asked, 500 on the card.")
    assert Gift.objects.get(pk=towel.pk).stock == 5
    assert card_balances(card)[AccountKind.POINTS] == Decimal(500)
    assert LedgerTransaction.objects.count() == before
    assert GiftRedemption.objects.count() == 0


def test_out_of_stock_changes_nothing(card, towel, store_a, sales_a):
    points_award(card=card, points=5000, reason="opening", actor=sales_a)
    assert refusal(
        lambda: gift_redeem(card=card, gift=towel, quantity=6, store=store_a, actor=sales_a)
    ) == ("gift_out_of_stock", "Not enough Bath towel in stock: 6 asked, 5 left.")
    assert card_balances(card)[AccountKind.POINTS] == Decimal(5000)
    assert GiftRedemption.objects.count() == 0


def test_inactive_gift_and_bad_quantity_and_frozen_card(card, towel, store_a, owner):
    points_award(card=card, points=5000, reason="opening", actor=owner)
    assert refusal(
        lambda: gift_redeem(card=card, gift=towel, quantity=0, store=store_a, actor=owner)
    ) == ("invalid_quantity", "Enter a quantity of at least 1.")
    card_freeze(card=card, actor=owner)
    code, _message = refusal(
        lambda: gift_redeem(card=card, gift=towel, quantity=1, store=store_a, actor=owner)
    )
    assert code == "card_not_active"
    gift_update(gift=towel, data={"is_active": False}, actor=owner)
    assert refusal(
        lambda: gift_redeem(card=card, gift=towel, quantity=1, store=store_a, actor=owner)
    ) == ("gift_inactive", "Bath towel is no longer offered.")
    assert Gift.objects.get(pk=towel.pk).stock == 5
    assert card_balances(card)[AccountKind.POINTS] == Decimal(5000)


def test_restock_never_below_zero(towel, owner):
    assert gift_restock(gift=towel, quantity=4, actor=owner).stock == 9
    assert refusal(lambda: gift_restock(gift=towel, quantity=-10, actor=owner)) == (
        "gift_stock_negative",
        "The stock cannot go below zero: 9 left.",
    )
    assert gift_restock(gift=towel, quantity=-9, actor=owner).stock == 0


def test_name_follows_the_language(towel):
    from django.utils import translation

    with translation.override("zh-hant"):
        assert towel.name == "浴巾"
    with translation.override("en"):
        assert towel.name == "Bath towel"
