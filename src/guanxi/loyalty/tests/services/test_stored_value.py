"""Stored value: top-up with bonus rules, spending order, refund of the paid value only."""

from decimal import Decimal

import pytest

from guanxi.core.errors import ApplicationError
from guanxi.loyalty.choices import AccountKind, SpendingOrder
from guanxi.loyalty.models import BonusRule, LedgerTransaction
from guanxi.loyalty.selectors import card_balances, loyalty_settings_get
from guanxi.loyalty.services import (
    ledger_reconcile,
    stored_value_refund_principal,
    stored_value_spend,
    stored_value_topup,
)

pytestmark = pytest.mark.django_db
P, B = AccountKind.STORED_VALUE_PRINCIPAL, AccountKind.STORED_VALUE_BONUS


@pytest.fixture
def rules(store_a, store_b):
    BonusRule.objects.create(minimum_topup=Decimal("1000"), bonus=Decimal("100"))
    BonusRule.objects.create(minimum_topup=Decimal("2000"), bonus=Decimal("300"))
    BonusRule.objects.create(minimum_topup=Decimal("500"), bonus=Decimal("80"), store=store_b)
    BonusRule.objects.create(minimum_topup=Decimal("1500"), bonus=Decimal("999"), is_active=False)


@pytest.mark.parametrize(
    ("amount", "bonus", "_case"),
    [
        ("999.99", "0", "below_every_rule"),
        ("1000", "100", "first_rule"),
        ("1999", "100", "between"),
        ("2500", "300", "best_rule"),
    ],
)
def test_topup_gets_the_best_bonus_reached(card, owner, rules, amount, bonus, _case):
    stored_value_topup(card=card, amount=Decimal(amount), payment="WeChat Pay", actor=owner)
    balances = card_balances(card)
    assert (balances[P], balances[B]) == (Decimal(amount), Decimal(bonus))


@pytest.mark.parametrize(
    ("order", "principal", "bonus", "_case"),
    [
        (SpendingOrder.PRINCIPAL_FIRST, "0", "50", "principal_first"),
        (SpendingOrder.BONUS_FIRST, "50", "0", "bonus_first"),
    ],
)
def test_spend_follows_the_spending_order(card, owner, rules, order, principal, bonus, _case):
    config = loyalty_settings_get()
    config.stored_value_spending_order = order
    config.save()
    stored_value_topup(card=card, amount=Decimal("1000"), payment="cash", actor=owner)
    stored_value_spend(card=card, amount=Decimal("1050"), actor=owner)
    balances = card_balances(card)
    assert (balances[P], balances[B]) == (Decimal(principal), Decimal(bonus))
    assert ledger_reconcile() == []


def test_spend_beyond_the_balance_is_refused(card, owner, rules):
    stored_value_topup(card=card, amount=Decimal("1000"), payment="cash", actor=owner)
    with pytest.raises(ApplicationError) as error:
        stored_value_spend(card=card, amount=Decimal("1100.01"), actor=owner)
    assert error.value.code == "insufficient_stored_value"
    assert LedgerTransaction.objects.count() == 1
    assert card_balances(card)[P] == 1000


def test_only_the_principal_is_refunded(card, owner, rules):
    stored_value_topup(card=card, amount=Decimal("1000"), payment="cash", actor=owner)
    stored_value_refund_principal(card=card, amount=Decimal("1000"), actor=owner)
    with pytest.raises(ApplicationError) as error:
        stored_value_refund_principal(card=card, amount=Decimal("0.01"), actor=owner)
    assert error.value.code == "insufficient_balance"
    balances = card_balances(card)
    assert (balances[P], balances[B]) == (0, 100)


@pytest.mark.parametrize("amount", ["0", "-5", "1.234"])
def test_invalid_amounts_are_refused(card, owner, amount):
    with pytest.raises(ApplicationError) as error:
        stored_value_topup(card=card, amount=Decimal(amount), payment="cash", actor=owner)
    assert error.value.code == "invalid_amount"
    assert LedgerTransaction.objects.count() == 0
