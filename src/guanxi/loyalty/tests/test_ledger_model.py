"""A Hypothesis state machine drives every balance-moving service in random order and compares
the ledger with a plain reference model: balances equal, points schedule equal, no drift."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from guanxi.core.errors import ApplicationError
from guanxi.core.permissions import Role
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import BonusRule, LedgerAccount, PointLot
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import (
    ledger_adjust,
    ledger_reconcile,
    package_sell,
    package_session_consume,
    points_award,
    points_expire,
    points_redeem,
    stored_value_refund_principal,
    stored_value_spend,
    stored_value_topup,
)
from guanxi.loyalty.services.cards import member_account
from guanxi.loyalty.tests.factories import make_card
from guanxi.staff.tests.factories import StoreFactory, UserFactory

FAR = 10_000  # lots that keep the default expiry: more than a year away, past every step
cents = st.integers(min_value=1, max_value=200_000).map(lambda c: Decimal(c) / 100)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.owner = UserFactory(role=Role.OWNER)
        self.card = make_card(StoreFactory(), actor=self.owner)
        BonusRule.objects.create(minimum_topup=Decimal("1000"), bonus=Decimal("100"))
        self.lots: list[list[int]] = []  # [expiry day, remaining], in FIFO order
        self.principal = Decimal(0)
        self.bonus = Decimal(0)
        self.packages: list[tuple[object, int]] = []  # (package, sessions left)
        self.day = 0
        self.base = timezone.now()

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- the reference model of points --------------------------------------------------------
    @property
    def points(self):
        return sum(remaining for _day, remaining in self.lots)

    def _take(self, points):
        for lot in sorted(self.lots, key=lambda lot: lot[0]):
            taken = min(lot[1], points)
            lot[1] -= taken
            points -= taken
        self.lots = [lot for lot in self.lots if lot[1]]

    def _add_lot(self, day, points):
        # stable: lots of the same day keep their creation order, like the pk tie-break
        self.lots.append([day, points])
        self.lots.sort(key=lambda lot: lot[0])

    # --- rules ----------------------------------------------------------------------------------
    @rule(points=st.integers(1, 500), expires_in=st.integers(1, 4))
    def award(self, points, expires_in):
        txn = points_award(card=self.card, points=points, reason="purchase", actor=self.owner)
        day = self.day + expires_in
        PointLot.objects.filter(transaction=txn).update(
            expires_at=self.base + datetime.timedelta(days=day)
        )
        self._add_lot(day, points)

    @rule(points=st.integers(1, 800))
    def redeem(self, points):
        try:
            points_redeem(card=self.card, points=points, actor=self.owner)
        except ApplicationError as error:
            assert (error.code, points > self.points) == ("insufficient_points", True)  # noqa: PT017
        else:
            assert points <= self.points
            self._take(points)

    @rule(amount=st.integers(-300, 300).filter(bool))
    def adjust_points(self, amount):
        account = member_account(self.card, AccountKind.POINTS)
        try:
            ledger_adjust(account=account, amount=amount, reason="stock-take", actor=self.owner)
        except ApplicationError:
            assert self.points + amount < 0
        else:
            if amount > 0:
                self._add_lot(FAR, amount)
            else:
                self._take(-amount)

    @rule(days=st.integers(1, 3))
    def expire(self, days):
        self.day += days
        expired = points_expire(now=self.base + datetime.timedelta(days=self.day))
        expected = sum(remaining for day, remaining in self.lots if day <= self.day)
        assert expired == expected
        self.lots = [lot for lot in self.lots if lot[0] > self.day]

    @rule(amount=cents)
    def topup(self, amount):
        stored_value_topup(card=self.card, amount=amount, payment="cash", actor=self.owner)
        self.principal += amount
        self.bonus += Decimal(100) if amount >= 1000 else 0

    @rule(amount=cents)
    def spend(self, amount):
        try:
            stored_value_spend(card=self.card, amount=amount, actor=self.owner)
        except ApplicationError:
            assert amount > self.principal + self.bonus
        else:
            from_principal = min(self.principal, amount)
            self.principal -= from_principal
            self.bonus -= amount - from_principal

    @rule(amount=cents)
    def refund(self, amount):
        try:
            stored_value_refund_principal(card=self.card, amount=amount, actor=self.owner)
        except ApplicationError:
            assert amount > self.principal
        else:
            self.principal -= amount

    @rule(sessions=st.integers(1, 4))
    def sell_package(self, sessions):
        package = package_sell(
            card=self.card,
            service_name="Facial",
            sessions=sessions,
            valid_until=timezone.localdate() + datetime.timedelta(days=30),
            actor=self.owner,
        )
        self.packages.append((package, sessions))

    @precondition(lambda self: self.packages)
    @rule(data=st.data())
    def consume(self, data):
        index = data.draw(st.integers(0, len(self.packages) - 1))
        package, left = self.packages[index]
        try:
            package_session_consume(
                package=package, beautician=self.owner, visit="v", actor=self.owner
            )
        except ApplicationError as error:
            assert (error.code, left) == ("package_used_up", 0)  # noqa: PT017
        else:
            self.packages[index] = (package, left - 1)

    # --- invariants -----------------------------------------------------------------------------
    @invariant()
    def balances_match_the_model(self):
        balances = card_balances(self.card)
        assert balances[AccountKind.POINTS] == self.points
        assert balances[AccountKind.STORED_VALUE_PRINCIPAL] == self.principal
        assert balances[AccountKind.STORED_VALUE_BONUS] == self.bonus
        for package, left in self.packages:
            assert LedgerAccount.objects.get(pk=package.account_id).balance == left

    @invariant()
    def schedule_matches_the_model(self):
        open_lots = PointLot.objects.filter(
            account__membership=self.card.membership, remaining__gt=0
        )
        assert sum(open_lots.values_list("remaining", flat=True)) == self.points

    @invariant()
    def ledger_reconciles(self):
        assert ledger_reconcile() == []


@pytest.mark.django_db
def test_ledger_matches_the_reference_model():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
