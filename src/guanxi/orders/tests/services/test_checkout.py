"""Checkout: one transaction for the order and every balance it moves; refusals write nothing."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.choices import AccountKind, TransactionKind
from guanxi.loyalty.models import (
    BonusRule,
    CouponUse,
    LedgerEntry,
    LedgerTransaction,
    PackageSessionUse,
    ReferralReward,
    ServicePackage,
)
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import (
    card_freeze,
    ledger_reconcile,
    package_sell,
    points_award,
    stored_value_topup,
)
from guanxi.loyalty.tests.factories import make_card
from guanxi.orders.choices import LineKind, OrderSource, OrderStatus, PaymentMethod
from guanxi.orders.models import Order, OrderLine, Payment
from guanxi.orders.services import CheckoutLine, checkout
from guanxi.orders.tests.factories import (
    cash,
    make_coupon,
    make_order,
    pay,
    product,
    product_line,
    service,
)

pytestmark = pytest.mark.django_db
D = Decimal


def balances(card):
    found = card_balances(card)
    return (
        int(found[AccountKind.POINTS]),
        found[AccountKind.STORED_VALUE_PRINCIPAL],
        found[AccountKind.STORED_VALUE_BONUS],
    )


def world():
    """What a refused checkout must leave as it was."""
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        Payment.objects.count(),
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
        CouponUse.objects.count(),
        ServicePackage.objects.count(),
        TimelineEvent.objects.count(),
    )


@pytest.fixture
def funded_card(card, owner):
    """1,000.00 paid + 100.00 bonus of stored value and 5,000 points."""
    BonusRule.objects.create(minimum_topup=D("1000"), bonus=D("100"))
    stored_value_topup(card=card, amount=D("1000.00"), payment="cash", actor=owner)
    points_award(card=card, points=5000, reason="opening", actor=owner)
    return card


def test_a_mixed_payment_checkout_posts_everything_once(store_a, funded_card, sales_a):
    # given a member with stored value and points, and two products
    mask, serum = product("500.00"), product("200.00")

    # when the member pays 1,200.00 with stored value, points and cash
    order = checkout(
        store=store_a,
        actor=sales_a,
        card=funded_card,
        lines=[product_line(mask, 2), product_line(serum)],
        payments=[
            pay(PaymentMethod.STORED_VALUE, "1050.00"),
            pay(PaymentMethod.POINTS, "30.00"),
            cash("120.00"),
        ],
    )

    # then the order adds up and names the member, the store and the cashier
    order.refresh_from_db()
    assert (order.subtotal, order.total, order.status) == (D("1200.00"), D("1200.00"), "completed")
    assert (order.customer, order.card, order.membership) == (
        funded_card.membership.customer,
        funded_card,
        funded_card.membership,
    )
    assert (order.store, order.created_by, order.source) == (store_a, sales_a, OrderSource.TILL)
    lines = list(order.lines.order_by("position"))
    assert [(line.quantity, line.amount, line.staff, line.store) for line in lines] == [
        (2, D("1000.00"), sales_a, store_a),
        (1, D("200.00"), sales_a, store_a),
    ]
    # and stored value took the paid value first, then 50.00 of bonus; 3,000 points paid 30.00
    payments = list(order.payments.order_by("pk"))
    assert [(p.method, p.amount, p.points) for p in payments] == [
        ("stored_value", D("1050.00"), 0),
        ("points", D("30.00"), 3000),
        ("cash", D("120.00"), 0),
    ]
    assert [p.ledger_transaction.kind for p in payments[:2]] == [
        TransactionKind.SPEND,
        TransactionKind.REDEMPTION,
    ]
    assert payments[2].ledger_transaction is None
    # and points are earned on the money paid: 1,200 − 30 in points − 50 of bonus = 1,120,
    # spread 933.33 / 186.67 over the lines
    assert [line.points_earned for line in lines] == [933, 187]
    assert order.points_earned == 1120
    assert balances(funded_card) == (5000 - 3000 + 1120, D("0.00"), D("50.00"))
    assert set(
        LedgerTransaction.objects.filter(reference=f"order:{order.pk}").values_list(
            "kind", flat=True
        )
    ) == {TransactionKind.SPEND, TransactionKind.REDEMPTION, TransactionKind.SALE}
    assert ledger_reconcile() == []
    # and the purchase is on the customer's timeline, and audited
    event = TimelineEvent.objects.get(kind="purchase")
    assert (event.customer_id, event.title) == (
        order.customer_id,
        f"Purchase {order.number}: CN¥1,200.00",
    )
    assert AuditEvent.objects.filter(object_type="orders.order", object_pk=str(order.pk)).exists()


def test_the_customers_card_earns_when_no_card_is_given(store_a, card, sales_a):
    order = checkout(
        store=store_a,
        actor=sales_a,
        customer=card.membership.customer,
        lines=[product_line(product("88.80"))],
        payments=[cash("88.80")],
    )
    assert (order.card, order.points_earned) == (card, 88)
    assert balances(card)[0] == 88


def test_a_walk_in_sale_touches_no_ledger(store_a, sales_a):
    order = make_order(store_a, sales_a, price="35.50", quantity=2)
    assert (order.customer, order.card, order.total, order.points_earned) == (
        None,
        None,
        D("71.00"),
        0,
    )
    assert LedgerTransaction.objects.count() == 0


def test_a_package_is_sold_and_its_sessions_used_later(store_a, card, sales_a, make_staff):
    # given a member buying two packages of 5 facials, valid 90 days
    facial = service("100.00")
    beautician = make_staff(stores=[store_a])
    sale = checkout(
        store=store_a,
        actor=sales_a,
        card=card,
        lines=[
            CheckoutLine(
                kind=LineKind.PACKAGE,
                service_id=facial.pk,
                quantity=2,
                package_sessions=5,
                package_valid_days=90,
                unit_price=D("450.00"),
            )
        ],
        payments=[cash("900.00")],
    )
    line = sale.lines.get()
    package = line.package
    assert (package.sessions_total, package.service_id, package.service_name) == (
        10,
        facial.pk,
        facial.name,
    )
    assert package.valid_until == timezone.localdate() + datetime.timedelta(days=90)
    assert package.account.balance == 10

    # when she comes for two sessions, served by the beautician
    visit = checkout(
        store=store_a,
        actor=sales_a,
        card=card,
        lines=[
            CheckoutLine(
                kind=LineKind.PACKAGE_SESSION,
                package_id=package.pk,
                quantity=2,
                staff_id=beautician.pk,
            )
        ],
        payments=[],
    )

    # then the visit costs nothing, earns nothing and used two sessions by that beautician
    session_line = visit.lines.get()
    assert (session_line.amount, session_line.package, session_line.staff) == (
        D("0.00"),
        package,
        beautician,
    )
    assert (visit.total, visit.points_earned) == (D("0.00"), 0)
    package.account.refresh_from_db()
    assert package.account.balance == 8
    assert (
        list(
            PackageSessionUse.objects.filter(package=package).values_list(
                "beautician", "visit_reference"
            )
        )
        == [(beautician.pk, f"order:{visit.pk}")] * 2
    )


def test_a_coupon_is_used_once_under_the_orders_reference(store_a, card, sales_a):
    make_coupon(code="SAVE10", value=D("10.00"), max_uses=1)
    order = checkout(
        store=store_a,
        actor=sales_a,
        card=card,
        lines=[product_line(product("60.00"))],
        payments=[cash("50.00")],
        coupon_code="save10",
    )
    assert (order.coupon_code, order.coupon_discount, order.total) == (
        "SAVE10",
        D("10.00"),
        D("50.00"),
    )
    assert list(CouponUse.objects.values_list("reference", "discount")) == [
        (f"order:{order.pk}", D("10.00"))
    ]
    # and a coupon used up is refused next time, with nothing written
    before = world()
    with pytest.raises(ApplicationError) as error:
        checkout(
            store=store_a,
            actor=sales_a,
            card=card,
            lines=[product_line(product("60.00"))],
            payments=[cash("50.00")],
            coupon_code="SAVE10",
        )
    assert error.value.code == "coupon_used_up"
    assert world() == before


def test_the_referrer_is_rewarded_on_the_first_purchase_only(store_a, owner, sales_a):
    referrer_card = make_card(store_a, actor=owner)
    customer = CustomerFactory(home_store=store_a, referrer=referrer_card.membership.customer)

    first = make_order(store_a, sales_a, customer=customer)
    make_order(store_a, sales_a, customer=customer)

    reward = ReferralReward.objects.get()
    assert (reward.referred, reward.reference, reward.points) == (
        customer,
        f"order:{first.pk}",
        500,
    )
    assert balances(referrer_card)[0] == 500


def test_an_imported_order_keeps_its_prices_and_reference(store_a, owner):
    from guanxi.loyalty.models import Membership, TierLevel

    card = make_card(store_a, actor=owner)
    Membership.objects.filter(pk=card.membership_id).update(tier=TierLevel.objects.get(rank=3))
    at = timezone.now() - datetime.timedelta(days=30)

    order = make_order(
        store_a,
        owner,
        price="300.00",
        card=card,
        source=OrderSource.IMPORT,
        reference="POS-1",
        ordered_at=at,
    )

    assert (order.tier_discount, order.total, order.ordered_at) == (D("0.00"), D("300.00"), at)
    assert order.points_earned == 450  # VIP Health Star earns 1.5 points per yuan


@pytest.mark.parametrize("source", [OrderSource.API, OrderSource.IMPORT])
def test_a_reference_is_recorded_once_per_source(store_a, owner, source):
    first = make_order(store_a, owner, source=source, reference="R-77")
    before = world()
    with pytest.raises(ApplicationError) as error:
        make_order(store_a, owner, source=source, reference=" R-77 ")
    assert (error.value.code, error.value.extra) == ("duplicate_reference", {"order": first.pk})
    assert error.value.message == (
        f"Order reference R-77 was already recorded as order {first.number}."
    )
    assert world() == before
    # another source may use the same number
    other = OrderSource.IMPORT if source == OrderSource.API else OrderSource.API
    assert make_order(store_a, owner, source=other, reference="R-77").reference == "R-77"


# --- refusals write nothing -----------------------------------------------------------------------


def _attempt(store, actor, card, payments, lines=None):
    before, balances_before = world(), balances(card)
    with pytest.raises(ApplicationError) as error:
        checkout(
            store=store,
            actor=actor,
            card=card,
            lines=lines or [product_line(product("100.00"))],
            payments=payments,
        )
    assert world() == before
    assert balances(card) == balances_before
    return error.value


def test_payments_that_do_not_add_up_are_refused(store_a, funded_card, sales_a):
    error = _attempt(store_a, sales_a, funded_card, [cash("60.00"), cash("39.99")])
    assert (error.code, error.message) == (
        "payments_mismatch",
        "The payments (CN¥99.99) do not add up to the total (CN¥100.00).",
    )


def test_too_little_stored_value_is_refused(store_a, funded_card, sales_a):
    error = _attempt(
        store_a,
        sales_a,
        funded_card,
        [pay(PaymentMethod.STORED_VALUE, "1100.01")],
        lines=[product_line(product("1100.01"))],
    )
    assert error.code == "insufficient_stored_value"


def test_too_few_points_after_a_stored_value_payment_rolls_everything_back(
    store_a, funded_card, sales_a
):
    # the stored-value payment is posted first; the points payment then fails: all rolls back
    error = _attempt(
        store_a,
        sales_a,
        funded_card,
        [pay(PaymentMethod.STORED_VALUE, "50.00"), pay(PaymentMethod.POINTS, "50.01")],
        lines=[product_line(product("100.01"))],
    )
    assert (error.code, error.message) == (
        "insufficient_points",
        "Not enough points: 5001 asked, 5000 on the card.",
    )


def test_paying_by_card_without_a_card_is_refused(store_a, sales_a):
    before = world()
    with pytest.raises(ApplicationError) as error:
        checkout(
            store=store_a,
            actor=sales_a,
            lines=[product_line(product("10.00"))],
            payments=[pay(PaymentMethod.POINTS, "10.00")],
        )
    assert error.value.code == "card_required"
    assert world() == before


def test_a_card_frozen_since_the_quote_is_refused(store_a, funded_card, sales_a, owner):
    card_freeze(card=funded_card, actor=owner)
    error = _attempt(store_a, sales_a, funded_card, [cash("100.00")])
    assert error.code == "card_not_active"


def test_invalid_payments_are_refused(store_a, funded_card, sales_a):
    assert _attempt(store_a, sales_a, funded_card, [pay("cheque", "100.00")]).code == (
        "invalid_method"
    )
    assert _attempt(store_a, sales_a, funded_card, [cash("100.001")]).code == "invalid_amount"
    assert _attempt(store_a, sales_a, funded_card, [cash("0"), cash("100")]).code == (
        "invalid_amount"
    )


def test_a_used_up_package_is_refused(store_a, card, sales_a, owner):
    package = package_sell(
        card=card,
        service_name="Massage",
        sessions=1,
        valid_until=timezone.localdate() + datetime.timedelta(days=5),
        actor=owner,
    )
    error = _attempt(
        store_a,
        sales_a,
        card,
        [],
        lines=[CheckoutLine(kind=LineKind.PACKAGE_SESSION, package_id=package.pk, quantity=2)],
    )
    assert (error.code, error.message) == (
        "package_used_up",
        "Only 1 sessions are left on this package.",
    )


def test_another_members_package_is_refused(store_a, card, sales_a, owner):
    other = make_card(store_a, actor=owner)
    package = package_sell(
        card=other,
        service_name="Massage",
        sessions=3,
        valid_until=timezone.localdate() + datetime.timedelta(days=5),
        actor=owner,
    )
    error = _attempt(
        store_a,
        sales_a,
        card,
        [],
        lines=[CheckoutLine(kind=LineKind.PACKAGE_SESSION, package_id=package.pk)],
    )
    assert error.code == "unknown_package"


def test_a_card_of_another_customer_is_refused(store_a, card, sales_a, owner):
    stranger = make_card(store_a, actor=owner).membership.customer
    before = world()
    with pytest.raises(ApplicationError) as error:
        make_order(store_a, sales_a, card=card, customer=stranger)
    assert error.value.code == "card_mismatch"
    assert world() == before


def test_the_order_status_starts_completed(store_a, sales_a):
    assert make_order(store_a, sales_a).status == OrderStatus.COMPLETED
