"""Points: award, redeem and expire.

Expiry follows a FIFO schedule of **lots** (``PointLot``): each award is a lot with its own
expiry date (by default the end of the year after it was earned); points leaving the account —
redeemed, adjusted down, expired — come out of the lots that expire first. The periodic task
``points_expire`` posts one expiry transaction per account for the points still in lots past
their date.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import ApplicationError
from guanxi.loyalty.choices import AccountKind, PointsValidity, TransactionKind
from guanxi.loyalty.models import LedgerAccount, LedgerTransaction, MemberCard, PointLot
from guanxi.loyalty.selectors import loyalty_settings_get
from guanxi.loyalty.services.cards import card_require_usable, member_account
from guanxi.loyalty.services.ledger import accounts_lock, counter_account, ledger_post


def _months_after(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def points_expiry_for(earned_at: datetime.datetime) -> datetime.datetime | None:
    """When points earned at ``earned_at`` expire under the current settings (None: never)."""
    config = loyalty_settings_get()
    local = timezone.localtime(earned_at)
    if config.points_validity == PointsValidity.NEVER:
        return None
    if config.points_validity == PointsValidity.MONTHS:
        return _months_after(local, config.points_validity_months)
    start_of_year_after_next = local.replace(
        year=local.year + 2, month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    return start_of_year_after_next  # the first instant after the end of the following year


def _positive(points: int) -> int:
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise ApplicationError(
            _("Enter a whole number of points above zero."), code="invalid_points"
        )
    return points


@transaction.atomic
def points_award(
    *, card: MemberCard, points: int, reason: str, actor: Any, reference: str = ""
) -> LedgerTransaction:
    """Credit points to the card's membership (a purchase, a referral, a birthday gift…)."""
    card = card_require_usable(card)
    account = member_account(card, AccountKind.POINTS)
    counter = counter_account(store_id=account.store_id, kind=AccountKind.POINTS_ISSUED)
    return ledger_post(
        kind=TransactionKind.SALE,
        legs=[(counter, -_positive(points)), (account, points)],
        actor=actor,
        memo=reason,
        reference=reference,
    )


@transaction.atomic
def points_redeem(
    *, card: MemberCard, points: int, actor: Any, memo: str = "", reference: str = ""
) -> LedgerTransaction:
    """Spend points; refused with a clear message when the card has too few."""
    card = card_require_usable(card)
    account = member_account(card, AccountKind.POINTS)
    counter = counter_account(store_id=account.store_id, kind=AccountKind.POINTS_REDEEMED)
    try:
        return ledger_post(
            kind=TransactionKind.REDEMPTION,
            legs=[(account, -_positive(points)), (counter, points)],
            actor=actor,
            memo=memo,
            reference=reference,
        )
    except ApplicationError as error:
        if error.code != "insufficient_balance":
            raise
        raise ApplicationError(
            _("Not enough points: %(wanted)s asked, %(balance)s on the card.")
            % {"wanted": points, "balance": int(error.extra["balance"].split(".")[0])},
            code="insufficient_points",
            extra=error.extra,
        ) from error


@transaction.atomic
def _account_expire(account_pk: int, now: datetime.datetime, actor: Any) -> int:
    account = LedgerAccount.objects.get(pk=account_pk)
    counter = counter_account(store_id=account.store_id, kind=AccountKind.POINTS_EXPIRED)
    accounts_lock([account, counter])
    expired = (
        PointLot.objects.filter(account=account, expires_at__lte=now, remaining__gt=0).aggregate(
            total=Sum("remaining")
        )["total"]
        or 0
    )
    if expired:
        ledger_post(
            kind=TransactionKind.EXPIRY,
            legs=[(account, -expired), (counter, expired)],
            actor=actor,
            memo=_("Points expired"),
        )
    return expired


def points_expire(*, now: datetime.datetime | None = None, actor: Any = None) -> int:
    """Expire every point whose lot is past its date; one transaction per account. Returns how
    many points expired."""
    now = now or timezone.now()
    accounts = (
        PointLot.objects.filter(expires_at__lte=now, remaining__gt=0)
        .values_list("account_id", flat=True)
        .distinct()
        .order_by("account_id")
    )
    return sum(_account_expire(pk, now, actor) for pk in list(accounts))
