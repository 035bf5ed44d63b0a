"""Factories of the orders tests: orders are made through ``checkout``, as at the till."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from guanxi.catalog.tests.factories import CategoryFactory, ProductFactory, ServiceFactory
from guanxi.loyalty.models import Coupon, CouponKind
from guanxi.orders.choices import LineKind, OrderSource, PaymentMethod
from guanxi.orders.services import CheckoutLine, CheckoutPayment, checkout
from guanxi.orders.services.pricing import member_resolve, quote_build


def product(price: str, **fields: Any):
    return ProductFactory(price=Decimal(price), **fields)


def service(price: str, **fields: Any):
    return ServiceFactory(price=Decimal(price), **fields)


def product_line(item: Any, quantity: int = 1, **fields: Any) -> CheckoutLine:
    return CheckoutLine(kind=LineKind.PRODUCT, product_id=item.pk, quantity=quantity, **fields)


def service_line(item: Any, quantity: int = 1, **fields: Any) -> CheckoutLine:
    return CheckoutLine(kind=LineKind.SERVICE, service_id=item.pk, quantity=quantity, **fields)


def cash(amount: str) -> CheckoutPayment:
    return CheckoutPayment(method=PaymentMethod.CASH, amount=Decimal(amount))


def pay(method: str, amount: str) -> CheckoutPayment:
    return CheckoutPayment(method=method, amount=Decimal(amount))


def make_order(store: Any, actor: Any, *, price: str = "100.00", quantity: int = 1, **kwargs: Any):
    """A cash sale of one product line at ``price`` × ``quantity``, paying whatever the member's
    discount leaves."""
    item = product(price)
    lines = [product_line(item, quantity)]
    member = member_resolve(customer=kwargs.get("customer"), card=kwargs.get("card"))
    quote = quote_build(
        store=store,
        lines=lines,
        member=member,
        coupon_code=kwargs.get("coupon_code", ""),
        at=kwargs.get("ordered_at") or timezone.now(),
        source=kwargs.get("source", OrderSource.TILL),
    )
    return checkout(
        store=store,
        actor=actor,
        lines=lines,
        payments=[cash(str(quote.total))] if quote.total else [],
        **kwargs,
    )


def make_coupon(**fields: Any) -> Coupon:
    today = timezone.localdate()
    data = {
        "code": "SAVE10",
        "name": "Ten off",
        "kind": CouponKind.AMOUNT,
        "value": Decimal("10.00"),
        "valid_from": today - datetime.timedelta(days=1),
        "valid_until": today + datetime.timedelta(days=30),
        **fields,
    }
    return Coupon.objects.create(**data)


def category():
    return CategoryFactory()
