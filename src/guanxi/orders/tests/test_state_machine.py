"""A Hypothesis state machine of sales, returns, redemptions, top-ups, expiry and adjustments
against a plain reference model of the member card: the balances, the points schedule and the
refunds agree at every step, and the ledger reconciles.

The model knows the documented rules (docs/user/orders.md) and nothing of the code: points are
earned at 1 per yuan on the money paid (not on points, not on bonus stored value), rounded down;
a return refunds the line pro rata, spread over the payments by what each has left (largest
remainder, ties to the earlier payment); stored value goes back to paid and bonus value in the
proportions spent; points paid come back; points earned are taken back, as far as the card
still holds them.
"""

import datetime
from decimal import Decimal
from fractions import Fraction
from math import floor

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
from guanxi.loyalty.models import BonusRule, PointLot, TierLevel
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import (
    ledger_adjust,
    ledger_reconcile,
    points_award,
    points_expire,
    points_redeem,
    stored_value_topup,
)
from guanxi.loyalty.services.cards import member_account
from guanxi.loyalty.tests.factories import make_card
from guanxi.orders.choices import PaymentMethod
from guanxi.orders.models import Order
from guanxi.orders.services import CheckoutPayment, checkout, order_return
from guanxi.orders.tests.factories import product, product_line
from guanxi.staff.tests.factories import StoreFactory, UserFactory

FAR = 10_000  # lots with the default expiry (the end of next year): past every step
CENT = Decimal("0.01")
cents = st.integers(min_value=1, max_value=150_000)


def money(value_in_cents: int) -> Decimal:
    return (Decimal(value_in_cents) / 100).quantize(CENT)


def round_cents(value: Fraction) -> int:
    """Half up to a whole number of cents (the values are never negative)."""
    return floor(value + Fraction(1, 2))


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    if not weights or sum(weights) == 0:
        return [0] * len(weights)
    exact = [Fraction(total * w, sum(weights)) for w in weights]
    shares = [floor(e) for e in exact]
    by_fraction = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_fraction[: total - sum(shares)]:
        shares[index] += 1
    return shares


class OrdersMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.owner = UserFactory(role=Role.OWNER)
        self.store = StoreFactory()
        self.card = make_card(self.store, actor=self.owner)
        BonusRule.objects.create(minimum_topup=Decimal("1000"), bonus=Decimal("100"))
        # keep the member on the lowest tier: no discount, 1 point per yuan
        for level in TierLevel.objects.filter(rank__gt=1).order_by("-rank"):
            TierLevel.objects.filter(pk=level.pk).update(threshold=Decimal(10**9 + level.rank))
        self.lots: list[list[int]] = []  # [expiry day, remaining points], FIFO
        self.principal = 0  # cents
        self.bonus = 0
        # an opening balance, so that sales can be paid from the card from the first step
        stored_value_topup(
            card=self.card, amount=Decimal("1000.00"), payment="cash", actor=self.owner
        )
        points_award(card=self.card, points=5_000, reason="opening", actor=self.owner)
        self.principal, self.bonus = 100_000, 10_000
        self._add_lot(FAR, 5_000)
        self.orders: list[dict] = []
        self.day = 0
        self.base = timezone.now()

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- the model of points ------------------------------------------------------------------
    @property
    def points(self):
        return sum(remaining for _day, remaining in self.lots)

    def _take(self, points):
        for lot in self.lots:  # kept sorted by expiry, creation order within a day
            taken = min(lot[1], points)
            lot[1] -= taken
            points -= taken
        self.lots = [lot for lot in self.lots if lot[1]]

    def _add_lot(self, day, points):
        if points:
            self.lots.append([day, points])
            self.lots.sort(key=lambda lot: lot[0])

    # --- sales and returns ----------------------------------------------------------------------
    @rule(
        unit=st.integers(1, 60_000),
        quantity=st.integers(1, 3),
        stored_share=st.integers(0, 100),
        points_share=st.integers(0, 100),
        overdraw=st.integers(0, 9),
    )
    def sell(self, unit, quantity, stored_share, points_share, overdraw):
        """A sale paid partly from stored value, partly in points and the rest in cash; one time
        in ten the card payments may ask for more than the card holds."""
        total = unit * quantity
        stored = total * stored_share // 100
        if overdraw:
            stored = min(stored, self.principal + self.bonus)
        paid_in_points = (total - stored) * points_share // 100
        if overdraw:
            paid_in_points = min(paid_in_points, self.points)  # 100 points a yuan: 1 a cent
        in_cash = total - stored - paid_in_points
        payments = [
            CheckoutPayment(method, money(amount))
            for method, amount in (
                (PaymentMethod.STORED_VALUE, stored),
                (PaymentMethod.POINTS, paid_in_points),
                (PaymentMethod.CASH, in_cash),
            )
            if amount
        ]
        try:
            order = checkout(
                store=self.store,
                actor=self.owner,
                card=self.card,
                lines=[product_line(product(str(money(unit))), quantity)],
                payments=payments,
            )
        except ApplicationError as error:
            short_value = stored > self.principal + self.bonus
            short_points = paid_in_points > self.points  # 100 points a yuan: 1 point a cent
            assert error.code == (  # noqa: PT017
                "insufficient_stored_value" if short_value else "insufficient_points"
            )
            assert short_value or short_points
            return
        assert stored <= self.principal + self.bonus
        assert paid_in_points <= self.points
        from_principal = min(self.principal, stored)
        self.principal -= from_principal
        self.bonus -= stored - from_principal
        self._take(paid_in_points)
        earned = (total - paid_in_points - (stored - from_principal)) // 100
        self._add_lot(FAR, earned)
        assert order.points_earned == earned
        self.orders.append(
            {
                "pk": order.pk,
                "line": order.lines.get(),
                "quantity": quantity,
                "returned": 0,
                "amount": total,
                "points": earned,
                "payments": [
                    {
                        "method": method,
                        "amount": amount,
                        "refunded": 0,
                        "points": amount if method == PaymentMethod.POINTS else 0,
                        "points_refunded": 0,
                        "principal": from_principal if method == PaymentMethod.STORED_VALUE else 0,
                    }
                    for method, amount in (
                        (PaymentMethod.STORED_VALUE, stored),
                        (PaymentMethod.POINTS, paid_in_points),
                        (PaymentMethod.CASH, in_cash),
                    )
                    if amount
                ],
            }
        )

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def give_back(self, data):
        sale = data.draw(st.sampled_from(self.orders))
        left = sale["quantity"] - sale["returned"]
        quantity = data.draw(st.integers(1, left + 1))  # now and then one too many
        try:
            returned = order_return(
                order=Order.objects.get(pk=sale["pk"]),
                lines=[(sale["line"], quantity)],
                actor=self.owner,
            )
        except ApplicationError as error:
            assert quantity > left  # noqa: PT017
            assert error.code == ("already_returned" if left == 0 else "quantity_exceeds")  # noqa: PT017
            return
        assert quantity <= left
        before, after = sale["returned"], sale["returned"] + quantity

        def line_share(done):
            if done == sale["quantity"]:
                return sale["amount"]
            return round_cents(Fraction(sale["amount"] * done, sale["quantity"]))

        def points_share(done):
            return floor(Fraction(sale["points"] * done, sale["quantity"]))

        refund = line_share(after) - line_share(before)
        to_claw = points_share(after) - points_share(before)
        payments = sale["payments"]
        shares = largest_remainder(refund, [p["amount"] - p["refunded"] for p in payments])
        expected_refunds = []
        for payment, share in zip(payments, shares, strict=True):
            if not share:
                continue
            done_before, done_after = payment["refunded"], payment["refunded"] + share
            points_back = 0
            if payment["method"] == PaymentMethod.POINTS:

                def points_at(done, payment=payment):
                    if done >= payment["amount"]:
                        return payment["points"]
                    return floor(Fraction(payment["points"] * done, payment["amount"]))

                points_back = points_at(done_after) - points_at(done_before)
                self._add_lot(FAR, points_back)
            elif payment["method"] == PaymentMethod.STORED_VALUE:

                def principal_at(done, payment=payment):
                    if done >= payment["amount"]:
                        return payment["principal"]
                    return round_cents(Fraction(payment["principal"] * done, payment["amount"]))

                principal_back = principal_at(done_after) - principal_at(done_before)
                self.principal += principal_back
                self.bonus += share - principal_back
            payment["refunded"] = done_after
            payment["points_refunded"] += points_back
            expected_refunds.append((payment["method"], money(share), points_back))
        clawed = min(to_claw, self.points)
        self._take(clawed)
        sale["returned"] = after

        assert returned.amount == money(refund)
        assert returned.points_clawed_back == clawed
        assert returned.points_shortfall == to_claw - clawed
        assert [(r.method, r.amount, r.points) for r in returned.refunds.order_by("pk")] == (
            expected_refunds
        )

    # --- the card's other movements -----------------------------------------------------------
    @rule(points=st.integers(1, 500), expires_in=st.integers(1, 4))
    def award(self, points, expires_in):
        txn = points_award(card=self.card, points=points, reason="gift", actor=self.owner)
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

    @rule(amount=st.integers(-30_000, 30_000).filter(bool))
    def adjust_stored_value(self, amount):
        account = member_account(self.card, AccountKind.STORED_VALUE_PRINCIPAL)
        try:
            ledger_adjust(account=account, amount=money(amount), reason="count", actor=self.owner)
        except ApplicationError:
            assert self.principal + amount < 0
        else:
            self.principal += amount

    @rule(days=st.integers(1, 3))
    def expire(self, days):
        self.day += days
        expired = points_expire(now=self.base + datetime.timedelta(days=self.day))
        assert expired == sum(remaining for day, remaining in self.lots if day <= self.day)
        self.lots = [lot for lot in self.lots if lot[0] > self.day]

    @rule(amount=cents)
    def top_up(self, amount):
        stored_value_topup(card=self.card, amount=money(amount), payment="cash", actor=self.owner)
        self.principal += amount
        self.bonus += 10_000 if amount >= 100_000 else 0

    # --- invariants -----------------------------------------------------------------------------
    @invariant()
    def balances_match_the_model(self):
        balances = card_balances(self.card)
        assert balances[AccountKind.POINTS] == self.points
        assert balances[AccountKind.STORED_VALUE_PRINCIPAL] == money(self.principal)
        assert balances[AccountKind.STORED_VALUE_BONUS] == money(self.bonus)

    @invariant()
    def schedule_matches_the_model(self):
        open_lots = PointLot.objects.filter(
            account__membership=self.card.membership, remaining__gt=0
        )
        assert sum(open_lots.values_list("remaining", flat=True)) == self.points

    @invariant()
    def orders_match_the_model(self):
        for sale in self.orders:
            order = Order.objects.get(pk=sale["pk"])
            assert [(p.refunded, p.points_refunded) for p in order.payments.order_by("pk")] == [
                (money(p["refunded"]), p["points_refunded"]) for p in sale["payments"]
            ]
            if sale["returned"] == sale["quantity"]:
                assert order.returned_total == order.total

    @invariant()
    def ledger_reconciles(self):
        assert ledger_reconcile() == []


@pytest.mark.django_db
def test_orders_and_the_card_match_the_reference_model():
    run_state_machine_as_test(
        OrdersMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
