"""Manual adjustments: the owner corrects a balance, with a reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.errors import ApplicationError
from guanxi.core.permissions import require_capability
from guanxi.loyalty.choices import AccountKind, TransactionKind
from guanxi.loyalty.models import LedgerAccount, LedgerTransaction
from guanxi.loyalty.services.ledger import counter_account, ledger_post

# The counter-account that takes the other side of an adjustment of each member account.
ADJUSTMENT_COUNTER: dict[str, str] = {
    AccountKind.POINTS: AccountKind.POINTS_ISSUED,
    AccountKind.STORED_VALUE_PRINCIPAL: AccountKind.STORED_VALUE_CASH,
    AccountKind.STORED_VALUE_BONUS: AccountKind.STORED_VALUE_BONUS_GRANTED,
    AccountKind.PACKAGE_SESSIONS: AccountKind.PACKAGE_SESSIONS_SOLD,
}


@transaction.atomic
def ledger_adjust(
    *, account: LedgerAccount, amount: Decimal | int, reason: str, actor: Any
) -> LedgerTransaction:
    """Add (or, negative, take) ``amount`` to a member account. Owners only; reason required."""
    require_capability(actor, "loyalty.adjust")
    if account.is_system:
        raise ApplicationError(_("Counter-accounts are not adjusted by hand."), code="system")
    if not reason.strip():
        raise ApplicationError(_("Say why the balance is adjusted."), code="reason_required")
    counter = counter_account(store_id=account.store_id, kind=ADJUSTMENT_COUNTER[account.kind])
    return ledger_post(
        kind=TransactionKind.ADJUSTMENT,
        legs=[(account, amount), (counter, -Decimal(amount))],
        actor=actor,
        memo=reason.strip(),
    )
