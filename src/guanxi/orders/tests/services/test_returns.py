"""Returns: refunds back to how the order was paid, points and sessions reversed exactly once."""

from decimal import Decimal

import pytest

from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.loyalty.choices import TransactionKind
from guanxi.loyalty.models import BonusRule, CouponUse, LedgerAccount, LedgerTransaction
from guanxi.loyalty.services import (
    ledger_reconcile,
    points_award,
    points_redeem,
    stored_value_topup,
)
from guanxi.orders.choices import LineKind, OrderStatus, PaymentMethod
from guanxi.orders.models import Order, OrderReturn, Refund
from guanxi.orders.services import CheckoutLine, checkout, order_return, order_spend
from guanxi.orders.tests.factories import (
    cash,
    make_coupon,
    make_order,
    pay,
    product,
    product_line,
    service,
)
from guanxi.orders.tests.services.test_checkout import balances

pytestmark = pytest.mark.django_db
D = Decimal


def sessions_left(package):
    return int(LedgerAccount.objects.get(pk=package.account_id).balance)


def state(order, card):
    """Everything a refused return must leave as it was."""
    order = Order.objects.get(pk=order.pk)
    return (
        order.status,
        order.returned_total,
        [(line.quantity_returned,) for line in order.lines.order_by("position")],
        [(p.refunded, p.points_refunded) for p in order.payments.order_by("pk")],
        OrderReturn.objects.count(),
        LedgerTransaction.objects.count(),
        AuditEvent.objects.count(),
        balances(card) if card else None,
    )


@pytest.fixture
def mixed_order(store_a, card, owner, sales_a):
    """1,700.00 of goods and a 10-session package paid with stored value (1,000 paid + 100
    bonus), 4,000 points (40.00) and 560.00 cash; then 3 sessions used."""
    BonusRule.objects.create(minimum_topup=D("1000"), bonus=D("100"))
    stored_value_topup(card=card, amount=D("1000.00"), payment="cash", actor=owner)
    points_award(card=card, points=5000, reason="opening", actor=owner)
    order = checkout(
        store=store_a,
        actor=sales_a,
        card=card,
        lines=[
            product_line(product("300.00"), 2),
            CheckoutLine(
                kind=LineKind.PACKAGE,
                service_id=service("120.00").pk,
                package_sessions=10,
                unit_price=D("1000.00"),
            ),
            product_line(product("100.00")),
        ],
        payments=[
            pay(PaymentMethod.STORED_VALUE, "1100.00"),
            pay(PaymentMethod.POINTS, "40.00"),
            cash("560.00"),
        ],
    )
    package = order.lines.get(kind=LineKind.PACKAGE).package
    checkout(
        store=store_a,
        actor=sales_a,
        card=card,
        lines=[CheckoutLine(kind=LineKind.PACKAGE_SESSION, package_id=package.pk, quantity=3)],
        payments=[],
    )
    return order


def test_returning_a_package_line_of_a_mixed_payment_order(mixed_order, card, manager_a):
    # given the order: points earned on 1,700 − 40 (points) − 100 (bonus) = 1,560
    lines = list(mixed_order.lines.order_by("position"))
    package_line = lines[1]
    assert [line.points_earned for line in lines] == [550, 918, 92]
    assert balances(card) == (5000 - 4000 + 1560, D("0.00"), D("0.00"))
    assert sessions_left(package_line.package) == 7

    # when the package is returned with 7 of its 10 sessions unused
    returned = order_return(order=mixed_order, lines=[(package_line, 1)], actor=manager_a)

    # then 7/10 of the line (700.00) is refunded, spread over the payments by what is left of
    # them (1,100 / 40 / 560 → 452.94 / 16.47 / 230.59)
    assert (returned.amount, returned.deducted) == (D("700.00"), D("0.00"))
    refunds = list(Refund.objects.filter(order_return=returned).order_by("pk"))
    assert [(r.method, r.amount, r.points) for r in refunds] == [
        ("stored_value", D("452.94"), 0),
        ("points", D("16.47"), 1647),
        ("cash", D("230.59"), 0),
    ]
    # and stored value goes back 1,000 : 100 as it was spent (411.76 paid, 41.18 bonus), the
    # 1,647 points paid come back, floor(918 × 7/10) = 642 points earned are taken back, and
    # the 7 unused sessions leave the card
    assert returned.points_clawed_back == 642
    assert balances(card) == (2560 + 1647 - 642, D("411.76"), D("41.18"))
    assert sessions_left(package_line.package) == 0
    line = returned.lines.get()
    assert (line.line, line.quantity, line.amount, line.sessions, line.points) == (
        package_line,
        1,
        D("700.00"),
        7,
        642,
    )
    order = Order.objects.get(pk=mixed_order.pk)
    assert (order.status, order.returned_total) == (OrderStatus.PARTLY_RETURNED, D("700.00"))
    assert order_spend(card.membership, None) == D("1000.00")
    assert set(
        LedgerTransaction.objects.filter(reference=f"return:{returned.pk}").values_list(
            "kind", flat=True
        )
    ) == {TransactionKind.REFUND}
    assert ledger_reconcile() == []

    # when the same line is returned again
    before = state(mixed_order, card)
    with pytest.raises(ApplicationError) as error:
        order_return(order=mixed_order, lines=[(package_line, 1)], actor=manager_a)

    # then it is refused clearly and nothing changes
    assert error.value.code == "already_returned"
    assert error.value.message == (
        f"{package_line.description} on order {mixed_order.number} was already returned."
    )
    assert state(mixed_order, card) == before


def test_the_last_of_several_returns_refunds_exactly_what_is_left(store_a, card, owner, sales_a):
    # given 3 × 33.33 paid 50.00 in cash and 49.99 in stored value (45.00 paid + 4.99 bonus)
    BonusRule.objects.create(minimum_topup=D("45"), bonus=D("4.99"))
    stored_value_topup(card=card, amount=D("45.00"), payment="cash", actor=owner)
    order = checkout(
        store=store_a,
        actor=sales_a,
        card=card,
        lines=[product_line(product("33.33"), 3)],
        payments=[cash("50.00"), pay(PaymentMethod.STORED_VALUE, "49.99")],
    )
    line = order.lines.get()
    assert line.points_earned == 95  # 99.99 − 4.99 of bonus

    # when the three items come back one at a time
    first = order_return(order=order, lines=[(line, 1)], actor=owner)
    second = order_return(order=order, lines=[(line, 1)], actor=owner)
    third = order_return(order=order, lines=[(line, 1)], actor=owner)

    # then each return refunds a third of the line, the last one what is left
    assert [r.amount for r in (first, second, third)] == [D("33.33"), D("33.33"), D("33.33")]
    assert [r.points_clawed_back for r in (first, second, third)] == [31, 32, 32]
    refunds = [
        [(x.method, x.amount) for x in r.refunds.order_by("pk")] for r in (first, second, third)
    ]
    assert refunds == [
        [("cash", D("16.67")), ("stored_value", D("16.66"))],
        # 33.33 of 66.66 left: an even split, the cent to the earlier payment
        [("cash", D("16.67")), ("stored_value", D("16.66"))],
        [("cash", D("16.66")), ("stored_value", D("16.67"))],
    ]
    # and every payment is refunded in full, the stored value back exactly as it was
    order.refresh_from_db()
    assert [(p.amount, p.refunded) for p in order.payments.order_by("pk")] == [
        (D("50.00"), D("50.00")),
        (D("49.99"), D("49.99")),
    ]
    assert balances(card) == (0, D("45.00"), D("4.99"))
    assert (order.status, order.returned_total) == (OrderStatus.RETURNED, D("99.99"))
    assert ledger_reconcile() == []


def test_points_already_spent_are_kept_back_from_the_cash_refund(store_a, card, owner, sales_a):
    # given an order of 200.00 in cash that earned 200 points, which the member then spent
    order = checkout(
        store=store_a,
        actor=sales_a,
        card=card,
        lines=[product_line(product("200.00"))],
        payments=[cash("200.00")],
    )
    points_award(card=card, points=50, reason="gift", actor=owner)
    points_redeem(card=card, points=180, actor=owner)

    # when the goods come back
    returned = order_return(order=order, lines=[], actor=owner, reason="Wrong shade")

    # then the 70 points left are taken, and the 130 missing are worth 1.30, kept from the cash
    assert (returned.points_clawed_back, returned.points_shortfall) == (70, 130)
    assert (returned.amount, returned.deducted) == (D("200.00"), D("1.30"))
    refund = returned.refunds.get()
    assert (refund.method, refund.amount, refund.deducted) == ("cash", D("200.00"), D("1.30"))
    assert balances(card)[0] == 0
    assert returned.reason == "Wrong shade"
    assert TimelineEvent.objects.get(kind="return").title == (
        f"Return of order {order.number}: CN¥198.70"
    )


def test_a_package_session_line_gives_the_session_back(mixed_order, card, store_a, manager_a):
    package = mixed_order.lines.get(kind=LineKind.PACKAGE).package
    visit = Order.objects.exclude(pk=mixed_order.pk).get()
    returned = order_return(order=visit, lines=[(visit.lines.get(), 2)], actor=manager_a)
    assert (returned.amount, returned.lines.get().sessions) == (D("0.00"), 2)
    assert sessions_left(package) == 9
    visit.refresh_from_db()
    assert visit.status == OrderStatus.PARTLY_RETURNED


def test_a_partly_used_package_refunds_only_unused_sessions(store_a, card, sales_a, owner):
    # given two packages of 5 sessions on one line (10 sessions), 3 used
    order = checkout(
        store=store_a,
        actor=sales_a,
        card=card,
        lines=[
            CheckoutLine(
                kind=LineKind.PACKAGE,
                service_id=service("100.00").pk,
                quantity=2,
                package_sessions=5,
                unit_price=D("333.33"),
            )
        ],
        payments=[cash("666.66")],
    )
    line = order.lines.get()
    checkout(
        store=store_a,
        actor=sales_a,
        card=card,
        lines=[CheckoutLine(kind=LineKind.PACKAGE_SESSION, package_id=line.package_id, quantity=3)],
        payments=[],
    )

    # when one package comes back, then the other
    first = order_return(order=order, lines=[(line, 1)], actor=owner)
    second = order_return(order=order, lines=[(line, 1)], actor=owner)

    # then the first takes 5 sessions (half the line), the second the 2 still unused
    assert [(r.lines.get().sessions, r.amount) for r in (first, second)] == [
        (5, D("333.33")),
        (2, D("133.33")),
    ]
    assert sessions_left(line.package) == 0
    order.refresh_from_db()
    assert (order.status, order.returned_total) == (OrderStatus.RETURNED, D("466.66"))


def test_an_order_returned_in_full_gives_its_coupon_back(store_a, card, sales_a, owner):
    make_coupon(code="ONCE", value=D("5.00"), max_uses=1)
    order = checkout(
        store=store_a,
        actor=sales_a,
        card=card,
        lines=[product_line(product("20.00"), 2)],
        payments=[cash("35.00")],
        coupon_code="ONCE",
    )
    line = order.lines.get()
    order_return(order=order, lines=[(line, 1)], actor=owner)
    assert CouponUse.objects.count() == 1
    returned = order_return(order=order, lines=[], actor=owner)
    assert returned.amount == D("17.50")
    assert CouponUse.objects.count() == 0


def test_more_than_is_left_is_refused(store_a, card, sales_a, owner):
    order = make_order(store_a, sales_a, quantity=3, card=card)
    line = order.lines.get()
    order_return(order=order, lines=[(line, 2)], actor=owner)
    before = state(order, card)
    with pytest.raises(ApplicationError) as error:
        order_return(order=order, lines=[(line, 1), (line, 1)], actor=owner)
    assert (error.value.code, error.value.message) == (
        "quantity_exceeds",
        f"Only 1 of {line.description} can still be returned.",
    )
    assert state(order, card) == before


def test_a_line_of_another_order_is_refused(store_a, sales_a, owner):
    order, other = make_order(store_a, sales_a), make_order(store_a, sales_a)
    with pytest.raises(ApplicationError) as error:
        order_return(order=order, lines=[(other.lines.get(), 1)], actor=owner)
    assert error.value.code == "unknown_line"
    assert OrderReturn.objects.count() == 0


def test_a_whole_return_of_a_returned_order_is_refused(store_a, sales_a, owner):
    order = make_order(store_a, sales_a)
    order_return(order=order, lines=[], actor=owner)
    before = state(order, None)
    with pytest.raises(ApplicationError) as error:
        order_return(order=order, lines=[], actor=owner)
    assert (error.value.code, error.value.message) == (
        "already_returned",
        f"Order {order.number} was already returned in full.",
    )
    assert state(order, None) == before


def test_a_return_is_audited(store_a, sales_a, owner, store_b):
    order = make_order(store_a, sales_a)
    returned = order_return(order=order, lines=[], actor=owner, store=store_b)
    assert returned.store == store_b
    assert AuditEvent.objects.filter(
        object_type="orders.orderreturn", object_pk=str(returned.pk), action="create"
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="orders.order", object_pk=str(order.pk), action="update"
    ).exists()
