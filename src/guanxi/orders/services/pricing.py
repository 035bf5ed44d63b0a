"""Pricing a basket: the price of each line, the tier discount, the coupon, and the points the
sale would earn. ``checkout_quote`` only reads; ``checkout`` prices with the same code.

**The order of application** (docs/user/orders.md):

1. Each line's price: the ``unit_price`` given (an external POS, an import, a price typed at the
   till), else the catalogue's ``price_for(item, store, day)``. A package sale without a price
   costs the service's price times its sessions; a package session costs 0.
2. The tier discount: the member's tier ``discount_percent`` of the product and service lines,
   rounded to the cent on their sum and spread over them by largest remainder. Package sales
   (already a bundle price), package sessions (0) and lines without a product are not
   discounted, and neither is an imported order (it records what was paid). A card that is not
   active gives no discount.
3. The coupon, on the subtotal after the tier discount, spread over every line that still costs
   something, by largest remainder.

Every line's amount is its price × quantity minus its share of both discounts, so the lines add
up to the total exactly.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.catalog.selectors import price_for, product_get, service_get
from guanxi.core.errors import ApplicationError
from guanxi.core.money import CENT, money_round
from guanxi.loyalty.choices import AccountKind, CardStatus
from guanxi.loyalty.selectors import (
    card_balances,
    card_for_customer,
    card_history,
    package_list,
    tier_level_list,
)
from guanxi.loyalty.services.coupons import coupon_quote
from guanxi.loyalty.services.earning import EarnLine, points_for_purchase, points_value
from guanxi.orders.choices import LineKind, OrderSource

if TYPE_CHECKING:
    from guanxi.loyalty.models import MemberCard, Membership, ServicePackage

ZERO = Decimal("0.00")
# Lines the tier discount applies to.
TIER_DISCOUNT_KINDS = frozenset({LineKind.PRODUCT, LineKind.SERVICE})
# A package sold without a number of days is valid for a year.
DEFAULT_PACKAGE_VALID_DAYS = 365
# Sources whose prices are what the customer paid: no tier discount is taken off them again.
RECORDED_SOURCES = frozenset({OrderSource.IMPORT})


@dataclass(frozen=True)
class CheckoutLine:
    """One line of a basket. ``unit_price=None`` takes the catalogue price of the store and day."""

    kind: str
    quantity: int = 1
    product_id: int | None = None
    service_id: int | None = None
    package_id: int | None = None
    unit_price: Decimal | None = None
    staff_id: int | None = None
    package_sessions: int = 0
    package_valid_days: int = 0


@dataclass(frozen=True)
class CheckoutPayment:
    """Money taken for an order. For ``points`` the amount is the money the points cover; the
    points taken are ``points_for_amount(amount)``."""

    method: str
    amount: Decimal
    reference: str = ""


@dataclass(frozen=True)
class QuoteLine:
    position: int
    kind: str
    description: str
    sku: str
    product_id: int | None
    service_id: int | None
    package_id: int | None
    category_id: int | None
    quantity: int
    unit_price: Decimal
    unit_cost: Decimal | None
    gross: Decimal
    tier_discount: Decimal
    coupon_discount: Decimal
    staff_id: int | None
    package_sessions: int
    package_valid_days: int
    points: int

    @property
    def discount(self) -> Decimal:
        return self.tier_discount + self.coupon_discount

    @property
    def amount(self) -> Decimal:
        return self.gross - self.discount


@dataclass(frozen=True)
class Quote:
    """What a basket costs and what it earns; with the card's balances for the till."""

    lines: tuple[QuoteLine, ...]
    subtotal: Decimal
    tier_discount_percent: Decimal
    tier_discount: Decimal
    coupon_code: str
    coupon_discount: Decimal
    total: Decimal
    points_to_earn: int
    customer: Any
    card: MemberCard | None
    membership: Membership | None
    card_usable: bool
    points_balance: int
    points_balance_value: Decimal
    stored_value_principal: Decimal
    stored_value_bonus: Decimal

    @property
    def stored_value(self) -> Decimal:
        return self.stored_value_principal + self.stored_value_bonus


def spread(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` over ``weights`` (amounts of money) in proportion, by largest remainder:
    each share is its exact share rounded down to the cent, and the cents still missing go one
    each to the shares with the largest remainders (the earlier one on a tie). The shares add
    up to ``total`` exactly, and none is more than a cent from its exact share, so a discount
    never takes a line below zero. Computed in whole cents, so ties are exact."""
    total = money_round(total)
    cents = int(total / CENT)
    weight_cents = [int(money_round(w) / CENT) for w in weights]
    if any(Decimal(w) != money_round(w) for w in weights) or any(w < 0 for w in weight_cents):
        raise ValueError("weights are amounts of money of at least 0")
    weight_sum = sum(weight_cents)
    if weight_sum == 0:
        if cents:
            raise ValueError("nothing to spread the amount over")
        return [ZERO] * len(weights)
    floors = [cents * w // weight_sum for w in weight_cents]
    remainders = [cents * w % weight_sum for w in weight_cents]
    missing = cents - sum(floors)
    for index in sorted(range(len(floors)), key=lambda i: (-remainders[i], i))[:missing]:
        floors[index] += 1
    return [(Decimal(c) * CENT).quantize(CENT) for c in floors]


def _refuse(message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code)


def _money(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money is never a float")
    amount = Decimal(value)
    if amount < 0 or amount != amount.quantize(CENT):
        raise _refuse(
            _("Prices are amounts of at least 0 with at most two decimal places."), "invalid_price"
        )
    return amount.quantize(CENT)


def card_not_usable(card: MemberCard) -> ApplicationError:
    return ApplicationError(
        _("Card %(number)s is %(status)s and cannot be used.")
        % {"number": card.number, "status": card.get_status_display()},
        code="card_not_active",
    )


@dataclass(frozen=True)
class Member:
    customer: Any
    card: MemberCard | None
    membership: Membership | None
    usable: bool


def member_resolve(*, customer: Any, card: MemberCard | None) -> Member:
    """The customer, their card and membership for a sale. A card given explicitly must be
    usable; a customer's own card that is not active is recorded but gives no benefit."""
    if customer is not None and customer.erased_at is not None:
        raise _refuse(_("This customer's data was erased; sell without a customer."), "erased")
    if card is None:
        found = card_for_customer(customer) if customer is not None else None
        if found is None:
            return Member(customer, None, None, False)
        return Member(customer, found, found.membership, found.status == CardStatus.ACTIVE)
    # Read the card again: the till may have held it for a while.
    card = card_history(card).select_related("membership__tier").get(pk=card.pk)
    if card.status != CardStatus.ACTIVE:
        if card.status == CardStatus.REPLACED:
            raise _refuse(_("Use the card that replaced this one."), "card_not_active")
        raise card_not_usable(card)
    membership = card.membership
    if customer is not None:
        own = card_for_customer(customer)
        if own is None or own.membership_id != card.membership_id:
            raise _refuse(
                _("Card %(number)s does not belong to this customer.") % {"number": card.number},
                "card_mismatch",
            )
    elif membership.customer_id is not None:
        customer = membership.customer
    return Member(customer, card, membership, True)


def tier_percent(member: Member, source: str) -> Decimal:
    """The tier discount of the member's current tier (an empty tier: the lowest rung)."""
    if not member.usable or member.membership is None or source in RECORDED_SOURCES:
        return ZERO
    level = member.membership.tier if member.membership.tier_id else tier_level_list().first()
    return Decimal(level.discount_percent) if level is not None else ZERO


@dataclass(frozen=True)
class _Priced:
    kind: str
    description: str
    sku: str
    product_id: int | None
    service_id: int | None
    package_id: int | None
    category_id: int | None
    quantity: int
    unit_price: Decimal
    unit_cost: Decimal | None
    staff_id: int | None
    package_sessions: int
    package_valid_days: int

    @property
    def gross(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


def _member_package(member: Member, package_id: int | None) -> ServicePackage:
    if member.card is None or not member.usable:
        raise _refuse(
            _("A package session is taken from the member's card: find the member first."),
            "card_required",
        )
    package = package_list(card=member.card).filter(pk=package_id).first() if package_id else None
    if package is None:
        raise _refuse(_("This package is not on the member's card."), "unknown_package")
    return package


def _price_line(
    line: CheckoutLine, *, store: Any, at: datetime.datetime, member: Member, selling: bool
) -> _Priced:
    """Resolve one line's item and price; ``selling`` refuses items taken off sale."""
    if not isinstance(line.quantity, int) or isinstance(line.quantity, bool) or line.quantity < 1:
        raise _refuse(_("Quantities are whole numbers of at least 1."), "invalid_quantity")
    given = None if line.unit_price is None else _money(line.unit_price)
    common: dict[str, Any] = {
        "kind": line.kind,
        "quantity": line.quantity,
        "staff_id": line.staff_id,
        "product_id": None,
        "service_id": None,
        "package_id": None,
        "sku": "",
        "unit_cost": None,
        "package_sessions": 0,
        "package_valid_days": 0,
    }
    if line.kind == LineKind.PRODUCT:
        product = product_get(pk=line.product_id) if line.product_id else None
        if product is None:
            raise _refuse(_("Choose a product for every product line."), "unknown_product")
        if selling and not product.is_active:
            raise _refuse(_("%(item)s is not on sale.") % {"item": product.name}, "not_on_sale")
        price = given if given is not None else price_for(item=product, store=store, at=at)
        return _Priced(
            **{
                **common,
                "product_id": product.pk,
                "sku": product.sku,
                "unit_cost": product.cost,
            },
            description=product.name,
            category_id=product.category_id,
            unit_price=price,
        )
    if line.kind in (LineKind.SERVICE, LineKind.PACKAGE):
        service = service_get(pk=line.service_id) if line.service_id else None
        if service is None:
            raise _refuse(_("Choose a service for every service line."), "unknown_service")
        if selling and not service.is_active:
            raise _refuse(_("%(item)s is not on sale.") % {"item": service.name}, "not_on_sale")
        if line.kind == LineKind.SERVICE:
            price = given if given is not None else price_for(item=service, store=store, at=at)
            return _Priced(
                **{**common, "service_id": service.pk},
                description=service.name,
                category_id=service.category_id,
                unit_price=price,
            )
        if member.card is None or not member.usable:
            raise _refuse(
                _("A package is sold to a member: find the member's card first."),
                "card_required",
            )
        sessions = line.package_sessions
        if not isinstance(sessions, int) or isinstance(sessions, bool) or sessions < 1:
            raise _refuse(_("A package has at least one session."), "invalid_sessions")
        days = line.package_valid_days or DEFAULT_PACKAGE_VALID_DAYS
        if days < 1:
            raise _refuse(_("A package is valid for at least one day."), "invalid_validity")
        if given is None:
            given = price_for(item=service, store=store, at=at) * sessions
        return _Priced(
            **{
                **common,
                "service_id": service.pk,
                "package_sessions": sessions,
                "package_valid_days": days,
            },
            description=service.name,
            category_id=service.category_id,
            unit_price=given,
        )
    if line.kind == LineKind.PACKAGE_SESSION:
        package = _member_package(member, line.package_id)
        if package.account.balance < line.quantity:
            raise _refuse(
                _("Only %(left)s sessions are left on this package.")
                % {"left": int(package.account.balance)},
                "package_used_up",
            )
        if package.valid_until < timezone.localdate():
            raise _refuse(
                _("This package expired on %(date)s.") % {"date": package.valid_until},
                "package_expired",
            )
        service = service_get(pk=package.service_id) if package.service_id else None
        return _Priced(
            **{**common, "package_id": package.pk, "service_id": package.service_id},
            description=package.service_name,
            category_id=service.category_id if service is not None else None,
            unit_price=ZERO,
        )
    if line.kind == LineKind.OTHER:
        if given is None:
            raise _refuse(_("Give the price of a line without a product."), "price_required")
        return _Priced(**common, description=str(_("Other")), category_id=None, unit_price=given)
    raise _refuse(_("Unknown kind of line: %(kind)s.") % {"kind": line.kind}, "invalid_kind")


def _check_staff(lines: Sequence[CheckoutLine]) -> None:
    wanted = {line.staff_id for line in lines if line.staff_id is not None}
    if not wanted:
        return
    found = set(get_user_model().objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise _refuse(_("A line names a staff member who does not exist."), "unknown_staff")


def quote_build(
    *,
    store: Any,
    lines: Sequence[CheckoutLine],
    member: Member,
    coupon_code: str,
    at: datetime.datetime,
    source: str,
) -> Quote:
    """Price the basket for ``member`` (see the module docstring for the order of discounts)."""
    if not lines:
        raise _refuse(_("Add at least one item."), "empty_order")
    _check_staff(lines)
    selling = source not in RECORDED_SOURCES
    priced = [
        _price_line(line, store=store, at=at, member=member, selling=selling) for line in lines
    ]
    gross = [p.gross for p in priced]
    subtotal = sum(gross, ZERO)

    percent = tier_percent(member, source)
    eligible = [i for i, p in enumerate(priced) if p.kind in TIER_DISCOUNT_KINDS and gross[i] > 0]
    tier_total = money_round(sum((gross[i] for i in eligible), ZERO) * percent / 100)
    tier = [ZERO] * len(priced)
    for index, share in zip(
        eligible, spread(tier_total, [gross[i] for i in eligible]), strict=True
    ):
        tier[index] = share

    after_tier = [g - t for g, t in zip(gross, tier, strict=True)]
    coupon_code = coupon_code.strip()
    coupon_total = ZERO
    if coupon_code:
        found = coupon_quote(
            code=coupon_code,
            customer_id=getattr(member.customer, "pk", None),
            store_id=store.pk,
            subtotal=sum(after_tier, ZERO),
            at=at,
        )
        coupon_code, coupon_total = found.coupon.code, found.discount
    coupon = spread(coupon_total, after_tier)

    amounts = [a - c for a, c in zip(after_tier, coupon, strict=True)]
    earning = member.membership if member.usable else None
    points = points_for_purchase(
        membership=earning,
        lines=[EarnLine(p.category_id, a) for p, a in zip(priced, amounts, strict=True)],
        store_id=store.pk,
        at=at,
    )
    quote_lines = tuple(
        QuoteLine(
            position=index + 1,
            kind=p.kind,
            description=p.description[:200],
            sku=p.sku,
            product_id=p.product_id,
            service_id=p.service_id,
            package_id=p.package_id,
            category_id=p.category_id,
            quantity=p.quantity,
            unit_price=p.unit_price,
            unit_cost=p.unit_cost,
            gross=gross[index],
            tier_discount=tier[index],
            coupon_discount=coupon[index],
            staff_id=p.staff_id,
            package_sessions=p.package_sessions,
            package_valid_days=p.package_valid_days,
            points=points[index],
        )
        for index, p in enumerate(priced)
    )
    balances = card_balances(member.card) if member.card is not None else {}
    points_balance = int(balances.get(AccountKind.POINTS, 0))
    return Quote(
        lines=quote_lines,
        subtotal=subtotal,
        tier_discount_percent=percent,
        tier_discount=tier_total,
        coupon_code=coupon_code,
        coupon_discount=coupon_total,
        total=sum(amounts, ZERO),
        points_to_earn=sum(points),
        customer=member.customer,
        card=member.card,
        membership=member.membership,
        card_usable=member.usable,
        points_balance=points_balance,
        points_balance_value=points_value(points_balance),
        stored_value_principal=balances.get(AccountKind.STORED_VALUE_PRINCIPAL, ZERO),
        stored_value_bonus=balances.get(AccountKind.STORED_VALUE_BONUS, ZERO),
    )


def checkout_quote(
    *,
    store: Any,
    lines: Sequence[CheckoutLine],
    customer: Any = None,
    card: MemberCard | None = None,
    coupon_code: str = "",
    at: datetime.datetime | None = None,
) -> Quote:
    """What the basket costs and earns now, with the card's balances. Reads only; refused with
    the reason (unknown item, coupon not valid, card not usable…) like the checkout itself.

    ``points_to_earn`` assumes the total is paid in money: a payment in points or with bonus
    stored value earns nothing (see ``checkout``)."""
    member = member_resolve(customer=customer, card=card)
    return quote_build(
        store=store,
        lines=lines,
        member=member,
        coupon_code=coupon_code,
        at=at or timezone.now(),
        source=OrderSource.TILL,
    )
