"""Returns and refunds: goods (or packages, or used sessions) come back, money goes back.

Everything is computed from what is left, so that any sequence of partial returns ends exactly
where one whole return would:

- **A line's refund** is its amount × returned quantity / quantity, rounded to the cent on the
  running total of the line's returns: the return that brings a line back in full refunds exactly
  what the line has left. A package sold is refunded for the sessions still unused: returning
  packages takes their sessions off the card (as many as are left), and the line's amount is
  refunded in proportion to the sessions taken off. A package session (amount 0) goes back to
  its package.
- **Back to how it was paid**: the return's refund is spread over the order's payments in
  proportion to what each has not yet refunded (largest remainder, to the cent), so the last
  return refunds every payment exactly what is left of it. Stored value goes back to the paid
  and bonus balances in the proportions the payment took from them (opposite entries on the
  same accounts); points paid come back as points; cash, bank card and mobile payment as money.
- **Points earned** on the returned quantity are taken back (the line's points × the share
  returned, rounded down on the running total). If the member has used them since, the points
  that are there are taken, and the value of the missing ones at the redemption rate is kept
  back from the money refunded in cash, by bank card or by mobile payment (as far as those
  cover it).
- The order row is locked first, so one quantity is never returned twice; a coupon of an order
  returned in full can be used again.

Locks: the order row, the coupon (a whole return), the member card, then every ledger account
at once in primary-key order — the order ``checkout`` uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.money import format_money, money_round
from guanxi.core.services import model_create
from guanxi.core.timeline import timeline_event_add
from guanxi.loyalty.choices import AccountKind, CardStatus, TransactionKind
from guanxi.loyalty.selectors import card_history
from guanxi.loyalty.services.coupons import coupon_use_cancel
from guanxi.loyalty.services.earning import points_value
from guanxi.loyalty.services.ledger import accounts_lock, counter_account, ledger_post
from guanxi.orders.choices import LineKind, OrderStatus, PaymentMethod
from guanxi.orders.models import Order, OrderLine, OrderReturn, Payment, Refund, ReturnLine
from guanxi.orders.services.pricing import ZERO, spread

if TYPE_CHECKING:
    from guanxi.loyalty.models import LedgerAccount, LedgerTransaction

TIMELINE_DOMAIN = "orders"
MONEY_METHODS = (PaymentMethod.CASH, PaymentMethod.BANK_CARD, PaymentMethod.MOBILE)


def _refuse(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code)


def _share(whole: Decimal, done: int, out_of: int) -> Decimal:
    """``whole`` × done / out_of, to the cent; exactly ``whole`` when all is done."""
    if done >= out_of:
        return whole
    return money_round(whole * done / out_of)


def _points_share(points: int, done: int, out_of: int) -> int:
    if done >= out_of:
        return points
    return int((Decimal(points) * done / out_of).to_integral_value(rounding=ROUND_FLOOR))


@dataclass
class _LinePlan:
    line: OrderLine
    quantity: int
    sessions: int = 0
    amount: Decimal = ZERO
    points: int = 0


@dataclass
class _RefundPlan:
    payment: Payment
    amount: Decimal
    points: int = 0
    principal: Decimal = ZERO
    bonus: Decimal = ZERO
    deducted: Decimal = ZERO
    legs: list[tuple[LedgerAccount, Decimal | int]] = field(default_factory=list)


def _requested(
    order: Order, fresh: dict[int, OrderLine], lines: Sequence[tuple[OrderLine, int]]
) -> dict[int, int]:
    """Line pk → quantity to return; every remaining quantity when no line is named."""
    if not lines:
        wanted = {pk: line.quantity - line.quantity_returned for pk, line in fresh.items()}
        wanted = {pk: quantity for pk, quantity in wanted.items() if quantity > 0}
        if not wanted:
            raise _refuse(
                _("Order %(number)s was already returned in full.") % {"number": order.number},
                "already_returned",
            )
        return wanted
    wanted = defaultdict(int)
    for line, quantity in lines:
        if line.pk not in fresh:
            raise _refuse(
                _("This line is not part of order %(number)s.") % {"number": order.number},
                "unknown_line",
            )
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise _refuse(_("Quantities are whole numbers of at least 1."), "invalid_quantity")
        wanted[line.pk] += quantity
    for pk, quantity in wanted.items():
        line = fresh[pk]
        left = line.quantity - line.quantity_returned
        if left == 0:
            raise _refuse(
                _("%(item)s on order %(number)s was already returned.")
                % {"item": line.description, "number": order.number},
                "already_returned",
            )
        if quantity > left:
            raise _refuse(
                _("Only %(left)s of %(item)s can still be returned.")
                % {"left": left, "item": line.description},
                "quantity_exceeds",
            )
    return dict(wanted)


def _plan_line(line: OrderLine, quantity: int, sessions_removed: int) -> _LinePlan:
    plan = _LinePlan(line=line, quantity=quantity)
    before, after = line.quantity_returned, line.quantity_returned + quantity
    if line.kind == LineKind.PACKAGE and line.package is not None:
        sold = line.package_sessions * line.quantity
        unused = int(line.package.account.balance)
        plan.sessions = min(line.package_sessions * quantity, unused)
        done = sessions_removed + plan.sessions
        plan.amount = _share(line.amount, done, sold) - _share(line.amount, sessions_removed, sold)
        plan.points = _points_share(line.points_earned, done, sold) - _points_share(
            line.points_earned, sessions_removed, sold
        )
        return plan
    if line.kind == LineKind.PACKAGE_SESSION:
        plan.sessions = quantity
    plan.amount = _share(line.amount, after, line.quantity) - _share(
        line.amount, before, line.quantity
    )
    plan.points = _points_share(line.points_earned, after, line.quantity) - _points_share(
        line.points_earned, before, line.quantity
    )
    return plan


def _stored_value_split(payment: Payment, amount: Decimal) -> tuple[Decimal, Decimal, list[Any]]:
    """How much of ``amount`` goes back to the paid value and how much to the bonus, in the
    proportions the payment took them; with the spend's entries."""
    assert payment.ledger_transaction is not None  # noqa: S101 - a stored-value payment posts
    entries = list(payment.ledger_transaction.entries.select_related("account"))
    taken = {
        kind: -sum((e.amount for e in entries if e.account.kind == kind), ZERO)
        for kind in (AccountKind.STORED_VALUE_PRINCIPAL, AccountKind.STORED_VALUE_BONUS)
    }
    principal_spent = taken[AccountKind.STORED_VALUE_PRINCIPAL]

    def principal_at(refunded: Decimal) -> Decimal:
        if refunded >= payment.amount:
            return principal_spent
        return money_round(principal_spent * refunded / payment.amount)

    principal = principal_at(payment.refunded + amount) - principal_at(payment.refunded)
    return principal, amount - principal, entries


def _points_paid_at(payment: Payment, refunded: Decimal) -> int:
    """The points of a points payment that go back once ``refunded`` of it is refunded."""
    if refunded >= payment.amount:
        return payment.points
    return int(
        (Decimal(payment.points) * refunded / payment.amount).to_integral_value(
            rounding=ROUND_FLOOR
        )
    )


def _plan_refunds(order: Order, total: Decimal) -> list[_RefundPlan]:
    payments = list(order.payments.select_related("ledger_transaction").order_by("pk"))
    if not payments:
        # Orders from an external POS or an import carry no payments: the money goes back
        # there, and the return records the goods, the points and the tier spend only.
        return []
    remaining = [p.amount - p.refunded for p in payments]
    plans = []
    for payment, share in zip(payments, spread(total, remaining), strict=True):
        if not share:
            continue
        plan = _RefundPlan(payment=payment, amount=share)
        if payment.method == PaymentMethod.POINTS:
            plan.points = _points_paid_at(payment, payment.refunded + share) - _points_paid_at(
                payment, payment.refunded
            )
        elif payment.method == PaymentMethod.STORED_VALUE:
            plan.principal, plan.bonus, _entries = _stored_value_split(payment, share)
        plans.append(plan)
    return plans


def _member_lock(order: Order, lines: Sequence[_LinePlan]) -> dict[str, LedgerAccount]:
    """Lock the membership's live card, then every account the return moves (pk order)."""
    membership = order.membership
    assert membership is not None  # noqa: S101 - only called for a member's order
    if order.card is not None:
        card_history(order.card).exclude(status=CardStatus.REPLACED).select_for_update().first()
    store_id = membership.store_id
    wanted: dict[str, LedgerAccount] = {}
    for kind in (
        AccountKind.POINTS,
        AccountKind.STORED_VALUE_PRINCIPAL,
        AccountKind.STORED_VALUE_BONUS,
    ):
        wanted[kind] = membership.accounts.get(kind=kind)
    for kind in (
        AccountKind.POINTS_ISSUED,
        AccountKind.POINTS_REDEEMED,
        AccountKind.STORED_VALUE_SPENT,
        AccountKind.PACKAGE_SESSIONS_SOLD,
        AccountKind.PACKAGE_SESSIONS_USED,
    ):
        wanted[kind] = counter_account(store_id=store_id, kind=kind)
    packages = [plan.line.package.account for plan in lines if plan.line.package is not None]
    locked = accounts_lock([*wanted.values(), *packages])
    for plan in lines:
        if plan.line.package is not None:
            plan.line.package.account = locked[plan.line.package.account_id]
    return {kind: locked[account.pk] for kind, account in wanted.items()}


def _post(
    legs: Sequence[tuple[LedgerAccount, Decimal | int]], memo: str, reference: str, actor: Any
) -> LedgerTransaction | None:
    legs = [(account, amount) for account, amount in legs if amount]
    if not legs:
        return None
    return ledger_post(
        kind=TransactionKind.REFUND, legs=legs, actor=actor, memo=memo, reference=reference
    )


def _deduct(refunds: Sequence[_RefundPlan], value: Decimal) -> Decimal:
    """Keep ``value`` back from the money refunds (cash, bank card, mobile, in that order)."""
    kept = ZERO
    for method in MONEY_METHODS:
        for plan in refunds:
            if plan.payment.method != method or kept >= value:
                continue
            plan.deducted = min(plan.amount, value - kept)
            kept += plan.deducted
    return kept


@transaction.atomic
def order_return(
    *,
    order: Order,
    lines: Sequence[tuple[OrderLine, int]],
    actor: Any,
    store: Any = None,
    reason: str = "",
) -> OrderReturn:
    """Take back ``lines`` (``(line, quantity)``; none: everything not yet returned) of
    ``order`` and refund them (see the module docstring). Refused, with nothing written, when
    a quantity was already returned or is more than what is left."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("membership", "card")
        .get(pk=order.pk)
    )
    fresh = {
        line.pk: line
        for line in order.lines.select_related("package__account").order_by("position")
    }
    wanted = _requested(order, fresh, lines)
    fully_returned = all(
        line.quantity_returned + wanted.get(pk, 0) == line.quantity for pk, line in fresh.items()
    )
    if fully_returned and order.coupon_code:
        coupon_use_cancel(code=order.coupon_code, reference=f"order:{order.pk}", actor=actor)

    removed = dict(
        ReturnLine.objects.filter(line__order=order, line__kind=LineKind.PACKAGE)
        .values("line")
        .annotate(sessions=Sum("sessions"))
        .values_list("line", "sessions")
    )
    plans = [_LinePlan(line=fresh[pk], quantity=q) for pk, q in wanted.items()]
    accounts: dict[str, LedgerAccount] = {}
    if order.membership is not None:
        # Lock before reading unused sessions and the points balance.
        accounts = _member_lock(order, plans)
    plans = [_plan_line(plan.line, plan.quantity, removed.get(plan.line.pk, 0)) for plan in plans]
    total = sum((plan.amount for plan in plans), ZERO)
    refunds = _plan_refunds(order, total)

    to_claw = sum(plan.points for plan in plans)
    points_back = sum(plan.points for plan in refunds)
    clawed, shortfall, deducted = 0, 0, ZERO
    if to_claw:
        available = int(accounts[AccountKind.POINTS].balance) + points_back
        clawed = min(to_claw, available)
        shortfall = to_claw - clawed
        if shortfall:
            deducted = _deduct(refunds, points_value(shortfall))

    order_return_row = model_create(
        instance=OrderReturn(
            order=order,
            store=store or order.store,
            reason=reason.strip()[:300],
            amount=total,
            points_clawed_back=clawed,
            points_shortfall=shortfall,
            deducted=deducted,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        ),
        actor=actor,
    )
    reference = f"return:{order_return_row.pk}"
    memo = _("Return of order %(number)s") % {"number": order.number}

    refund_rows = []
    for plan in refunds:
        txn = None
        if plan.payment.method == PaymentMethod.POINTS:
            txn = _post(
                [
                    (accounts[AccountKind.POINTS_REDEEMED], -plan.points),
                    (accounts[AccountKind.POINTS], plan.points),
                ],
                memo,
                reference,
                actor,
            )
        elif plan.payment.method == PaymentMethod.STORED_VALUE:
            txn = _post(
                [
                    (accounts[AccountKind.STORED_VALUE_PRINCIPAL], plan.principal),
                    (accounts[AccountKind.STORED_VALUE_BONUS], plan.bonus),
                    (accounts[AccountKind.STORED_VALUE_SPENT], -plan.amount),
                ],
                memo,
                reference,
                actor,
            )
        refund_rows.append(
            Refund(
                order_return=order_return_row,
                payment=plan.payment,
                method=plan.payment.method,
                amount=plan.amount,
                points=plan.points,
                deducted=plan.deducted,
                ledger_transaction=txn,
            )
        )
        plan.payment.refunded += plan.amount
        plan.payment.points_refunded += plan.points
    Refund.objects.bulk_create(refund_rows)
    Payment.objects.bulk_update([plan.payment for plan in refunds], ["refunded", "points_refunded"])

    for line_plan in plans:
        line = line_plan.line
        if not line_plan.sessions or line.package is None:
            continue
        if line.kind == LineKind.PACKAGE:
            legs: list[tuple[LedgerAccount, Decimal | int]] = [
                (line.package.account, -line_plan.sessions),
                (accounts[AccountKind.PACKAGE_SESSIONS_SOLD], line_plan.sessions),
            ]
        else:
            legs = [
                (accounts[AccountKind.PACKAGE_SESSIONS_USED], -line_plan.sessions),
                (line.package.account, line_plan.sessions),
            ]
        _post(legs, memo, reference, actor)
    if clawed:
        _post(
            [
                (accounts[AccountKind.POINTS], -clawed),
                (accounts[AccountKind.POINTS_ISSUED], clawed),
            ],
            _("Points of returned goods, order %(number)s") % {"number": order.number},
            reference,
            actor,
        )

    ReturnLine.objects.bulk_create(
        ReturnLine(
            order_return=order_return_row,
            line=plan.line,
            quantity=plan.quantity,
            amount=plan.amount,
            sessions=plan.sessions,
            points=plan.points,
        )
        for plan in plans
    )
    for line_plan in plans:
        line_plan.line.quantity_returned += line_plan.quantity
    OrderLine.objects.bulk_update([p.line for p in plans], ["quantity_returned"])
    before = (order.status, order.returned_total)
    order.returned_total += total
    order.status = OrderStatus.RETURNED if fully_returned else OrderStatus.PARTLY_RETURNED
    Order.objects.filter(pk=order.pk).update(
        returned_total=order.returned_total, status=order.status
    )
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=order,
        changes={
            "status": [before[0], order.status],
            "returned_total": [str(before[1]), str(order.returned_total)],
        },
        message=memo,
    )
    if order.customer_id is not None:
        timeline_event_add(
            customer_id=order.customer_id,
            domain=TIMELINE_DOMAIN,
            kind="return",
            title=_("Return of order %(number)s: %(amount)s")
            % {"number": order.number, "amount": format_money(total - deducted)},
            store_id=order_return_row.store_id,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            obj=order_return_row,
        )
    return order_return_row
