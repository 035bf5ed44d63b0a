"""Checkout: one sale, written in one database transaction with everything it moves.

``checkout`` writes the order, its lines and payments, every ledger posting (stored value and
points paid, packages sold, package sessions used, points earned), the coupon's use, the
referral reward and the tier evaluation — or, when anything is refused, nothing at all.

**Locks**, always in this order, so that two sales never wait on each other in a circle: the
coupon row (``coupon_use``), the customer row and the referrer's card and accounts (the referral
reward, only on a referred customer's first purchase), the member card row, then every ledger
account the sale touches — the member's and the store's counter-accounts — at once in
primary-key order (``accounts_lock``), and the membership row last (``tier_evaluate``). The
services called afterwards lock the same rows again, which does not wait.

**Points earned** are for the money actually paid: the total minus what was paid with points
and minus the bonus part of a stored-value payment (the bonus was a gift). That amount is spread
over the lines in proportion to their amounts, and ``points_for_purchase`` applies the earning
rules and the one rounding rule. The points go to the card in one posting; each line keeps its
share for returns.

The ``checkout`` names the contract of the issue (``docs/user/orders.md``); ``order_return`` and
``order_spend`` live in their own modules and are re-exported here and from the package.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.money import CENT, format_money
from guanxi.core.timeline import timeline_event_add
from guanxi.loyalty.choices import AccountKind, TierChangeReason
from guanxi.loyalty.models import LedgerAccount
from guanxi.loyalty.selectors import loyalty_settings_get, package_list
from guanxi.loyalty.services.cards import card_require_usable, member_account
from guanxi.loyalty.services.coupons import coupon_use
from guanxi.loyalty.services.earning import EarnLine, points_for_amount, points_for_purchase
from guanxi.loyalty.services.ledger import accounts_lock, counter_account
from guanxi.loyalty.services.packages import package_sell, package_session_consume
from guanxi.loyalty.services.points import points_award, points_redeem
from guanxi.loyalty.services.referrals import referral_reward_on_purchase
from guanxi.loyalty.services.stored_value import stored_value_spend
from guanxi.loyalty.services.tiers import tier_evaluate, tier_spend_since, tier_spend_sources
from guanxi.orders.choices import LineKind, OrderSource, PaymentMethod
from guanxi.orders.models import Order, OrderLine, Payment
from guanxi.orders.services.pricing import (
    ZERO,
    CheckoutLine,
    CheckoutPayment,
    Member,
    Quote,
    QuoteLine,
    card_not_usable,
    checkout_quote,
    member_resolve,
    quote_build,
    spread,
)
from guanxi.orders.services.returns import order_return
from guanxi.orders.services.spend import order_spend

if TYPE_CHECKING:
    from guanxi.loyalty.models import LedgerTransaction, MemberCard, Membership

__all__ = [
    "CheckoutLine",
    "CheckoutPayment",
    "Quote",
    "QuoteLine",
    "checkout",
    "checkout_quote",
    "order_reference",
    "order_return",
    "order_spend",
]

TIMELINE_DOMAIN = "orders"
MEMBER_KINDS = (
    AccountKind.POINTS,
    AccountKind.STORED_VALUE_PRINCIPAL,
    AccountKind.STORED_VALUE_BONUS,
)
CARD_METHODS = (PaymentMethod.STORED_VALUE, PaymentMethod.POINTS)


def order_reference(order: Order) -> str:
    """The reference every posting, coupon use and referral of an order carries."""
    return f"order:{order.pk}"


@dataclass(frozen=True)
class _PlannedPayment:
    method: str
    amount: Decimal
    points: int
    reference: str


def _refuse(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code)


def _plan_payments(payments: Sequence[CheckoutPayment], quote: Quote) -> list[_PlannedPayment]:
    planned = []
    for payment in payments:
        if payment.method not in PaymentMethod.values:
            raise _refuse(
                _("Unknown payment method: %(method)s.") % {"method": payment.method},
                "invalid_method",
            )
        if isinstance(payment.amount, float):
            raise TypeError("money is never a float")
        amount = Decimal(payment.amount)
        if amount <= 0 or amount != amount.quantize(CENT):
            raise _refuse(
                _("Each payment is an amount above zero with at most two decimal places."),
                "invalid_amount",
            )
        if payment.method in CARD_METHODS:
            if quote.card is None:
                raise _refuse(
                    _("Paying with stored value or points needs the member's card."),
                    "card_required",
                )
            if not quote.card_usable:
                raise card_not_usable(quote.card)
        points = points_for_amount(amount) if payment.method == PaymentMethod.POINTS else 0
        planned.append(
            _PlannedPayment(payment.method, amount.quantize(CENT), points, payment.reference[:64])
        )
    paid = sum((p.amount for p in planned), ZERO)
    if paid != quote.total:
        raise _refuse(
            _("The payments (%(paid)s) do not add up to the total (%(total)s).")
            % {"paid": format_money(paid), "total": format_money(quote.total)},
            "payments_mismatch",
        )
    return planned


def _lock_member(card: MemberCard, quote: Quote, planned: Sequence[_PlannedPayment]) -> MemberCard:
    """Lock the card, then every account the sale may touch, in primary-key order."""
    card = card_require_usable(card)
    store_id = card.membership.store_id
    kinds = {AccountKind.POINTS_ISSUED}
    methods = {p.method for p in planned}
    if PaymentMethod.STORED_VALUE in methods:
        kinds.add(AccountKind.STORED_VALUE_SPENT)
    if PaymentMethod.POINTS in methods:
        kinds.add(AccountKind.POINTS_REDEEMED)
    line_kinds = {line.kind for line in quote.lines}
    if LineKind.PACKAGE in line_kinds:
        kinds.add(AccountKind.PACKAGE_SESSIONS_SOLD)
    if LineKind.PACKAGE_SESSION in line_kinds:
        kinds.add(AccountKind.PACKAGE_SESSIONS_USED)
    # The store's counter-accounts and the member's three accounts in one query (one round
    # trip instead of one per account); a counter-account the store does not have yet is
    # created as ``counter_account`` does.
    found = list(
        LedgerAccount.objects.filter(
            Q(store_id=store_id, is_system=True, kind__in=kinds)
            | Q(membership_id=card.membership_id, kind__in=MEMBER_KINDS)
        )
    )
    counters = {a.kind for a in found if a.is_system and a.store_id == store_id}
    members = {a.kind for a in found if a.membership_id == card.membership_id}
    accounts: list[LedgerAccount] = list(found)
    accounts += [counter_account(store_id=store_id, kind=kind) for kind in sorted(kinds - counters)]
    accounts += [member_account(card, kind) for kind in MEMBER_KINDS if kind not in members]
    package_ids = {line.package_id for line in quote.lines if line.package_id}
    if package_ids:
        accounts += [p.account for p in package_list(card=card).filter(pk__in=package_ids)]
    accounts_lock(accounts)
    return card


def _order_create(
    *,
    store: Any,
    actor: Any,
    quote: Quote,
    source: str,
    reference: str,
    at: datetime.datetime,
    note: str,
) -> Order:
    return Order.objects.create(
        store=store,
        customer=quote.customer,
        card=quote.card,
        membership=quote.membership,
        ordered_at=at,
        source=source,
        reference=reference,
        subtotal=quote.subtotal,
        tier_discount=quote.tier_discount,
        tier_discount_percent=quote.tier_discount_percent,
        coupon_code=quote.coupon_code,
        coupon_discount=quote.coupon_discount,
        total=quote.total,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:300],
    )


def _lines_create(order: Order, quote: Quote, actor: Any) -> list[OrderLine]:
    default_staff = actor.pk if getattr(actor, "is_authenticated", False) else None
    return OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=line.position,
            kind=line.kind,
            product_id=line.product_id,
            service_id=line.service_id,
            category_id=line.category_id,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            unit_cost=line.unit_cost,
            discount=line.discount,
            amount=line.amount,
            store_id=order.store_id,
            staff_id=line.staff_id if line.staff_id is not None else default_staff,
            package_id=line.package_id,
            package_sessions=line.package_sessions,
            package_valid_days=line.package_valid_days,
        )
        for line in quote.lines
    )


def _payments_take(
    order: Order, card: MemberCard | None, planned: Sequence[_PlannedPayment], actor: Any
) -> tuple[list[Payment], Decimal]:
    """Take every payment; card payments post to the ledger. Returns the payments and the part
    paid with bonus stored value."""
    reference = order_reference(order)
    memo = _("Order %(number)s") % {"number": order.number}
    payments: list[Payment] = []
    bonus_paid = ZERO
    for plan in planned:
        txn: LedgerTransaction | None = None
        if plan.method == PaymentMethod.STORED_VALUE:
            assert card is not None  # noqa: S101 - _plan_payments refused a card payment without one
            txn = stored_value_spend(
                card=card, amount=plan.amount, actor=actor, memo=memo, reference=reference
            )
            bonus_paid -= sum(
                (
                    e.amount
                    for e in txn.entries.select_related("account")
                    if e.account.kind == AccountKind.STORED_VALUE_BONUS
                ),
                ZERO,
            )
        elif plan.method == PaymentMethod.POINTS:
            assert card is not None  # noqa: S101 - as above
            txn = points_redeem(
                card=card, points=plan.points, actor=actor, memo=memo, reference=reference
            )
        payments.append(
            Payment(
                order=order,
                method=plan.method,
                amount=plan.amount,
                points=plan.points,
                ledger_transaction=txn,
                reference=plan.reference,
            )
        )
    return Payment.objects.bulk_create(payments), bonus_paid


def _packages_move(
    order: Order, lines: Sequence[OrderLine], card: MemberCard | None, actor: Any, at: Any
) -> None:
    """Sell the packages of package lines and use the sessions of package-session lines."""
    reference = order_reference(order)
    sold: list[OrderLine] = []
    for line in lines:
        if line.kind == LineKind.PACKAGE:
            assert card is not None  # noqa: S101 - pricing refused a package without a card
            valid_from = timezone.localdate(at) if timezone.is_aware(at) else at.date()
            line.package = package_sell(
                card=card,
                service_name=line.description,
                sessions=line.package_sessions * line.quantity,
                valid_until=valid_from + datetime.timedelta(days=line.package_valid_days),
                actor=actor,
                service_id=line.service_id,
                reference=reference,
            )
            sold.append(line)
        elif line.kind == LineKind.PACKAGE_SESSION:
            assert line.package is not None  # noqa: S101 - pricing found the package
            for _session in range(line.quantity):
                package_session_consume(
                    package=line.package,
                    beautician=line.staff,
                    visit=reference,
                    actor=actor,
                )
    if sold:
        OrderLine.objects.bulk_update(sold, ["package"])


def _points_earn(
    *,
    order: Order,
    lines: Sequence[OrderLine],
    card: MemberCard,
    membership: Membership,
    payments: Sequence[Payment],
    bonus_paid: Decimal,
    actor: Any,
) -> int:
    """Award the points of the money actually paid; returns how many."""
    paid_in_points = sum((p.amount for p in payments if p.method == PaymentMethod.POINTS), ZERO)
    earning = max(order.total - paid_in_points - bonus_paid, ZERO)
    shares = spread(earning, [line.amount for line in lines])
    points = points_for_purchase(
        membership=membership,
        lines=[
            EarnLine(line.category_id, share) for line, share in zip(lines, shares, strict=True)
        ],
        store_id=order.store_id,
        at=order.ordered_at,
    )
    total = sum(points)
    if not total:
        return 0
    for line, earned in zip(lines, points, strict=True):
        line.points_earned = earned
    OrderLine.objects.bulk_update(lines, ["points_earned"])
    points_award(
        card=card,
        points=total,
        reason=_("Purchase %(number)s") % {"number": order.number},
        actor=actor,
        reference=order_reference(order),
    )
    return total


def _tier_update(membership: Membership, actor: Any) -> None:
    """Move the membership up the ladder when its spend now reaches a higher tier."""
    sources = tier_spend_sources()
    if not sources:
        return
    since = tier_spend_since(basis=loyalty_settings_get().tier_basis)
    spend = sum((Decimal(fn(membership, since)) for fn in sources), Decimal(0))
    tier_evaluate(membership=membership, spend=spend, reason=TierChangeReason.CHECKOUT, actor=actor)


def _audit(order: Order, actor: Any, payments: Iterable[Payment]) -> None:
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=order,
        changes={
            "source": [None, order.source],
            "reference": [None, order.reference],
            "customer": [None, order.customer_id],
            "card": [None, order.card_id],
            "subtotal": [None, str(order.subtotal)],
            "tier_discount": [None, str(order.tier_discount)],
            "coupon_code": [None, order.coupon_code],
            "coupon_discount": [None, str(order.coupon_discount)],
            "total": [None, str(order.total)],
            "payments": [None, [[p.method, str(p.amount), p.points] for p in payments]],
            "points_earned": [None, order.points_earned],
        },
    )


@transaction.atomic
def checkout(
    *,
    store: Any,
    actor: Any,
    lines: Sequence[CheckoutLine],
    payments: Sequence[CheckoutPayment],
    customer: Any = None,
    card: MemberCard | None = None,
    coupon_code: str = "",
    source: str = OrderSource.TILL,
    reference: str = "",
    ordered_at: datetime.datetime | None = None,
    note: str = "",
) -> Order:
    """Sell ``lines`` in ``store`` for ``payments``, all or nothing (see the module docstring).

    Refused with a clear message, and nothing written, when an item is unknown, the payments do
    not add up to the total, a balance is short, the card is not usable, the coupon is not
    valid, or the reference was already used by an order of the same source (``code``
    ``duplicate_reference``, ``extra["order"]`` the existing order's id)."""
    at = ordered_at or timezone.now()
    reference = reference.strip()[:64]
    if source not in OrderSource.values:
        raise ValueError(f"unknown order source {source!r}")
    if reference:
        # ``exclude(reference="")`` (always true here) is the condition of the unique index on
        # (source, reference), so the database may use it: most orders of a till have no
        # reference, and SQLite's planner, seeing that, scanned the whole table otherwise.
        existing = (
            Order.objects.filter(source=source, reference=reference).exclude(reference="").first()
        )
        if existing is not None:
            raise ApplicationError(
                _("Order reference %(reference)s was already recorded as order %(number)s.")
                % {"reference": reference, "number": existing.number},
                code="duplicate_reference",
                extra={"order": existing.pk},
            )
    member: Member = member_resolve(customer=customer, card=card)
    quote = quote_build(
        store=store, lines=lines, member=member, coupon_code=coupon_code, at=at, source=source
    )
    planned = _plan_payments(payments, quote)

    order = _order_create(
        store=store, actor=actor, quote=quote, source=source, reference=reference, at=at, note=note
    )
    customer_id = getattr(quote.customer, "pk", None)
    if quote.coupon_code:
        used = coupon_use(
            code=quote.coupon_code,
            customer_id=customer_id,
            store_id=store.pk,
            subtotal=quote.subtotal - quote.tier_discount,
            at=at,
            reference=order_reference(order),
            actor=actor,
        )
        if used.discount != quote.coupon_discount:
            raise _refuse(
                _("Coupon %(code)s changed while the order was being paid; try again.")
                % {"code": quote.coupon_code},
                "coupon_changed",
            )
    if quote.customer is not None:
        referral_reward_on_purchase(
            customer=quote.customer,
            reference=order_reference(order),
            actor=actor,
            store_id=store.pk,
        )
    usable_card = quote.card if quote.card_usable else None
    if usable_card is not None:
        usable_card = _lock_member(usable_card, quote, planned)

    order_lines = _lines_create(order, quote, actor)
    taken, bonus_paid = _payments_take(order, usable_card, planned, actor)
    _packages_move(order, order_lines, usable_card, actor, at)
    if usable_card is not None and quote.membership is not None:
        order.points_earned = _points_earn(
            order=order,
            lines=order_lines,
            card=usable_card,
            membership=quote.membership,
            payments=taken,
            bonus_paid=bonus_paid,
            actor=actor,
        )
        if order.points_earned:
            Order.objects.filter(pk=order.pk).update(points_earned=order.points_earned)
    if quote.membership is not None:
        _tier_update(quote.membership, actor)
    _audit(order, actor, taken)
    if customer_id is not None:
        timeline_event_add(
            customer_id=customer_id,
            domain=TIMELINE_DOMAIN,
            kind="purchase",
            title=_("Purchase %(number)s: %(total)s")
            % {"number": order.number, "total": format_money(order.total)},
            occurred_at=at,
            store_id=store.pk,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            obj=order,
        )
    return order
