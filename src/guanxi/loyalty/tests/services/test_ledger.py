"""The ledger: balanced postings only, append-only entries, no negative member balance,
reversals and reconciliation."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent
from guanxi.loyalty.choices import AccountKind, TransactionKind
from guanxi.loyalty.models import LedgerAccount, LedgerEntry, LedgerTransaction
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import (
    ledger_post,
    ledger_reconcile,
    ledger_reverse,
    points_award,
    points_redeem,
)
from guanxi.loyalty.services.cards import member_account
from guanxi.loyalty.services.ledger import counter_account

pytestmark = pytest.mark.django_db


def _written():
    return (
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("amounts", "code", "_case"),
    [
        ((-10, 9), "unbalanced_posting", "legs_not_summing_to_zero"),
        ((), "empty_posting", "no_legs"),
        ((Decimal("-1.5"), Decimal("1.5")), "not_whole", "fraction_of_a_point"),
        ((0, 0), "empty_posting", "nothing_moves"),
    ],
)
def test_bad_posting_is_refused_and_writes_nothing(card, owner, amounts, code, _case):
    # given a card and the store's counter-account
    points = member_account(card, AccountKind.POINTS)
    issued = counter_account(store_id=points.store_id, kind=AccountKind.POINTS_ISSUED)
    before = _written()
    legs = list(zip((issued, points), amounts, strict=False))
    # when the posting does not balance, then it is refused and nothing is written
    with pytest.raises(ApplicationError) as error:
        ledger_post(kind=TransactionKind.ADJUSTMENT, legs=legs, actor=owner)
    assert error.value.code == code
    assert _written() == before
    points.refresh_from_db()
    assert points.balance == 0


def test_money_and_points_must_each_balance(card, owner):
    points = member_account(card, AccountKind.POINTS)
    cash = counter_account(store_id=points.store_id, kind=AccountKind.STORED_VALUE_CASH)
    with pytest.raises(ApplicationError) as error:
        ledger_post(kind=TransactionKind.ADJUSTMENT, legs=[(cash, -10), (points, 10)], actor=owner)
    assert error.value.code == "unbalanced_posting"
    assert LedgerEntry.objects.count() == 0


def test_posting_moves_balances_and_audits(card, owner):
    points = member_account(card, AccountKind.POINTS)
    issued = counter_account(store_id=points.store_id, kind=AccountKind.POINTS_ISSUED)
    txn = ledger_post(
        kind=TransactionKind.IMPORT,
        legs=[(issued, -70), (points, 70)],
        actor=owner,
        memo="POS",
        reference="old-42",
    )
    points.refresh_from_db()
    issued.refresh_from_db()
    assert (points.balance, issued.balance) == (70, -70)
    assert sorted(txn.entries.values_list("amount", flat=True)) == [-70, 70]
    assert (txn.membership_id, txn.created_by, txn.reference) == (
        card.membership_id,
        owner,
        "old-42",
    )
    assert (
        AuditEvent.objects.filter(
            object_type="loyalty.ledgertransaction", object_pk=str(txn.pk)
        ).count()
        == 1
    )


def test_overdraft_is_refused_and_writes_nothing(card, owner):
    points_award(card=card, points=50, reason="gift", actor=owner)
    before = _written()
    with pytest.raises(ApplicationError) as error:
        points_redeem(card=card, points=51, actor=owner)
    assert error.value.code == "insufficient_points"
    assert error.value.message == "Not enough points: 51 asked, 50 on the card."
    assert _written() == before
    assert card_balances(card)[AccountKind.POINTS] == 50


def test_database_refuses_a_negative_member_balance(card):
    points = member_account(card, AccountKind.POINTS)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=points.pk).update(balance=-1)


def test_counter_account_may_go_negative(card, owner):
    points_award(card=card, points=5, reason="gift", actor=owner)
    assert LedgerAccount.objects.get(is_system=True, kind=AccountKind.POINTS_ISSUED).balance == -5


@pytest.mark.parametrize("statement", ["UPDATE {table} SET amount = 0", "DELETE FROM {table}"])
@pytest.mark.parametrize("table", ["loyalty_ledgerentry", "loyalty_ledgertransaction"])
def test_database_refuses_changes_to_the_ledger(card, owner, statement, table):
    points_award(card=card, points=5, reason="gift", actor=owner)
    if table == "loyalty_ledgertransaction":
        statement = statement.replace("amount = 0", "memo = 'x'")
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))
    assert LedgerEntry.objects.filter(amount=5).count() == 1


def test_reversal_undoes_a_transaction_once(card, owner):
    txn = points_award(card=card, points=40, reason="mistake", actor=owner)
    reversal = ledger_reverse(ledger_transaction=txn, actor=owner)
    assert card_balances(card)[AccountKind.POINTS] == 0
    assert (reversal.kind, reversal.reverses) == (TransactionKind.REVERSAL, txn)
    for target in (txn, reversal):
        with pytest.raises(ApplicationError):
            ledger_reverse(ledger_transaction=target, actor=owner)
    assert LedgerTransaction.objects.count() == 2
    assert ledger_reconcile() == []


def test_reversal_refused_when_the_points_are_spent(card, owner):
    txn = points_award(card=card, points=40, reason="purchase", actor=owner)
    points_redeem(card=card, points=30, actor=owner)
    with pytest.raises(ApplicationError) as error:
        ledger_reverse(ledger_transaction=txn, actor=owner)
    assert error.value.code == "insufficient_balance"
    assert card_balances(card)[AccountKind.POINTS] == 10


def test_reconcile_is_clean_after_postings(card, owner, capsys):
    points_award(card=card, points=40, reason="purchase", actor=owner)
    call_command("ledger", "reconcile")
    assert "Every balance matches its entries." in capsys.readouterr().out


def test_reconcile_reports_drift_and_exits_non_zero(card, owner, capsys):
    # given a cached balance changed behind the ledger's back
    points_award(card=card, points=40, reason="purchase", actor=owner)
    points = member_account(card, AccountKind.POINTS)
    LedgerAccount.objects.filter(pk=points.pk).update(balance=45)
    # when reconciling, then the drift is printed and the command fails
    with pytest.raises(SystemExit) as exit_info:
        call_command("ledger", "reconcile")
    assert exit_info.value.code == 1
    out = capsys.readouterr()
    assert (
        f"account {points.pk} (points, store {points.store_id}): cached 45.00, entries 40.00, drift 5.00"
        in out.out
    )
    assert "1 account(s) drifted." in out.err
