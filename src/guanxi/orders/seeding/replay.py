"""The demo's order history, written through the real services (``make demo`` scale).

Every event of the two years is put on one time line and replayed in order of time: a member
card issued when the customer joined (``card_issue``), top-ups with the bonus rules
(``stored_value_topup``), sales (``checkout``: lines with the serving staff member, the tier
discount, payments by mobile, bank card, cash, stored value and points, points earned, package
sales and sessions used, referral rewards, tier upgrades), returns (``order_return``) and the
monthly points expiry (``points_expire``). While an event is replayed, the seed clock says it is
the event's moment, so every row the services write — orders, ledger transactions, points lots
and their expiry dates, audit rows, tier changes — carries the time it would have had, and the
services' own date checks (a package's validity, a price list's dates) see that day.
"""

from __future__ import annotations

import contextlib
import datetime
import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.utils import timezone

from guanxi.catalog.models import PriceListItem, Product, Service
from guanxi.core.errors import ApplicationError
from guanxi.core.money import money_round
from guanxi.core.seeding import SeedContext
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import Membership, TierLevel
from guanxi.loyalty.selectors import card_balances, card_for_customer
from guanxi.loyalty.services import card_issue, points_expire, stored_value_topup
from guanxi.loyalty.services.earning import points_for_amount, points_value
from guanxi.orders.choices import LineKind, OrderSource, PaymentMethod
from guanxi.orders.models import OrderLine
from guanxi.orders.seeding.common import (
    CARD_SHARE,
    METHOD_WEIGHTS,
    METHODS,
    SPLIT_PAYMENT_SHARE,
    Cast,
    topup_amount,
)
from guanxi.orders.seeding.demand import MASK, DemandModel, Shopper, cumulative, draw
from guanxi.orders.services import CheckoutLine, CheckoutPayment, checkout, order_return
from guanxi.orders.services.checkout import checkout_quote
from guanxi.orders.services.pricing import ZERO

RETURN_SHARE = 0.025  # of sales with a product: something comes back within ten days
WHOLE_RETURN_SHARE = 0.4
RETURN_REASONS = (
    "过敏反应",
    "色号不合适",
    "改变主意",
    "包装破损",
    "Allergic reaction",
    "Duplicate gift",
)
PACKAGE_SHARE = 0.35  # a treatment member without a package buys one instead of a single visit
PACKAGE_SESSIONS = (6, 10)
PACKAGE_PRICE_FACTOR = Decimal("0.85")  # a package costs 85% of its sessions bought one by one
PACKAGE_VALID_DAYS = 365
SESSION_GAP = (14, 35)  # days between two sessions of a package
SESSION_DROP = 0.08  # a member stops coming for the sessions (some packages are never used up)
SESSION_ADD_ON = 0.3  # a session visit that also buys something to take home
POINTS_USE_SHARE = 0.25
POINTS_MIN_VALUE = Decimal("10.00")
POINTS_MAX_SHARE = Decimal("0.3")  # points pay at most 30% of a bill
STORED_VALUE_USE = 0.9  # a member with enough stored value pays with it
STORED_VALUE_PART = 0.6  # … and with too little, uses what is there and pays the rest


class SeedClock:
    """Makes ``django.utils.timezone.now`` (and so ``localdate``, ``auto_now_add`` and every
    service's idea of "now") return the moment being replayed. Only for the seeding command,
    which is single-threaded; the real clock is back when the block ends, however it ends."""

    def __init__(self) -> None:
        self.moment: datetime.datetime | None = None

    def now(self) -> datetime.datetime:
        assert self.moment is not None  # noqa: S101 - set before any event is replayed
        return self.moment

    @contextlib.contextmanager
    def running(self) -> Iterator[SeedClock]:
        real = timezone.now
        timezone.now = self.now  # type: ignore[assignment]
        try:
            yield self
        finally:
            timezone.now = real  # type: ignore[assignment]


@dataclass
class Member:
    """A customer during the replay: their card and what their plan still holds."""

    shopper: Shopper
    customer: Any
    has_card: bool
    topper: bool
    method_weights: tuple[float, ...]
    card: Any = None
    # service pk -> [package pk, sessions left, last valid day]
    packages: dict[int, list[Any]] = field(default_factory=dict)

    def package_for(self, service_pk: int, day: datetime.date) -> int | None:
        """The member's package of the service with a session left on ``day``."""
        found = self.packages.get(service_pk)
        if found is None or found[1] < 1 or found[2] < day:
            return None
        return found[0]


@dataclass
class Stats:
    orders: int = 0
    lines: int = 0
    cards: int = 0
    topups: int = 0
    packages: int = 0
    sessions: int = 0
    returns: int = 0
    points_paid: int = 0
    stored_value_paid: int = 0
    expired_points: int = 0
    quoted: int = 0  # sales whose total the seeder had to ask the quote for
    refused: dict[str, int] = field(default_factory=dict)


class Pricer:
    """What a basket costs, as ``checkout`` will price it: the store's price lists (read once),
    the tier discount of the membership's current tier, no coupon. Asking the till's quote for
    every sale would price each basket twice; when this sum misses, ``Replay.sell`` asks it."""

    def __init__(self) -> None:
        self.prices: dict[tuple[int, str, int], list[tuple[Any, ...]]] = {}
        items = PriceListItem.objects.filter(price_list__is_active=True).order_by(
            "-price_list__created_at", "-price_list__pk", "-pk"
        )
        for row in items.values_list(
            "price_list__store_id", "product_id", "service_id", "valid_from", "valid_to", "price"
        ):
            store, product, service, valid_from, valid_to, price = row
            key = (store, "product", product) if product else (store, "service", service)
            self.prices.setdefault(key, []).append((valid_from, valid_to, price))
        levels = list(TierLevel.objects.order_by("rank").values_list("pk", "discount_percent"))
        self.percent = dict(levels)
        self.lowest = levels[0][1] if levels else ZERO
        self.list_prices = {
            **{("product", pk): price for pk, price in Product.objects.values_list("pk", "price")},
            **{("service", pk): price for pk, price in Service.objects.values_list("pk", "price")},
        }

    def price(self, store: Any, kind: str, pk: int, day: datetime.date) -> Decimal:
        for valid_from, valid_to, price in self.prices.get((store.pk, kind, pk), ()):
            if (valid_from is None or valid_from <= day) and (valid_to is None or valid_to >= day):
                return Decimal(price)
        return Decimal(self.list_prices[(kind, pk)])

    def total(self, store: Any, lines: list[CheckoutLine], card: Any, at: Any) -> Decimal:
        day = timezone.localtime(at).date()
        gross: list[Decimal] = []
        eligible = ZERO
        for line in lines:
            if line.kind == LineKind.PACKAGE_SESSION:
                gross.append(ZERO)
                continue
            if line.unit_price is not None:
                unit = Decimal(line.unit_price)
            elif line.kind == LineKind.PRODUCT:
                unit = self.price(store, "product", line.product_id or 0, day)
            else:
                unit = self.price(store, "service", line.service_id or 0, day)
            gross.append(unit * line.quantity)
            if line.kind in (LineKind.PRODUCT, LineKind.SERVICE):
                eligible += unit * line.quantity
        percent = ZERO
        if card is not None:
            tier = Membership.objects.filter(pk=card.membership_id).values_list("tier_id")[0][0]
            percent = Decimal(self.percent.get(tier, self.lowest) if tier else self.lowest)
        return sum(gross, ZERO) - money_round(eligible * percent / 100)


class Replay:
    def __init__(self, context: SeedContext, model: DemandModel, cast: Cast) -> None:
        self.context = context
        self.model = model
        self.cast = cast
        self.items = model.assortment.items
        self.rng = context.rng("orders.replay")
        self.clock = SeedClock()
        self.events: list[tuple[datetime.datetime, int, Callable[[], None]]] = []
        self.sequence = 0
        self.stats = Stats()
        self.cards_by_household: dict[int, Any] = {}
        self.pricer = Pricer()

    def at(self, moment: datetime.datetime, action: Callable[[], None]) -> None:
        if moment >= self.context.start_of_today:
            return
        self.sequence += 1
        heapq.heappush(self.events, (moment, self.sequence, action))

    # --- the plan ------------------------------------------------------------------------------

    def plan(self, customers: list[Any]) -> None:
        rng, cast = self.rng, self.cast
        for index, customer in enumerate(customers):
            shopper = self.model.shopper(
                index,
                customer.pk,
                customer.household_id,
                cast.store_index[customer.home_store_id],
                timezone.localtime(customer.created_at).date(),
            )
            member = Member(
                shopper=shopper,
                customer=customer,
                has_card=rng.random() < CARD_SHARE,
                topper=rng.random() < cast.topper_share(shopper.segment),
                method_weights=cast.method_weights(rng),
            )
            if member.has_card:
                joined = customer.created_at + datetime.timedelta(minutes=rng.randrange(2, 20))
                self.at(joined, lambda m=member: self.card_issue(m))
            for number, (moment, _basket, _festival) in enumerate(shopper.visits):
                self.at(moment, lambda m=member, n=number: self.visit(m, n))
        first = self.model.first_day
        month = datetime.date(first.year, first.month, 1)
        while month < self.context.today:
            if month > first:  # the nightly job, on the first night of every month
                moment = datetime.datetime.combine(
                    month, datetime.time(0, 5), self.context.timezone
                )
                self.at(moment, self.expire)
            month = (month + datetime.timedelta(days=32)).replace(day=1)

    def run(self) -> Stats:
        total = len(self.events)
        done = 0
        self.context.progress("orders", 0, total)
        with self.clock.running():
            while self.events:
                moment, _sequence, action = heapq.heappop(self.events)
                self.clock.moment = moment
                action()
                done += 1
                if done % 500 == 0:
                    self.context.progress("orders", done, max(total, done))
        self.context.progress("orders", max(total, done), max(total, done))
        return self.stats

    # --- events --------------------------------------------------------------------------------

    def card_issue(self, member: Member) -> None:
        customer = member.customer
        household = customer.household_id
        if household and household in self.cards_by_household:
            member.card = self.cards_by_household[household]
            return
        existing = card_for_customer(customer)
        if existing is not None:
            member.card = existing
        else:
            staff = self.cast.seller(self.rng, customer.home_store_id, customer)
            member.card = card_issue(customer=customer, actor=staff)
            self.stats.cards += 1
        if household:
            self.cards_by_household[household] = member.card

    def card_of(self, member: Member) -> Any:
        household = member.customer.household_id
        if member.card is None and household and household in self.cards_by_household:
            member.card = self.cards_by_household[household]
        return member.card

    def expire(self) -> None:
        self.stats.expired_points += points_expire(now=self.clock.now())

    def visit(self, member: Member, number: int) -> None:
        moment, basket, _festival = member.shopper.visits[number]
        rng, cast = self.rng, self.cast
        customer = member.customer
        store = cast.store_for(rng, customer.home_store_id)
        card = self.card_of(member)
        lines: list[CheckoutLine] = []
        sold_package = False
        for index, quantity in basket:
            item = self.items[index]
            if item.kind == "product":
                staff = cast.seller(rng, store.pk, customer)
                lines.append(
                    CheckoutLine(
                        kind=LineKind.PRODUCT,
                        product_id=item.pk,
                        quantity=quantity,
                        staff_id=staff.pk,
                    )
                )
                continue
            beautician = cast.beautician(rng, store.pk)
            package = member.package_for(item.pk, timezone.localtime(moment).date())
            if card is not None and package is not None:
                lines.append(
                    CheckoutLine(
                        kind=LineKind.PACKAGE_SESSION, package_id=package, staff_id=beautician.pk
                    )
                )
            elif card is not None and not sold_package and rng.random() < PACKAGE_SHARE:
                sessions = rng.choice(PACKAGE_SESSIONS)
                price = (item.price * sessions * PACKAGE_PRICE_FACTOR).to_integral_value(
                    ROUND_FLOOR
                )
                lines.append(
                    CheckoutLine(
                        kind=LineKind.PACKAGE,
                        service_id=item.pk,
                        unit_price=price - price % 10 + 8,
                        package_sessions=sessions,
                        package_valid_days=PACKAGE_VALID_DAYS,
                        staff_id=beautician.pk,
                    )
                )
                sold_package = True
            else:
                lines.append(
                    CheckoutLine(kind=LineKind.SERVICE, service_id=item.pk, staff_id=beautician.pk)
                )
        if card is not None and member.topper:
            self.topup_maybe(member, card, store, number == 0)
        self.sell(member, store, lines, moment)

    def topup_maybe(self, member: Member, card: Any, store: Any, first: bool) -> None:
        rng = self.rng
        balances = card_balances(card)
        stored = (
            balances[AccountKind.STORED_VALUE_PRINCIPAL] + balances[AccountKind.STORED_VALUE_BONUS]
        )
        if not (first or stored < 150) or rng.random() >= (0.9 if first else 0.5):
            return
        amount = topup_amount(rng)
        method = draw(rng, METHODS[:2], cumulative(METHOD_WEIGHTS[:2]))
        staff = self.cast.seller(rng, store.pk, member.customer)
        try:
            stored_value_topup(
                card=card, amount=amount, payment=str(PaymentMethod(method).label), actor=staff
            )
        except ApplicationError as error:  # a card frozen by another seeder, say
            self.refused(error)
            return
        self.stats.topups += 1

    def payments(self, member: Member, card: Any, total: Decimal) -> list[CheckoutPayment]:
        rng = self.rng
        payments: list[CheckoutPayment] = []
        left = total
        if card is not None and left > 0:
            balances = card_balances(card)
            stored = (
                balances[AccountKind.STORED_VALUE_PRINCIPAL]
                + balances[AccountKind.STORED_VALUE_BONUS]
            )
            if stored >= left and rng.random() < STORED_VALUE_USE:
                payments.append(CheckoutPayment(PaymentMethod.STORED_VALUE, left))
                self.stats.stored_value_paid += 1
                return payments
            if stored > 0 and rng.random() < STORED_VALUE_PART:
                payments.append(CheckoutPayment(PaymentMethod.STORED_VALUE, stored))
                self.stats.stored_value_paid += 1
                left -= stored
            points = int(balances[AccountKind.POINTS])
            value = points_value(points)
            if value >= POINTS_MIN_VALUE and left > 0 and rng.random() < POINTS_USE_SHARE:
                covered = min(value, left * POINTS_MAX_SHARE).to_integral_value(ROUND_FLOOR)
                if covered > 0 and points_for_amount(covered) <= points:
                    payments.append(CheckoutPayment(PaymentMethod.POINTS, covered))
                    self.stats.points_paid += 1
                    left -= covered
        if left > 0:
            method = draw(rng, METHODS, member.method_weights)
            if left >= 100 and rng.random() < SPLIT_PAYMENT_SHARE:
                part = money_round(left * Decimal(rng.randrange(20, 80)) / 100)
                other = rng.choice([m for m in METHODS if m != method])
                payments.append(CheckoutPayment(other, part))
                left -= part
            payments.append(CheckoutPayment(method, left))
        return payments

    def sell(self, member: Member, store: Any, lines: list[CheckoutLine], moment: Any) -> None:
        customer, card = member.customer, self.card_of(member)
        actor = self.cast.seller(self.rng, store.pk, customer)
        total = self.pricer.total(store, lines, card, moment)
        order = None
        for _attempt in range(2):
            try:
                order = checkout(
                    store=store,
                    actor=actor,
                    lines=lines,
                    payments=self.payments(member, card, total),
                    customer=customer,
                    card=card,
                    source=OrderSource.SEED,
                    ordered_at=moment,
                )
                break
            except ApplicationError as error:
                if error.code != "payments_mismatch" or _attempt:
                    self.refused(error)
                    return
                # The seeder's own sum missed a rule: ask the till's quote, and pay that.
                total = checkout_quote(
                    store=store, lines=lines, customer=customer, card=card, at=moment
                ).total
                self.stats.quoted += 1
        if order is None:
            return
        self.stats.orders += 1
        self.stats.lines += len(lines)
        self.after_sale(member, order, lines, moment)

    def after_sale(
        self, member: Member, order: Any, lines: list[CheckoutLine], moment: Any
    ) -> None:
        rng = self.rng
        kinds = {line.kind for line in lines}
        if LineKind.PACKAGE in kinds:
            sold = OrderLine.objects.filter(order=order, kind=LineKind.PACKAGE).select_related(
                "package"
            )
            for sold_line in sold:
                package = sold_line.package
                if package is None or sold_line.service_id is None:
                    continue
                member.packages[sold_line.service_id] = [
                    package.pk,
                    package.sessions_total,
                    package.valid_until,
                ]
                self.stats.packages += 1
                self.session_next(member, sold_line.service_id, moment)
        for line in lines:
            if line.kind == LineKind.PACKAGE_SESSION:
                for held in member.packages.values():
                    if held[0] == line.package_id:
                        held[1] -= line.quantity
                self.stats.sessions += line.quantity
        if LineKind.PRODUCT in kinds and rng.random() < RETURN_SHARE:
            later = moment + datetime.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 3))
            self.at(later, lambda: self.give_back(order))

    def session_next(self, member: Member, service_pk: int, after: datetime.datetime) -> None:
        rng = self.rng
        if rng.random() < SESSION_DROP:
            return
        picker = self.model.picker
        low = picker.number(timezone.localtime(after).date()) + SESSION_GAP[0]
        if low >= picker.days:  # after the history (``pick`` would clip it to its last day)
            return
        moment = self.model.moment(picker.pick(rng, low, low - SESSION_GAP[0] + SESSION_GAP[1] + 1))
        if moment > after:
            self.at(moment, lambda: self.session(member, service_pk))

    def session(self, member: Member, service_pk: int) -> None:
        """A visit for the next session of the member's package (and perhaps an add-on)."""
        moment = self.clock.now()
        package = member.package_for(service_pk, timezone.localtime(moment).date())
        if package is None or member.card is None:
            return
        rng = self.rng
        store = self.cast.store_by_pk[member.customer.home_store_id]
        lines = [
            CheckoutLine(
                kind=LineKind.PACKAGE_SESSION,
                package_id=package,
                staff_id=self.cast.beautician(rng, store.pk).pk,
            )
        ]
        if rng.random() < SESSION_ADD_ON:
            add_on = self.model.assortment.pick(rng, MASK)
            if add_on is not None:
                lines.append(
                    CheckoutLine(
                        kind=LineKind.PRODUCT,
                        product_id=self.items[add_on].pk,
                        staff_id=self.cast.seller(rng, store.pk, member.customer).pk,
                    )
                )
        self.sell(member, store, lines, moment)
        if member.package_for(service_pk, timezone.localtime(moment).date()) is not None:
            self.session_next(member, service_pk, moment)

    def give_back(self, order: Any) -> None:
        rng = self.rng
        lines = list(
            OrderLine.objects.filter(order=order, kind=LineKind.PRODUCT).order_by("position")
        )
        lines = [line for line in lines if line.quantity_returned < line.quantity]
        if not lines:
            return
        if rng.random() < WHOLE_RETURN_SHARE:
            chosen = [(line, line.quantity - line.quantity_returned) for line in lines]
        else:
            line = rng.choice(lines)
            chosen = [(line, line.quantity - line.quantity_returned)]
        store = self.cast.store_by_pk[order.store_id]
        try:
            order_return(
                order=order,
                lines=chosen,
                actor=self.cast.manager(store.pk),
                store=store,
                reason=rng.choice(RETURN_REASONS),
            )
        except ApplicationError as error:
            self.refused(error)
            return
        self.stats.returns += 1

    def refused(self, error: ApplicationError) -> None:
        code = error.code or "error"
        self.stats.refused[code] = self.stats.refused.get(code, 0) + 1


def orders_replay(
    context: SeedContext, model: DemandModel, cast: Cast, customers: list[Any]
) -> Stats:
    """Replay two years of the demo shops through the services; returns what was done."""
    replay = Replay(context, model, cast)
    replay.plan(customers)
    cast.bonus_rules_ensure()
    return replay.run()
