"""Writes of the orders domain: checkout, returns, and the spend behind member tiers."""

from guanxi.orders.services.checkout import checkout, order_reference
from guanxi.orders.services.pricing import (
    CheckoutLine,
    CheckoutPayment,
    Quote,
    QuoteLine,
    checkout_quote,
)
from guanxi.orders.services.returns import order_return
from guanxi.orders.services.spend import order_spend

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
