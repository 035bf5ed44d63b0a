"""The orders of a benchmark-sized seed, written in bulk (above ``BULK_THRESHOLD`` customers).

The same demand model as the demo plans every customer's visits; the rows the services would
write are then generated in Python and inserted ``CHUNK`` customers at a time: PostgreSQL reads
them with ``COPY … FROM STDIN``, SQLite with ``executemany`` of one prepared INSERT, both inside
the seed's one transaction. Primary keys are handed out here (from the table's highest one), so
lines, payments and ledger entries can name their order or transaction without a round trip;
the sequences are moved past them at the end.

What the rows hold, and how they still reconcile:

- **Cards**: a membership with its three accounts and an active card (numbered in each store's
  card sequence, with its check digit) for every customer who took one (``CARD_SHARE``); one
  per household. Its tier is where its spend took it, with a tier change for each step.
- **Orders**: products and treatments at list price, the tier discount of the membership at the
  time (spread over the lines by largest remainder), paid by mobile payment, bank card or cash
  (sometimes two of them). No stored value, points, coupons, packages or returns: bulk orders
  move no balance when they are paid.
- **Points earned** follow the one rounding rule per order (base rate × tier multiplier;
  category and promotion multipliers are left out). They are posted per membership and
  calendar year as one ``sale`` transaction with its two entries and one points lot (expiring
  as the loyalty settings say); a lot already past its date is expired by an ``expiry``
  transaction, as the nightly job would have done. Each member balance is written as the sum
  of its entries, and the store's counter-accounts are moved by the opposite totals, so
  ``guanxi ledger reconcile`` finds no drift.
- **Stored value**: members who keep a balance top up once, with the bonus rules (a ``topup``
  transaction with its four entries), so the checkout benchmark has balances to spend.
- Not written in bulk: audit rows (the seed's one audit row sums it up), timeline events and
  referral rewards. Tier spend is lifetime spend whatever the policy says.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.seeding import SeedContext
from guanxi.customers.models import Customer, Household
from guanxi.loyalty.choices import (
    AccountKind,
    CardStatus,
    PointsValidity,
    TierChangeReason,
    TransactionKind,
)
from guanxi.loyalty.models import (
    CardSequence,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    MemberCard,
    Membership,
    PointLot,
    TierChange,
    TierLevel,
)
from guanxi.loyalty.selectors import loyalty_settings_get
from guanxi.loyalty.services.cards import luhn_check_digit
from guanxi.loyalty.services.ledger import counter_account
from guanxi.loyalty.services.points import points_expiry_for
from guanxi.orders.choices import LineKind, OrderSource, OrderStatus, PaymentMethod
from guanxi.orders.models import Order, OrderLine, Payment
from guanxi.orders.seeding.common import (
    CARD_SHARE,
    METHODS,
    SPLIT_PAYMENT_SHARE,
    Cast,
    topup_amount,
)
from guanxi.orders.seeding.demand import DemandModel, draw

CHUNK = 10_000  # customers generated and written per round
MEMBER_KINDS = (
    AccountKind.POINTS,
    AccountKind.STORED_VALUE_PRINCIPAL,
    AccountKind.STORED_VALUE_BONUS,
)
MILLION = 1_000_000
UTC = datetime.UTC


def cents(value: Any) -> int:
    return int(round(value * 100))


def decimal_text(amount: int) -> str:
    """Cents as the text of a decimal (for both databases' parameters)."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    return f"{sign}{amount // 100}.{amount % 100:02d}"


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split the whole number ``total`` over ``weights`` in proportion: each share rounded
    down, the rest one each to the largest fractions (the earlier one on a tie)."""
    weight_sum = sum(weights)
    if not total or not weight_sum:
        return [0] * len(weights)
    shares, remainders = [], []
    for position, weight in enumerate(weights):
        share, remainder = divmod(total * weight, weight_sum)
        shares.append(share)
        remainders.append((-remainder, position))
    for _remainder, position in sorted(remainders)[: total - sum(shares)]:
        shares[position] += 1
    return shares


def points_spread_exact(exact: Sequence[int], scale: int) -> list[int]:
    """The one rounding rule on exact points given in units of ``1/scale`` point: the sum
    rounded down, spread by largest remainder (``earning.points_spread`` in integers)."""
    total = sum(exact) // scale
    shares = [value // scale for value in exact]
    missing = total - sum(shares)
    if missing:
        order = sorted(range(len(exact)), key=lambda i: (-(exact[i] % scale), i))
        for position in order[:missing]:
            shares[position] += 1
    return shares


class Table:
    """The rows of one model waiting to be written, with the primary keys handed out."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        by_attname = {f.attname: f for f in meta.concrete_fields}
        rest = [f for f in meta.concrete_fields if f.attname not in fields]
        tail = []
        for model_field in rest:
            default = model_field.get_default()  # "" for text fields without a default
            if model_field.has_default() or default is not None:
                value = model_field.get_db_prep_save(default, connection)
            elif model_field.null:
                value = None
            else:
                raise RuntimeError(
                    f"{meta.label}.{model_field.name} needs a value in the bulk orders seeder"
                )
            tail.append(value)
        self.columns = [by_attname[name].column for name in fields] + [f.column for f in rest]
        self.tail = tuple(tail)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        with connection.cursor() as cursor:
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT MAX({quote(meta.pk.column)}) FROM {quote(self.table)}")  # noqa: S608 - the model's table
            self.next_pk = (cursor.fetchone()[0] or 0) + 1

    def pk(self) -> int:
        value = self.next_pk
        self.next_pk += 1
        return value

    def add(self, *values: Any) -> None:
        self.rows.append(values + self.tail)


class Writer:
    """COPY on PostgreSQL, one prepared multi-row INSERT on SQLite; the seed's transaction."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.postgresql = connection.vendor == "postgresql"
        self.raw = connection.connection

    def moment(self, value: datetime.datetime) -> Any:
        """A datetime as the database stores it (SQLite: naive UTC text, as Django writes)."""
        if self.postgresql:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")

    def flush(self, table: Table) -> None:
        if not table.rows:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in table.columns)
        if self.postgresql:
            with self.raw.cursor() as cursor:
                with cursor.copy(f"COPY {quote(table.table)} ({columns}) FROM STDIN") as copy:
                    for row in table.rows:
                        copy.write_row(row)
        else:
            marks = ", ".join(["?"] * len(table.columns))
            cursor = self.raw.cursor()
            try:
                cursor.executemany(
                    f"INSERT INTO {quote(table.table)} ({columns}) VALUES ({marks})",  # noqa: S608 - the model's table
                    table.rows,
                )
            finally:
                cursor.close()
        table.written += len(table.rows)
        table.rows = []


@dataclass
class MembershipState:
    """A membership being built: written once its last customer's orders are known."""

    pk: int
    store_pk: int
    created_at: datetime.datetime
    customer_pk: int | None
    household_pk: int | None
    card_pk: int
    accounts: tuple[int, int, int]  # points, stored value principal, stored value bonus
    spend: int = 0  # cents
    tier: int = 0  # index in the ladder; 0 is the lowest rung (stored as no tier)
    points: dict[int, list[Any]] = field(default_factory=dict)  # year -> [points, last moment]
    principal: int = 0
    bonus: int = 0


class BulkOrders:
    def __init__(self, context: SeedContext, model: DemandModel, cast: Cast) -> None:
        self.context = context
        self.model = model
        self.cast = cast
        self.rng = context.rng("orders.bulk")
        self.writer = Writer()
        self.now = context.start_of_today
        self.tz = context.timezone
        self.items = model.assortment.items
        self.item_rows = self.catalogue_rows()
        self.tiers = [
            (
                level.pk,
                cents(level.threshold),
                cents(level.discount_percent),
                cents(level.points_multiplier),
            )
            for level in TierLevel.objects.order_by("threshold")
        ]
        config = loyalty_settings_get()
        self.config = config
        self.rate = cents(config.points_per_currency_unit)
        self.bonus_rules = [(cents(m), cents(b)) for m, b in cast.bonus_rules_ensure()]
        self.expiry_of_year: dict[int, datetime.datetime | None] = {}
        self.sellers = {pk: [u.pk for u in users] for pk, users in cast.sellers.items()}
        self.staff_of = {store.pk: cast.staff_of(store.pk) for store in cast.stores}
        self.beauticians = {pk: [u.pk for u in users] for pk, users in cast.beauticians.items()}
        self.store_codes = {
            s.pk: s.code.upper().replace("-", "").replace("_", "") for s in cast.stores
        }
        self.sequences = dict(CardSequence.objects.values_list("store_id", "last_value"))
        self.counters: dict[tuple[int, str], int] = {}
        self.counter_pks = {
            (store.pk, kind): counter_account(store_id=store.pk, kind=kind).pk
            for store in cast.stores
            for kind in (
                AccountKind.POINTS_ISSUED,
                AccountKind.POINTS_EXPIRED,
                AccountKind.STORED_VALUE_CASH,
                AccountKind.STORED_VALUE_BONUS_GRANTED,
            )
        }
        self.household_store = dict(Household.objects.values_list("pk", "store_id"))
        taken = Membership.objects.values_list("customer_id", "household_id")
        self.has_membership = {c for c, _h in taken if c}
        self.household_has_membership = {h for _c, h in taken if h}
        self.households: dict[int, MembershipState] = {}
        self.tables = {
            "membership": Table(
                Membership,
                ["id", "created_at", "updated_at", "store_id", "customer_id", "household_id", "tier_id"],
            ),
            "card": Table(
                MemberCard,
                ["id", "created_at", "updated_at", "membership_id", "number", "status"],
            ),
            "account": Table(
                LedgerAccount,
                ["id", "created_at", "updated_at", "store_id", "kind", "membership_id", "is_system", "balance"],
            ),
            "order": Table(
                Order,
                [
                    "id", "created_at", "updated_at", "store_id", "customer_id", "card_id",
                    "membership_id", "ordered_at", "source", "status", "subtotal", "tier_discount",
                    "total", "points_earned", "tier_discount_percent", "created_by_id",
                ],
            ),
            "line": Table(
                OrderLine,
                [
                    "id", "order_id", "position", "kind", "product_id", "service_id",
                    "category_id", "sku", "description", "quantity", "unit_price", "unit_cost",
                    "discount", "amount", "store_id", "staff_id", "points_earned",
                ],
            ),
            "payment": Table(Payment, ["id", "order_id", "method", "amount"]),
            "transaction": Table(
                LedgerTransaction,
                ["id", "created_at", "kind", "store_id", "membership_id", "memo", "reference"],
            ),
            "entry": Table(LedgerEntry, ["id", "created_at", "transaction_id", "account_id", "amount"]),
            "lot": Table(
                PointLot,
                ["id", "account_id", "transaction_id", "earned_at", "expires_at", "points", "remaining"],
            ),
            "tier_change": Table(
                TierChange,
                ["id", "created_at", "membership_id", "from_level_id", "to_level_id", "reason", "spend"],
            ),
        }  # fmt: skip
        self.lines_written = 0

    def catalogue_rows(self) -> list[tuple[Any, ...]]:
        """Per item: (kind, product pk, service pk, category pk, sku, name, price in cents,
        cost, price) with the cost and the last price as decimal text."""
        from guanxi.catalog.models import Product, Service

        products = Product.objects.in_bulk([i.pk for i in self.items if i.kind == "product"])
        services = Service.objects.in_bulk([i.pk for i in self.items if i.kind == "service"])
        rows = []
        for item in self.items:
            if item.kind == "product":
                product = products[item.pk]
                rows.append(
                    (
                        LineKind.PRODUCT,
                        product.pk,
                        None,
                        product.category_id,
                        product.sku,
                        product.name[:200],
                        cents(product.price),
                        None if product.cost is None else decimal_text(cents(product.cost)),
                        decimal_text(cents(product.price)),
                    )
                )
            else:
                service = services[item.pk]
                rows.append(
                    (
                        LineKind.SERVICE,
                        None,
                        service.pk,
                        service.category_id,
                        "",
                        service.name[:200],
                        cents(service.price),
                        None,
                        decimal_text(cents(service.price)),
                    )
                )
        return rows

    # --- memberships ---------------------------------------------------------------------------

    def card_number(self, store_pk: int) -> str:
        sequence = self.sequences.get(store_pk, 0) + 1
        self.sequences[store_pk] = sequence
        config = self.config
        code = self.store_codes[store_pk] if config.card_include_store_code else ""
        body = f"{config.card_prefix}{code}{sequence:0{config.card_sequence_digits}d}"
        return body + luhn_check_digit(body)

    def membership_open(
        self,
        store_pk: int,
        at: datetime.datetime,
        customer_pk: int | None,
        household_pk: int | None,
    ) -> MembershipState:
        tables = self.tables
        state = MembershipState(
            pk=tables["membership"].pk(),
            store_pk=store_pk,
            created_at=at,
            customer_pk=customer_pk,
            household_pk=household_pk,
            card_pk=tables["card"].pk(),
            accounts=(tables["account"].pk(), tables["account"].pk(), tables["account"].pk()),
        )
        if household_pk is not None:
            self.membership_write(state, final=False)
        return state

    def membership_write(self, state: MembershipState, *, final: bool = True) -> None:
        """The membership, its card and its accounts. A household's is written when it opens
        (its members' orders name it) and completed by ``households_complete`` at the end."""
        tables, moment = self.tables, self.writer.moment
        created = moment(state.created_at)
        tier_pk = self.tiers[state.tier][0] if state.tier and final else None
        tables["membership"].add(
            state.pk,
            created,
            created,
            state.store_pk,
            state.customer_pk,
            state.household_pk,
            tier_pk,
        )
        tables["card"].add(
            state.card_pk,
            created,
            created,
            state.pk,
            self.card_number(state.store_pk),
            CardStatus.ACTIVE,
        )
        balances = (
            (self.points_post(state) * 100, state.principal, state.bonus) if final else (0, 0, 0)
        )
        for pk, kind, balance in zip(state.accounts, MEMBER_KINDS, balances, strict=True):
            tables["account"].add(
                pk, created, created, state.store_pk, kind, state.pk, False, decimal_text(balance)
            )

    def households_complete(self) -> None:
        """The households' points postings, balances and tiers, now that all their members'
        orders are known."""
        balances: list[tuple[str, int]] = []
        tiers: list[tuple[int | None, int]] = []
        for state in self.households.values():
            points = self.points_post(state)
            for pk, balance in zip(
                state.accounts, (points * 100, state.principal, state.bonus), strict=True
            ):
                if balance:
                    balances.append((decimal_text(balance), pk))
            if state.tier:
                tiers.append((self.tiers[state.tier][0], state.pk))
        self.flush()
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(LedgerAccount._meta.db_table)} SET balance = %s WHERE id = %s",  # noqa: S608 - the model's table
                [(Decimal(text), pk) for text, pk in balances],
            )
            cursor.executemany(
                f"UPDATE {quote(Membership._meta.db_table)} SET tier_id = %s WHERE id = %s",  # noqa: S608 - the model's table
                tiers,
            )

    def expiry(self, earned: datetime.datetime) -> datetime.datetime | None:
        validity = self.config.points_validity
        if validity == PointsValidity.END_OF_FOLLOWING_YEAR:
            year = timezone.localtime(earned, self.tz).year
            if year not in self.expiry_of_year:
                self.expiry_of_year[year] = datetime.datetime(year + 2, 1, 1, tzinfo=self.tz)
            return self.expiry_of_year[year]
        return points_expiry_for(earned)

    def posting(
        self,
        state: MembershipState,
        kind: str,
        at: datetime.datetime,
        memo: str,
        legs: Sequence[tuple[int, int]],
    ) -> int:
        """One ledger transaction with its entries; returns its pk."""
        tables, moment = self.tables, self.writer.moment(at)
        pk = tables["transaction"].pk()
        tables["transaction"].add(pk, moment, kind, state.store_pk, state.pk, memo[:300], "")
        for account_pk, amount in legs:
            tables["entry"].add(tables["entry"].pk(), moment, pk, account_pk, decimal_text(amount))
        return pk

    def counter(self, state: MembershipState, kind: str, amount: int) -> int:
        key = (state.store_pk, kind)
        self.counters[key] = self.counters.get(key, 0) + amount
        return self.counter_pks[key]

    def points_post(self, state: MembershipState) -> int:
        """The points earned, one posting and lot per calendar year; returns the balance."""
        balance = 0
        account = state.accounts[0]
        for year in sorted(state.points):
            points, last = state.points[year]
            if not points:
                continue
            issued = self.counter(state, AccountKind.POINTS_ISSUED, -points * 100)
            memo = _("Points earned on purchases in %(year)s") % {"year": year}
            pk = self.posting(
                state,
                TransactionKind.SALE,
                last,
                memo,
                [(issued, -points * 100), (account, points * 100)],
            )
            expires = self.expiry(last)
            expired = expires is not None and expires <= self.now
            self.tables["lot"].add(
                self.tables["lot"].pk(),
                account,
                pk,
                self.writer.moment(last),
                None if expires is None else self.writer.moment(expires),
                points,
                0 if expired else points,
            )
            if expired:
                assert expires is not None  # noqa: S101 - for the type checker
                gone = self.counter(state, AccountKind.POINTS_EXPIRED, points * 100)
                self.posting(
                    state,
                    TransactionKind.EXPIRY,
                    expires,
                    _("Points expired"),
                    [(account, -points * 100), (gone, points * 100)],
                )
            else:
                balance += points
        return balance

    def topup(self, state: MembershipState, at: datetime.datetime, method: str) -> None:
        amount = cents(topup_amount(self.rng))
        bonus = max((b for minimum, b in self.bonus_rules if minimum <= amount), default=0)
        cash = self.counter(state, AccountKind.STORED_VALUE_CASH, -amount)
        legs = [(cash, -amount), (state.accounts[1], amount)]
        if bonus:
            granted = self.counter(state, AccountKind.STORED_VALUE_BONUS_GRANTED, -bonus)
            legs += [(granted, -bonus), (state.accounts[2], bonus)]
        self.posting(state, TransactionKind.TOPUP, at, str(PaymentMethod(method).label), legs)
        state.principal += amount
        state.bonus += bonus

    # --- orders --------------------------------------------------------------------------------

    def customer(self, index: int, row: tuple[Any, ...]) -> None:
        pk, household_pk, store_pk, created_at, responsible = row
        rng, model = self.rng, self.model
        registered = timezone.localtime(created_at, self.tz)
        shopper = model.shopper(
            index, pk, household_pk, self.cast.store_index[store_pk], registered.date()
        )
        has_card = rng.random() < CARD_SHARE
        topper = rng.random() < self.cast.topper_share(shopper.segment)
        weights = self.cast.method_weights(rng)
        joined = created_at + datetime.timedelta(minutes=rng.randrange(2, 20))
        state: MembershipState | None = None
        if household_pk:
            if household_pk not in self.household_has_membership:
                state = self.households.get(household_pk)
                if state is None and has_card:
                    state = self.households[household_pk] = self.membership_open(
                        self.household_store[household_pk], joined, None, household_pk
                    )
        elif has_card and pk not in self.has_membership:
            state = self.membership_open(store_pk, joined, pk, None)
        tables = self.tables
        orders, lines, payments = tables["order"], tables["line"], tables["payment"]
        moment_of = self.writer.moment
        item_rows = self.item_rows
        staff_of = self.staff_of
        for number, (visit_at, basket, _festival) in enumerate(shopper.visits):
            store = self.cast.store_for(rng, store_pk).pk
            if state is not None and topper and number == 0:
                self.topup(state, visit_at - datetime.timedelta(minutes=2), rng.choice(METHODS[:2]))
            percent = self.tiers[state.tier][2] if state is not None and self.tiers else 0
            multiplier = self.tiers[state.tier][3] if state is not None and self.tiers else 100
            gross = [item_rows[index][6] * quantity for index, quantity in basket]
            subtotal = sum(gross)
            discount = (subtotal * percent + 5000) // 10000  # half up, to the cent
            discounts = largest_remainder(discount, gross)
            amounts = [g - d for g, d in zip(gross, discounts, strict=True)]
            total = subtotal - discount
            points = [0] * len(basket)
            if state is not None:
                points = points_spread_exact([a * self.rate * multiplier for a in amounts], MILLION)
            order_pk = orders.pk()
            at = moment_of(visit_at)
            staff = []
            for position, ((index, quantity), amount) in enumerate(
                zip(basket, amounts, strict=True)
            ):
                kind, product, service, category, sku, name, price, cost, price_text = item_rows[
                    index
                ]
                if kind == LineKind.PRODUCT:
                    if responsible and rng.random() < 0.6 and responsible in staff_of[store]:
                        seller = responsible
                    else:
                        seller = rng.choice(self.sellers[store])
                else:
                    seller = rng.choice(self.beauticians[store])
                staff.append(seller)
                lines.add(
                    lines.pk(), order_pk, position + 1, kind, product, service, category, sku,
                    name, quantity, price_text, cost, decimal_text(discounts[position]),
                    decimal_text(amount), store, seller, points[position],
                )  # fmt: skip
            earned = sum(points)
            orders.add(
                order_pk, at, at, store, pk,
                state.card_pk if state is not None else None,
                state.pk if state is not None else None,
                at, OrderSource.SEED, OrderStatus.COMPLETED, decimal_text(subtotal),
                decimal_text(discount), decimal_text(total), earned,
                decimal_text(percent), staff[0],
            )  # fmt: skip
            method = draw(rng, METHODS, weights)
            if total >= 10000 and rng.random() < SPLIT_PAYMENT_SHARE:
                part = total * rng.randrange(20, 80) // 100
                other = rng.choice([m for m in METHODS if m != method])
                payments.add(payments.pk(), order_pk, other, decimal_text(part))
                payments.add(payments.pk(), order_pk, method, decimal_text(total - part))
            elif total > 0:
                payments.add(payments.pk(), order_pk, method, decimal_text(total))
            if state is None:
                continue
            year = visit_at.year  # planned in the shops' time zone
            held = state.points.setdefault(year, [0, visit_at])
            held[0] += earned
            held[1] = visit_at
            state.spend += total
            self.tier_climb(state, visit_at)
        if state is not None and state.household_pk is None:
            self.membership_write(state)

    def tier_climb(self, state: MembershipState, at: datetime.datetime) -> None:
        tiers = self.tiers
        target = state.tier
        while target + 1 < len(tiers) and tiers[target + 1][1] <= state.spend:
            target += 1
        if target == state.tier:
            return
        table = self.tables["tier_change"]
        moment = self.writer.moment(at)
        table.add(
            table.pk(),
            moment,
            state.pk,
            tiers[state.tier][0] if state.tier else None,
            tiers[target][0],
            TierChangeReason.CHECKOUT,
            decimal_text(state.spend),
        )
        state.tier = target

    # --- the run -------------------------------------------------------------------------------

    def flush(self) -> None:
        for table in self.tables.values():
            self.writer.flush(table)

    def run(self) -> None:
        if self.writer.postgresql:
            # Foreign keys are checked at the end of each COPY rather than at the commit: a
            # deferred check would queue an event per row and key until the seed commits.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        try:
            self.write_all()
        finally:
            if self.writer.postgresql:
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def write_all(self) -> None:
        context = self.context
        total = Customer.objects.filter(erased_at__isnull=True).count()
        customers = Customer.objects.filter(erased_at__isnull=True).order_by("pk")
        fields = ("pk", "household_id", "home_store_id", "created_at", "responsible_staff_id")
        context.progress("orders (bulk)", 0, total)
        done, last = 0, 0
        while True:
            chunk = list(customers.filter(pk__gt=last).values_list(*fields)[:CHUNK])
            if not chunk:
                break
            for row in chunk:
                self.customer(done, row)
                done += 1
            last = chunk[-1][0]
            self.flush()
            context.progress("orders (bulk)", done, total)
        self.households_complete()
        self.finish()

    def finish(self) -> None:
        for (store_pk, kind), amount in self.counters.items():
            LedgerAccount.objects.filter(pk=self.counter_pks[(store_pk, kind)]).update(
                balance=F("balance") + Decimal(decimal_text(amount))
            )
        for store_pk, last_value in self.sequences.items():
            CardSequence.objects.update_or_create(
                store_id=store_pk, defaults={"last_value": last_value}
            )
        statements = connection.ops.sequence_reset_sql(
            no_style(), [table.model for table in self.tables.values()]
        )
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        counts = self.context.count
        tables = self.tables
        counts("member cards", tables["card"].written)
        counts("orders", tables["order"].written)
        counts("order lines", tables["line"].written)
        counts("ledger transactions", tables["transaction"].written)
        counts("tier changes", tables["tier_change"].written)


def orders_bulk(context: SeedContext, model: DemandModel, cast: Cast) -> None:
    BulkOrders(context, model, cast).run()
