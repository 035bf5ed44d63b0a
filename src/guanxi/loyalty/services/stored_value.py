"""Stored value: top-ups with bonus rules, spending and the refund of what was paid.

The paid value (principal) and the bonus are separate accounts: only the principal is ever
refunded, and the settings say which of the two a spend uses first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from guanxi.core.errors import ApplicationError
from guanxi.core.money import money_round
from guanxi.loyalty.choices import AccountKind, SpendingOrder, TransactionKind
from guanxi.loyalty.models import BonusRule, LedgerTransaction, MemberCard
from guanxi.loyalty.selectors import loyalty_settings_get
from guanxi.loyalty.services.cards import card_require_usable, member_account
from guanxi.loyalty.services.ledger import accounts_lock, counter_account, ledger_post


def _amount(value: Decimal | int | str) -> Decimal:
    amount = money_round(value)
    if amount != Decimal(value) or amount <= 0:
        raise ApplicationError(
            _("Enter an amount above zero with at most two decimal places."), code="invalid_amount"
        )
    return amount


def bonus_for(*, store_id: int, amount: Decimal) -> Decimal:
    """The bonus of the best active rule the top-up reaches (rules of the store or of all)."""
    rule = (
        BonusRule.objects.filter(is_active=True, minimum_topup__lte=amount)
        .filter(Q(store_id=store_id) | Q(store__isnull=True))
        .order_by("-minimum_topup", "-bonus")
        .first()
    )
    return rule.bonus if rule else Decimal("0.00")


@transaction.atomic
def stored_value_topup(
    *, card: MemberCard, amount: Decimal, payment: str, actor: Any, reference: str = ""
) -> LedgerTransaction:
    """Load paid value on the card, plus the bonus of the best rule reached."""
    card = card_require_usable(card)
    amount = _amount(amount)
    principal = member_account(card, AccountKind.STORED_VALUE_PRINCIPAL)
    cash = counter_account(store_id=principal.store_id, kind=AccountKind.STORED_VALUE_CASH)
    legs: list = [(cash, -amount), (principal, amount)]
    bonus = bonus_for(store_id=principal.store_id, amount=amount)
    if bonus:
        granted = counter_account(
            store_id=principal.store_id, kind=AccountKind.STORED_VALUE_BONUS_GRANTED
        )
        legs += [(granted, -bonus), (member_account(card, AccountKind.STORED_VALUE_BONUS), bonus)]
    return ledger_post(
        kind=TransactionKind.TOPUP, legs=legs, actor=actor, memo=payment, reference=reference
    )


@transaction.atomic
def stored_value_spend(
    *, card: MemberCard, amount: Decimal, actor: Any, memo: str = "", reference: str = ""
) -> LedgerTransaction:
    """Pay with stored value, in the spending order of the settings."""
    card = card_require_usable(card)
    amount = _amount(amount)
    principal = member_account(card, AccountKind.STORED_VALUE_PRINCIPAL)
    bonus = member_account(card, AccountKind.STORED_VALUE_BONUS)
    spent = counter_account(store_id=principal.store_id, kind=AccountKind.STORED_VALUE_SPENT)
    locked = accounts_lock([principal, bonus, spent])
    order = [locked[principal.pk], locked[bonus.pk]]
    if loyalty_settings_get().stored_value_spending_order == SpendingOrder.BONUS_FIRST:
        order.reverse()
    available = order[0].balance + order[1].balance
    if available < amount:
        raise ApplicationError(
            _("Not enough stored value: %(wanted)s asked, %(balance)s on the card.")
            % {"wanted": amount, "balance": available},
            code="insufficient_stored_value",
        )
    first = min(order[0].balance, amount)
    legs = [(order[0], -first), (order[1], -(amount - first)), (spent, amount)]
    return ledger_post(
        kind=TransactionKind.SPEND,
        legs=[(account, value) for account, value in legs if value],
        actor=actor,
        memo=memo,
        reference=reference,
    )


@transaction.atomic
def stored_value_refund_principal(
    *, card: MemberCard, amount: Decimal, actor: Any, memo: str = "", reference: str = ""
) -> LedgerTransaction:
    """Pay paid value back to the member. The bonus is never refunded. A frozen card may be
    refunded; a replaced card's balances are on its successor."""
    card = MemberCard.objects.select_for_update().get(pk=card.pk)
    if card.replaced_by_id:
        raise ApplicationError(_("Use the card that replaced this one."), code="card_not_active")
    amount = _amount(amount)
    principal = member_account(card, AccountKind.STORED_VALUE_PRINCIPAL)
    cash = counter_account(store_id=principal.store_id, kind=AccountKind.STORED_VALUE_CASH)
    return ledger_post(
        kind=TransactionKind.REFUND,
        legs=[(principal, -amount), (cash, amount)],
        actor=actor,
        memo=memo,
        reference=reference,
    )
