"""The one way to move a balance: ``ledger_post``. Reversals and the reconciliation build on it.

``ledger_post`` locks every account it touches (``SELECT … FOR UPDATE`` in primary-key order, so
two postings never wait on each other in a circle), checks under the lock that no member balance
goes below zero, writes the entries, moves the cached balances with ``F()`` expressions, keeps
the points expiry schedule (``PointLot``) in step and audits, all in one database transaction.
A service that must decide amounts from balances (a stored-value spend, the expiry) locks the
accounts first with ``accounts_lock`` and decides under that lock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.loyalty.choices import UNIT_OF_KIND, AccountKind, TransactionKind, Unit
from guanxi.loyalty.models import LedgerAccount, LedgerEntry, LedgerTransaction, PointLot

Leg = tuple[LedgerAccount, Decimal | int]


def counter_account(*, store_id: int, kind: str) -> LedgerAccount:
    """The store's counter-account of a kind, created the first time it is needed."""
    account, _created = LedgerAccount.objects.get_or_create(
        store_id=store_id, kind=kind, is_system=True, defaults={"membership": None}
    )
    return account


def accounts_lock(accounts: Iterable[LedgerAccount]) -> dict[int, LedgerAccount]:
    """Lock the accounts' rows in primary-key order and return them fresh, by pk."""
    pks = sorted({a.pk for a in accounts})
    locked = LedgerAccount.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {a.pk: a for a in locked}


def _as_amount(account: LedgerAccount, amount: Decimal | int) -> Decimal:
    if isinstance(amount, float):
        raise TypeError("ledger amounts are never floats")
    value = Decimal(amount)
    if UNIT_OF_KIND[account.kind] in (Unit.POINTS, Unit.SESSIONS) and value != value.to_integral():
        raise ApplicationError(_("Points and sessions are whole numbers."), code="not_whole")
    if value != value.quantize(Decimal("0.01")):
        raise ApplicationError(_("Amounts have at most two decimal places."), code="invalid_amount")
    return value


def _net_legs(legs: Sequence[Leg]) -> dict[int, tuple[LedgerAccount, Decimal]]:
    """Validate the legs and add up the amounts per account."""
    if not legs:
        raise ApplicationError(_("A posting needs at least one entry."), code="empty_posting")
    per_unit: dict[str, Decimal] = defaultdict(Decimal)
    net: dict[int, tuple[LedgerAccount, Decimal]] = {}
    for account, raw in legs:
        if account.pk is None:
            raise ValueError("ledger accounts must be saved before posting")
        amount = _as_amount(account, raw)
        per_unit[UNIT_OF_KIND[account.kind]] += amount
        previous = net.get(account.pk, (account, Decimal(0)))[1]
        net[account.pk] = (account, previous + amount)
    if any(total != 0 for total in per_unit.values()):
        raise ApplicationError(
            _("The entries of a posting must add up to zero."), code="unbalanced_posting"
        )
    net = {pk: (account, amount) for pk, (account, amount) in net.items() if amount != 0}
    if not net:
        raise ApplicationError(_("A posting must move something."), code="empty_posting")
    stores = {account.store_id for account, _amount in net.values()}
    if len(stores) != 1:
        raise ApplicationError(_("A posting stays within one store."), code="mixed_stores")
    return net


def _lots_consume(account: LedgerAccount, points: int) -> None:
    """Take ``points`` from the lots that expire first (never-expiring lots last)."""
    lots = PointLot.objects.filter(account=account, remaining__gt=0).order_by(
        F("expires_at").asc(nulls_last=True), "pk"
    )
    for lot in lots:
        if points <= 0:
            break
        taken = min(lot.remaining, points)
        PointLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - taken)
        points -= taken
    if points > 0:  # the balance check above makes this unreachable unless the data drifted
        raise ApplicationError(_("The points schedule does not match the balance."), code="drift")


def _lots_keep(
    txn: LedgerTransaction,
    net: dict[int, tuple[LedgerAccount, Decimal]],
    expires_at: datetime | None | object,
) -> None:
    from guanxi.loyalty.services.points import points_expiry_for

    for account, amount in net.values():
        if account.kind != AccountKind.POINTS:
            continue
        if amount > 0:
            expiry = (
                points_expiry_for(txn.created_at)
                if expires_at is _COMPUTED
                else cast("datetime | None", expires_at)
            )
            PointLot.objects.create(
                account=account,
                transaction=txn,
                earned_at=txn.created_at,
                expires_at=expiry,
                points=int(amount),
                remaining=int(amount),
            )
        else:
            _lots_consume(account, int(-amount))


_COMPUTED = object()


@dataclass(frozen=True)
class Drift:
    account: LedgerAccount
    cached: Decimal
    computed: Decimal


@transaction.atomic
def ledger_post(
    *,
    kind: str | TransactionKind,
    legs: Sequence[Leg],
    actor: Any,
    memo: str = "",
    reference: str = "",
    reverses: LedgerTransaction | None = None,
    points_expire_at: datetime | None | object = _COMPUTED,
) -> LedgerTransaction:
    """Post one balanced transaction. Refused (and nothing written) when the legs do not add up
    to zero per unit, or when a member's balance would go below zero.

    New points get an expiry date from the loyalty settings unless ``points_expire_at`` says
    otherwise (``None``: never).
    """
    net = _net_legs(legs)
    locked = accounts_lock(account for account, _amount in net.values())
    for pk, (_account, amount) in net.items():
        account = locked[pk]
        if not account.is_system and account.balance + amount < 0:
            raise ApplicationError(
                _("Not enough balance on the card: %(balance)s %(unit)s left.")
                % {"balance": _display(account), "unit": Unit(UNIT_OF_KIND[account.kind]).label},
                code="insufficient_balance",
                extra={"account": account.kind, "balance": str(account.balance)},
            )
    memberships = {a.membership_id for a in locked.values() if a.membership_id}
    first = next(iter(locked.values()))
    txn = LedgerTransaction.objects.create(
        kind=kind,
        store_id=first.store_id,
        membership_id=memberships.pop() if len(memberships) == 1 else None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        memo=memo[:300],
        reference=str(reference)[:64],
        reverses=reverses,
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(transaction=txn, account_id=pk, amount=amount)
        for pk, (_account, amount) in sorted(net.items())
    )
    now = timezone.now()
    for pk, (_account, amount) in sorted(net.items()):
        # Rounded to the cent: SQLite adds decimals as floats, and a balance spent to nothing
        # could otherwise end a hair below zero and trip the check constraint.
        LedgerAccount.objects.filter(pk=pk).update(
            balance=Round(F("balance") + amount, 2), updated_at=now
        )
    _lots_keep(
        txn, {pk: (locked[pk], amount) for pk, (_a, amount) in net.items()}, points_expire_at
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=txn,
        changes={
            "kind": [None, str(kind)],
            "entries": [
                None,
                [[pk, locked[pk].kind, str(a)] for pk, (_x, a) in sorted(net.items())],
            ],
        },
        message=memo,
    )
    return txn


def _display(account: LedgerAccount) -> str:
    if UNIT_OF_KIND[account.kind] == Unit.MONEY:
        return str(account.balance)
    return str(int(account.balance))


@transaction.atomic
def ledger_reverse(
    *, ledger_transaction: LedgerTransaction, actor: Any, memo: str = ""
) -> LedgerTransaction:
    """Correct a transaction with one that has the opposite entries. A transaction is reversed
    at most once, and a reversal is itself never reversed."""
    original = LedgerTransaction.objects.select_for_update().get(pk=ledger_transaction.pk)
    if original.reverses_id is not None:
        raise ApplicationError(_("A reversal cannot be reversed."), code="reversal_of_reversal")
    if LedgerTransaction.objects.filter(reverses=original).exists():
        raise ApplicationError(_("This transaction was already reversed."), code="already_reversed")
    entries = list(original.entries.select_related("account"))
    return ledger_post(
        kind=TransactionKind.REVERSAL,
        legs=[(e.account, -e.amount) for e in entries],
        actor=actor,
        memo=memo or _("Reversal of transaction %(pk)s") % {"pk": original.pk},
        reference=original.reference,
        reverses=original,
    )


def ledger_reconcile() -> list[Drift]:
    """Every account whose cached balance differs from the sum of its entries."""
    sums = dict(
        LedgerEntry.objects.values("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    drift = []
    for account in LedgerAccount.objects.order_by("pk").iterator(chunk_size=2000):
        computed = Decimal(sums.get(account.pk) or 0).quantize(Decimal("0.01"))
        if account.balance != computed:
            drift.append(Drift(account=account, cached=account.balance, computed=computed))
    return drift
