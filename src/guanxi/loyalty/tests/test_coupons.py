"""Coupons: the discount, each refusal with its message, one use per reference."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings

from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.models import Coupon, CouponKind, CouponUse
from guanxi.loyalty.services import (
    coupon_create,
    coupon_deactivate,
    coupon_quote,
    coupon_update,
    coupon_use,
    coupon_use_cancel,
)

pytestmark = pytest.mark.django_db
ZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)
NOON = datetime.datetime(2026, 11, 11, 12, tzinfo=ZONE)


def make_coupon(owner, **fields):
    data = {
        "code": "save10",
        "name": "Ten off",
        "kind": CouponKind.AMOUNT,
        "value": Decimal("10.00"),
        "valid_from": datetime.date(2026, 11, 1),
        "valid_until": datetime.date(2026, 11, 30),
        **fields,
    }
    return coupon_create(actor=owner, **data)


def quote(store, subtotal="100.00", code="SAVE10", customer=None, at=NOON):
    return coupon_quote(
        code=code,
        customer_id=customer.pk if customer else None,
        store_id=store.pk,
        subtotal=Decimal(subtotal),
        at=at,
    )


def use(store, reference, subtotal="100.00", code="SAVE10", customer=None, actor=None):
    return coupon_use(
        code=code,
        customer_id=customer.pk if customer else None,
        store_id=store.pk,
        subtotal=Decimal(subtotal),
        at=NOON,
        reference=reference,
        actor=actor,
    )


def refusal(call):
    with pytest.raises(ApplicationError) as error:
        call()
    return error.value.code, error.value.message


def test_code_is_kept_in_capitals_and_typed_any_way(store_a, owner):
    coupon = make_coupon(owner, code=" save 10 ")
    assert coupon.code == "SAVE10"
    assert quote(store_a, code="Save10").discount == Decimal("10.00")


def test_percent_discount_is_rounded_to_the_cent(store_a, owner):
    make_coupon(owner, kind=CouponKind.PERCENT, value=Decimal("12.5"))
    # 12.5% of 99.99 = 12.49875 → 12.50
    assert quote(store_a, subtotal="99.99").discount == Decimal("12.50")


def test_discount_is_never_above_the_subtotal(store_a, owner):
    make_coupon(owner, value=Decimal("50.00"))
    assert quote(store_a, subtotal="30.00").discount == Decimal("30.00")


def test_unknown_code(store_a, owner):
    assert refusal(lambda: quote(store_a, code="nope")) == (
        "coupon_unknown",
        "There is no coupon with the code NOPE.",
    )


def test_inactive(store_a, owner):
    coupon = make_coupon(owner)
    coupon_deactivate(coupon=coupon, actor=owner)
    assert refusal(lambda: quote(store_a)) == (
        "coupon_inactive",
        "Coupon SAVE10 is no longer active.",
    )


def test_not_yet_valid_and_expired_by_local_date(store_a, owner):
    make_coupon(owner)
    # 2026-10-31 23:59 in Shanghai is before the first day
    before = datetime.datetime(2026, 10, 31, 23, 59, tzinfo=ZONE)
    assert refusal(lambda: quote(store_a, at=before)) == (
        "coupon_not_yet_valid",
        "Coupon SAVE10 is valid from Nov. 1, 2026.",
    )
    # 16:30 UTC on 11-30 is already 12-01 in Shanghai
    after = datetime.datetime(2026, 11, 30, 16, 30, tzinfo=datetime.UTC)
    assert refusal(lambda: quote(store_a, at=after)) == (
        "coupon_expired",
        "Coupon SAVE10 expired on Nov. 30, 2026.",
    )
    # the last day itself is valid
    last = datetime.datetime(2026, 11, 30, 23, 59, tzinfo=ZONE)
    assert quote(store_a, at=last).discount == Decimal("10.00")


def test_other_store(store_a, store_b, owner):
    make_coupon(owner, store=store_b)
    assert refusal(lambda: quote(store_a)) == (
        "coupon_wrong_store",
        "Coupon SAVE10 can only be used at Store B.",
    )
    assert quote(store_b).discount == Decimal("10.00")


def test_personal_coupon_of_another_customer(store_a, owner):
    mine, other = CustomerFactory(home_store=store_a), CustomerFactory(home_store=store_a)
    make_coupon(owner, customer=mine)
    expected = (
        "coupon_wrong_customer",
        "Coupon SAVE10 is personal and belongs to another customer.",
    )
    assert refusal(lambda: quote(store_a, customer=other)) == expected
    assert refusal(lambda: quote(store_a)) == expected
    assert quote(store_a, customer=mine).discount == Decimal("10.00")


def test_per_customer_limit_needs_a_customer(store_a, owner):
    make_coupon(owner, max_uses_per_customer=1)
    assert refusal(lambda: quote(store_a)) == (
        "coupon_needs_customer",
        "Coupon SAVE10 is for members: find the customer first.",
    )


def test_minimum_spend(store_a, owner):
    make_coupon(owner, minimum_spend=Decimal("200.00"))
    assert refusal(lambda: quote(store_a, subtotal="199.99")) == (
        "coupon_minimum_spend",
        "Coupon SAVE10 needs a spend of at least CN¥200.00; this order comes to CN¥199.99.",
    )
    assert quote(store_a, subtotal="200.00").discount == Decimal("10.00")


def test_used_up_in_total(store_a, owner):
    make_coupon(owner, max_uses=2)
    use(store_a, "order-1")
    use(store_a, "order-2")
    assert refusal(lambda: use(store_a, "order-3")) == (
        "coupon_used_up",
        "Coupon SAVE10 has been used up.",
    )
    assert CouponUse.objects.count() == 2


def test_used_up_by_this_customer(store_a, owner):
    first, second = CustomerFactory(home_store=store_a), CustomerFactory(home_store=store_a)
    make_coupon(owner, max_uses_per_customer=1)
    use(store_a, "order-1", customer=first)
    assert refusal(lambda: use(store_a, "order-2", customer=first)) == (
        "coupon_customer_used_up",
        "This customer has already used coupon SAVE10 as often as it allows.",
    )
    use(store_a, "order-3", customer=second)
    assert CouponUse.objects.filter(customer=first).count() == 1
    assert CouponUse.objects.count() == 2


def test_a_reference_uses_a_coupon_once(store_a, owner):
    # given a coupon used by order-1 for 10.00
    make_coupon(owner, max_uses=1)
    first = use(store_a, "order-1", actor=owner)
    # when the same order uses it again (a retry), even with another subtotal
    again = use(store_a, "order-1", subtotal="5.00", actor=owner)
    # then the first use is returned and nothing more is written
    assert (first.discount, again.discount) == (Decimal("10.00"), Decimal("10.00"))
    assert CouponUse.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="loyalty.couponuse").count() == 1
    use_row = CouponUse.objects.get()
    assert (use_row.reference, use_row.discount, use_row.store_id) == (
        "order-1",
        Decimal("10.00"),
        store_a.pk,
    )


def test_quote_writes_nothing(store_a, owner):
    make_coupon(owner)
    quote(store_a)
    assert CouponUse.objects.count() == 0


def test_cancelled_use_frees_the_coupon(store_a, owner):
    make_coupon(owner, max_uses=1)
    use(store_a, "order-1")
    assert coupon_use_cancel(code="save10", reference="order-1", actor=owner) is True
    assert coupon_use_cancel(code="save10", reference="order-1", actor=owner) is False
    assert use(store_a, "order-2").discount == Decimal("10.00")


def test_code_of_a_used_coupon_cannot_change(store_a, owner):
    coupon = make_coupon(owner)
    use(store_a, "order-1")
    assert refusal(lambda: coupon_update(coupon=coupon, data={"code": "OTHER"}, actor=owner)) == (
        "coupon_code_used",
        "A coupon that was used keeps its code.",
    )
    assert Coupon.objects.get().code == "SAVE10"
    coupon_update(coupon=coupon, data={"name": "Ten yuan off"}, actor=owner)
    assert Coupon.objects.get().name == "Ten yuan off"


def test_merge_moves_personal_coupons_and_uses_and_export_lists_them(store_a, owner):
    from guanxi.core.registry import CUSTOMER_DATA
    from guanxi.customers.services.merge import customer_merge

    # given a customer with a personal coupon, used once, and their duplicate record
    folded, kept = CustomerFactory(home_store=store_a), CustomerFactory(home_store=store_a)
    coupon = make_coupon(owner, customer=folded)
    use(store_a, "order-1", customer=folded)
    export = CUSTOMER_DATA["loyalty-coupons"].export
    assert export(folded.pk) == [
        {
            "coupon": "SAVE10",
            "name": "Ten off",
            "valid_from": "2026-11-01",
            "valid_until": "2026-11-30",
        },
        {
            "coupon": "SAVE10",
            "time": CouponUse.objects.get().created_at.isoformat(),
            "order": "order-1",
            "discount": "10.00",
        },
    ]
    # when the first is folded into the second
    customer_merge(source=folded, target=kept, actor=owner)
    # then the coupon and its use belong to the customer kept, audited
    coupon.refresh_from_db()
    assert coupon.customer_id == kept.pk
    assert CouponUse.objects.get().customer_id == kept.pk
    assert (
        AuditEvent.objects.filter(
            object_type="loyalty.couponuse",
            action="update",
            changes={"customer": [folded.pk, kept.pk]},
        ).count()
        == 1
    )
    assert quote(store_a, customer=kept).discount == Decimal("10.00")
