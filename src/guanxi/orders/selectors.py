"""Reads of the orders domain: lists, one order, a customer's history, a receipt.

Every read goes through ``scope``: a staff member sees the orders of their own stores (an order
belongs to the store where it was sold); owners see every store's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.core.permissions import scope
from guanxi.customers.phones import phone_normalise
from guanxi.customers.selectors import customer_list
from guanxi.loyalty.choices import AccountKind, CardStatus
from guanxi.loyalty.selectors import card_balances, card_history, card_list
from guanxi.orders.models import Order, OrderLine, OrderReturn, Payment, Refund, ReturnLine

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class OrderFilters:
    store_id: int | None = None
    customer_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str = ""  # a receipt number or the reference of the system the order came from


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _search(orders: QuerySet[Order], term: str) -> QuerySet[Order]:
    """A receipt number (leading zeros optional) or an order reference, exactly or its start."""
    term = term.strip()
    if not term:
        return orders
    found = Q(reference=term) | Q(reference__istartswith=term)
    digits = term.lstrip("0")
    if term.isdigit() and digits and len(digits) <= 18:
        found |= Q(pk=int(digits))
    return orders.filter(found)


def order_list(
    *,
    user: Any,
    filters: OrderFilters | None = None,
    store_id: int | None = None,
    customer_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    q: str = "",
) -> QuerySet[Order]:
    """The orders ``user`` may see, newest first; filtered by store, customer, local dates of
    sale (both included) and a receipt number or reference."""
    filters = filters or OrderFilters(
        store_id=store_id, customer_id=customer_id, date_from=date_from, date_to=date_to, q=q
    )
    orders = scope(Order.objects.all(), user).select_related(
        "store", "customer", "card", "created_by"
    )
    if filters.store_id is not None:
        orders = orders.filter(store_id=filters.store_id)
    if filters.customer_id is not None:
        orders = orders.filter(customer_id=filters.customer_id)
    if filters.date_from is not None:
        orders = orders.filter(ordered_at__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        orders = orders.filter(
            ordered_at__lt=_day_start(filters.date_to + datetime.timedelta(days=1))
        )
    return _search(orders, filters.q).order_by("-ordered_at", "-pk")


def order_get(*, user: Any, pk: Any) -> Order | None:
    """One order ``user`` may see, with its lines, payments and returns; ``None`` otherwise
    (another store's order is not found)."""
    try:
        return (
            order_list(user=user)
            .prefetch_related(
                Prefetch(
                    "lines",
                    queryset=OrderLine.objects.select_related("staff", "package").order_by(
                        "position"
                    ),
                ),
                Prefetch("payments", queryset=Payment.objects.order_by("pk")),
                Prefetch(
                    "returns",
                    queryset=OrderReturn.objects.select_related("store", "created_by")
                    .prefetch_related(
                        Prefetch("lines", queryset=ReturnLine.objects.order_by("pk")),
                        Prefetch("refunds", queryset=Refund.objects.order_by("pk")),
                    )
                    .order_by("created_at", "pk"),
                ),
            )
            .get(pk=pk)
        )
    except (Order.DoesNotExist, ValueError, TypeError):
        return None


def order_history_for_customer(*, user: Any, customer: Any) -> QuerySet[Order]:
    """The customer's orders that ``user`` may see, newest first."""
    return order_list(user=user, customer_id=customer.pk)


def order_return_list(*, user: Any) -> QuerySet[OrderReturn]:
    """The returns of the orders ``user`` may see (returns belong to the order's store)."""
    return scope(OrderReturn.objects.select_related("order", "store"), user)


def order_lines_returnable(*, order: Order) -> list[tuple[OrderLine, int]]:
    """Each line of the order with the quantity that may still be returned (0: none)."""
    return [
        (line, line.quantity - line.quantity_returned)
        for line in order.lines.select_related("package").order_by("position")
    ]


def order_find_by_reference(*, user: Any, source: str, reference: str) -> Order | None:
    """The order of ``source`` with this reference, if ``user`` may see it."""
    reference = reference.strip()
    if not reference:
        return None
    return order_list(user=user).filter(source=source, reference=reference).first()


@dataclass(frozen=True)
class Receipt:
    """What a printed receipt shows."""

    order: Order
    lines: list[OrderLine]
    payments: list[Payment]
    returns: list[OrderReturn]
    total_discount: Decimal
    points_paid: int
    points_balance: int | None
    stored_value_principal: Decimal | None
    stored_value_bonus: Decimal | None


def order_receipt(*, order: Order) -> Receipt:
    """The receipt of an order fetched with ``order_get``: lines, payments, returns, and the
    card's balances now."""
    lines = list(order.lines.all())
    payments = list(order.payments.all())
    balances: dict[str, Decimal] = {}
    if order.card is not None:
        live = card_history(order.card).exclude(status=CardStatus.REPLACED).first()
        if live is not None:
            balances = card_balances(live)
    return Receipt(
        order=order,
        lines=lines,
        payments=payments,
        returns=list(order.returns.all()),
        total_discount=order.tier_discount + order.coupon_discount,
        points_paid=sum(p.points for p in payments),
        points_balance=int(balances[AccountKind.POINTS]) if balances else None,
        stored_value_principal=balances.get(AccountKind.STORED_VALUE_PRINCIPAL),
        stored_value_bonus=balances.get(AccountKind.STORED_VALUE_BONUS),
    )


def customer_find(
    *, user: Any, phone: str = "", external_id: str = "", card_number: str = ""
) -> tuple[Any, Any]:
    """The customer and card an external system names by phone, external id or card number,
    among those ``user`` may see: ``(customer or None, card or None)``. Raises
    ``LookupError`` with what was not found ("card", "phone" or "customer")."""
    card = None
    if card_number.strip():
        number = "".join(card_number.split()).replace("-", "").upper()
        card = card_list(user=user).filter(number=number).first()
        if card is None:
            raise LookupError("card")
    customers = customer_list(user=user).filter(erased_at__isnull=True)
    if phone.strip():
        try:
            customers = customers.filter(phone=phone_normalise(phone))
        except ValidationError as error:
            raise LookupError("phone") from error
    elif external_id.strip():
        customers = customers.filter(external_id=external_id.strip())
    elif card is not None:
        membership = card.membership
        if membership.customer_id:
            return customers.filter(pk=membership.customer_id).first(), card
        return None, card
    else:
        return None, None
    found = customers.first()  # phones and external ids are unique
    if found is None:
        raise LookupError("customer")
    return found, card


def customer_spend_annotation() -> Any:
    """An expression over ``Customer``: what the customer spent (orders less returns), 0 when
    nothing. Ranks the data-quality page's "fill these in" list (``customer_value_register``)."""
    spend = (
        Order.objects.filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(spend=Sum(F("total") - F("returned_total")))
        .values("spend")
    )
    return Coalesce(
        Subquery(spend, output_field=DecimalField(max_digits=16, decimal_places=2)),
        Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
