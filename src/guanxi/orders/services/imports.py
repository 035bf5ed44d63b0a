"""Importing orders from a CSV or XLSX file: check (dry run) and commit.

The page and the command line share ``order_import_run``; the page runs it as a background job
(``order_import_start``) whose report is kept on the job and as a CSV file to download. The
writing itself is ``order_import_rows``: one batch of checked orders in one transaction.

**Idempotent.** An order is identified by its reference with ``source=import`` (a unique
constraint). An order whose reference was imported before is skipped and counted as "already
imported", so importing a file again changes nothing.

**No payments.** The money of an imported order was taken by the other system; the order is
recorded without ``Payment`` rows and moves no stored value or package session. It counts
towards the member's tier spend like any order (``order_spend`` sums the orders' totals).

**Points** are awarded only when asked (``award_points``): per order, by the earning rules at the
time of the sale (``points_for_purchase``), posted to the member's points account through the
ledger (``ledger_post``, kind ``import``, the same account locks as every other path) and
expiring as if earned at the time of the sale. Points whose expiry date has already passed are
not awarded. After the last batch, each membership that got orders is re-evaluated against its
spend with checkout's rule: upgrade only.

**Batches.** Orders are written in batches of about ``BATCH_LINES`` lines, each its own
transaction, so SQLite's write lock is held for a moment at a time and a sale at the counter
is never kept waiting for the whole import. A crash half way leaves the batches written so far;
importing the file again skips them and finishes the rest.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import context
from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.jobs import job_create
from guanxi.core.models import AuditEvent, Job, TimelineEvent
from guanxi.core.money import format_money, money_round
from guanxi.core.permissions import can_see_store, require_capability
from guanxi.customers.imports.reading import read_table
from guanxi.customers.services.imports import file_import_job_run, import_upload_path
from guanxi.loyalty.choices import AccountKind, TierChangeReason, TransactionKind
from guanxi.loyalty.models import LedgerAccount, Membership, TierLevel
from guanxi.loyalty.selectors import loyalty_settings_get
from guanxi.loyalty.services.earning import EarnLine, points_for_purchase
from guanxi.loyalty.services.ledger import counter_account, ledger_post
from guanxi.loyalty.services.points import points_expiry_for
from guanxi.loyalty.services.tiers import tier_evaluate, tier_spend_since, tier_spend_sources
from guanxi.orders.choices import OrderSource, OrderStatus
from guanxi.orders.imports.mapping import resolve_mapping, suggest_mapping
from guanxi.orders.imports.records import ImportedOrder
from guanxi.orders.imports.report import OrderImportReport
from guanxi.orders.imports.resolving import in_chunks
from guanxi.orders.imports.sql import insert_rows
from guanxi.orders.imports.validation import RowParser, group_by_reference
from guanxi.orders.models import Order, OrderLine
from guanxi.orders.services.checkout import order_reference
from guanxi.staff.models import Store

logger = logging.getLogger(__name__)

CAPABILITY = "orders.import"
IMPORT_KIND = "orders.import"
# Lines per batch (one transaction each); fewer with points, whose postings take longer.
BATCH_LINES = 1000
BATCH_LINES_WITH_POINTS = 250
PROGRESS_EVERY = 1000
TIMELINE_DOMAIN = "orders"
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class OrderImportOptions:
    """What the user chose for one import."""

    file_name: str
    mapping: Mapping[str, str] | None = None  # header -> field; None: suggested from headers
    encoding: str | None = None  # None or "auto": detected
    default_store_id: int | None = None
    dry_run: bool = True
    skip_invalid: bool = False
    award_points: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "mapping": dict(self.mapping) if self.mapping is not None else None,
            "encoding": self.encoding,
            "default_store_id": self.default_store_id,
            "dry_run": self.dry_run,
            "skip_invalid": self.skip_invalid,
            "award_points": self.award_points,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OrderImportOptions:
        return cls(
            file_name=str(data["file_name"]),
            mapping=data.get("mapping"),
            encoding=data.get("encoding"),
            default_store_id=data.get("default_store_id"),
            dry_run=bool(data.get("dry_run", True)),
            skip_invalid=bool(data.get("skip_invalid", False)),
            award_points=bool(data.get("award_points", False)),
        )


@dataclass
class OrderImportResult:
    """What one batch wrote."""

    orders: int = 0
    lines: int = 0
    already_imported: int = 0
    points: int = 0
    membership_ids: set[int] = field(default_factory=set)


def imported_references(references: Iterable[str]) -> set[str]:
    """The references among ``references`` of orders imported before."""
    found: set[str] = set()
    for chunk in in_chunks(sorted(set(references))):
        found.update(
            Order.objects.filter(source=OrderSource.IMPORT, reference__in=chunk).values_list(
                "reference", flat=True
            )
        )
    return found


def _default_store(options: OrderImportOptions, actor: Any) -> int | None:
    if options.default_store_id is None:
        return None
    store = Store.objects.filter(pk=options.default_store_id).first()
    if store is None or (actor is not None and not can_see_store(actor, store.pk)):
        raise ApplicationError(_("You do not work in this store."), code="store")
    return store.pk


# --- Writing one batch ----------------------------------------------------------------------


def _actor_of(actor: Any) -> tuple[int | None, str, str | None]:
    ctx = context.current()
    actor = actor if actor is not None else ctx.actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    name = actor.get_username()[:150] if actor is not None else ""
    return getattr(actor, "pk", None), name, ctx.ip_address


def _points_of(
    orders: Sequence[ImportedOrder], now: datetime.datetime
) -> tuple[list[list[int]], list[datetime.datetime | None]]:
    """Points per line of each order by the earning rules at the time of the sale, and when
    they expire; zeros for an order without a membership or whose points would have expired."""
    memberships = Membership.objects.in_bulk(
        {o.membership_id for o in orders if o.membership_id is not None}
    )
    points: list[list[int]] = []
    expiries: list[datetime.datetime | None] = []
    for order in orders:
        membership = memberships.get(order.membership_id) if order.membership_id else None
        if membership is None or not order.total:
            points.append([0] * len(order.lines))
            expiries.append(None)
            continue
        expiry = points_expiry_for(order.ordered_at)
        expiries.append(expiry)
        if expiry is not None and expiry <= now:
            points.append([0] * len(order.lines))
            continue
        points.append(
            points_for_purchase(
                membership=membership,
                lines=[EarnLine(line.category_id, line.amount) for line in order.lines],
                store_id=order.store_id,
                at=order.ordered_at,
            )
        )
    return points, expiries


def _points_accounts(membership_ids: set[int]) -> dict[int, LedgerAccount]:
    """The points account of each membership (created if the membership has none yet)."""
    accounts = {
        a.membership_id: a
        for a in LedgerAccount.objects.filter(
            membership_id__in=membership_ids, kind=AccountKind.POINTS
        )
        if a.membership_id is not None
    }
    for membership in Membership.objects.filter(pk__in=membership_ids - set(accounts)):
        accounts[membership.pk], _created = LedgerAccount.objects.get_or_create(
            membership=membership,
            kind=AccountKind.POINTS,
            defaults={"store_id": membership.store_id},
        )
    return accounts


def order_import_rows(
    *,
    orders: Sequence[ImportedOrder],
    actor: Any,
    award_points: bool = False,
    message: str = "",
) -> OrderImportResult:
    """Write one batch of checked orders (``guanxi.orders.imports.validation``) in one
    transaction: the orders with ``source=import`` and their lines, an audit row and a timeline
    event per order and, with ``award_points``, the points through the ledger. Orders whose
    reference was imported before are skipped and counted. ``actor`` None is the command line.

    The points are worked out before the transaction begins (they only read), so that the
    write lock — on SQLite, the whole database's — is held only while writing."""
    if actor is not None:
        require_capability(actor, CAPABILITY)
        if any(not can_see_store(actor, o.store_id) for o in orders):
            raise ApplicationError(_("You do not work in this store."), code="store")
    now = timezone.now()
    planned: dict[str, tuple[list[int], datetime.datetime | None]] = {}
    if award_points:
        before = imported_references(o.reference for o in orders)
        candidates = [o for o in orders if o.reference not in before]
        for order, (line_points, expiry) in zip(
            candidates, zip(*_points_of(candidates, now), strict=True), strict=True
        ):
            planned[order.reference] = (line_points, expiry)
    with transaction.atomic():
        return _rows_write(orders, planned, actor=actor, message=message, now=now)


def _rows_write(
    orders: Sequence[ImportedOrder],
    planned: Mapping[str, tuple[list[int], datetime.datetime | None]],
    *,
    actor: Any,
    message: str,
    now: datetime.datetime,
) -> OrderImportResult:
    existing = imported_references(o.reference for o in orders)
    fresh: list[ImportedOrder] = []
    for candidate in orders:
        if candidate.reference not in existing:
            existing.add(candidate.reference)
            fresh.append(candidate)
    result = OrderImportResult(already_imported=len(orders) - len(fresh))
    if not fresh:
        return result
    actor_id, actor_name, ip_address = _actor_of(actor)
    note = message[:300]
    points = [planned.get(o.reference, ([0] * len(o.lines), None))[0] for o in fresh]
    expiries = [planned.get(o.reference, ([], None))[1] for o in fresh]
    earned = [sum(line_points) for line_points in points]

    ids = insert_rows(
        Order,
        [
            {
                "created_at": now,
                "updated_at": now,
                "store_id": o.store_id,
                "customer_id": o.customer_id,
                "card_id": o.card_id,
                "membership_id": o.membership_id,
                "ordered_at": o.ordered_at,
                "source": OrderSource.IMPORT,
                "reference": o.reference,
                "status": OrderStatus.COMPLETED,
                "subtotal": o.subtotal,
                "total": o.total,
                "points_earned": total_points,
                "created_by_id": actor_id,
                "note": note,
            }
            for o, total_points in zip(fresh, earned, strict=True)
        ],
        returning=True,
    )
    insert_rows(
        OrderLine,
        [
            {
                "order_id": pk,
                "position": position,
                "kind": line.kind,
                "product_id": line.product_id,
                "category_id": line.category_id,
                "sku": line.sku,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "unit_cost": line.unit_cost,
                "discount": line.discount,
                "amount": line.amount,
                "store_id": o.store_id,
                "staff_id": line.staff_id,
                "points_earned": line_points,
            }
            for pk, o, order_points in zip(ids, fresh, points, strict=True)
            for position, (line, line_points) in enumerate(
                zip(o.lines, order_points, strict=True), start=1
            )
        ],
    )
    saved = [Order(pk=pk) for pk in ids]
    result.orders = len(ids)
    result.lines = sum(len(o.lines) for o in fresh)
    result.membership_ids = {o.membership_id for o in fresh if o.membership_id is not None}

    awarded = [
        (order, o.membership_id, total_points, expiry)
        for order, o, total_points, expiry in zip(saved, fresh, earned, expiries, strict=True)
        if total_points and o.membership_id is not None
    ]
    if awarded:
        accounts = _points_accounts({membership_id for _o, membership_id, _p, _e in awarded})
        counters: dict[int, LedgerAccount] = {}
        for order, membership_id, total_points, expiry in awarded:
            account = accounts[membership_id]
            if account.store_id not in counters:
                counters[account.store_id] = counter_account(
                    store_id=account.store_id, kind=AccountKind.POINTS_ISSUED
                )
            ledger_post(
                kind=TransactionKind.IMPORT,
                legs=[(counters[account.store_id], -total_points), (account, total_points)],
                actor=actor,
                memo=_("Purchase %(number)s") % {"number": order.number},
                reference=order_reference(order),
                points_expire_at=expiry,
            )
            result.points += total_points

    insert_rows(
        AuditEvent,
        [
            {
                "created_at": now,
                "actor_id": actor_id,
                "actor_name": actor_name,
                "ip_address": ip_address,
                "action": AuditAction.CREATE,
                "object_type": "orders.order",
                "object_pk": str(order.pk),
                "object_repr": order.number,
                "store_id": o.store_id,
                "changes": _audit_changes(o, total_points),
                "message": note,
            }
            for order, o, total_points in zip(saved, fresh, earned, strict=True)
        ],
    )
    purchase = _("Purchase %(number)s: %(total)s")
    money = functools.lru_cache(maxsize=4096)(format_money)
    insert_rows(
        TimelineEvent,
        [
            {
                "customer_id": o.customer_id,
                "occurred_at": o.ordered_at,
                "domain": TIMELINE_DOMAIN,
                "kind": "purchase",
                "title": (purchase % {"number": order.number, "total": money(o.total)})[:200],
                "store_id": o.store_id,
                "actor_id": actor_id,
                "object_type": "orders.order",
                "object_pk": str(order.pk),
            }
            for order, o in zip(saved, fresh, strict=True)
            if o.customer_id is not None
        ],
    )
    return result


def _audit_changes(order: ImportedOrder, points: int) -> dict[str, Any]:
    """What the audit row of an imported order records (as checkout's, with the lines)."""
    return {
        "source": [None, str(OrderSource.IMPORT)],
        "reference": [None, order.reference],
        "customer": [None, order.customer_id],
        "card": [None, order.card_id],
        "ordered_at": [None, order.ordered_at.isoformat()],
        "subtotal": [None, str(order.subtotal)],
        "total": [None, str(order.total)],
        "lines": [
            None,
            [
                [line.sku or line.description, line.quantity, str(line.amount)]
                for line in order.lines
            ],
        ],
        "payments": [None, []],
        "points_earned": [None, points],
    }


def order_import_tiers_update(*, membership_ids: Iterable[int], actor: Any) -> int:
    """Move each membership up the ladder when its spend now reaches a higher tier (checkout's
    rule: never down); one short transaction per membership that moves. Returns how many moved.

    The ladder is read once and a membership whose spend reaches no higher rung is left alone
    without a lock: after a large import most memberships stay where they are."""
    sources = tier_spend_sources()
    ladder = list(TierLevel.objects.order_by("rank").values_list("pk", "rank", "threshold"))
    if not sources or not ladder:
        return 0
    ranks = {pk: rank for pk, rank, _threshold in ladder}
    since = tier_spend_since(basis=loyalty_settings_get().tier_basis)
    moved = 0
    for membership in Membership.objects.filter(pk__in=sorted(membership_ids)).order_by("pk"):
        spend = money_round(sum((Decimal(fn(membership, since)) for fn in sources), Decimal(0)))
        reached = max((rank for _pk, rank, threshold in ladder if threshold <= spend), default=0)
        current = ranks.get(membership.tier_id or 0, ladder[0][1])  # no tier: the lowest rung
        if reached <= current:
            continue
        change = tier_evaluate(
            membership=membership, spend=spend, reason=TierChangeReason.CHECKOUT, actor=actor
        )
        moved += change is not None
    return moved


# --- The whole file ---------------------------------------------------------------------------


def _batches(orders: Sequence[ImportedOrder], size: int) -> Iterator[list[ImportedOrder]]:
    batch: list[ImportedOrder] = []
    lines = 0
    for order in orders:
        batch.append(order)
        lines += len(order.lines)
        if lines >= size:
            yield batch
            batch, lines = [], 0
    if batch:
        yield batch


def order_import_run(
    *,
    path: Path,
    options: OrderImportOptions,
    actor: Any,
    progress: Progress | None = None,
) -> OrderImportReport:
    """Read, check and (unless a dry run) write one file. ``actor`` None is the command line,
    which may import into every store. Raises ``ImportFileError`` for a file that cannot be
    imported at all; invalid rows are in the report.

    Every row is checked before anything is written, so "all or nothing" writes nothing when a
    row is invalid; with ``skip_invalid`` the orders with an invalid row are left out whole."""
    if actor is not None:
        require_capability(actor, CAPABILITY)
    table = read_table(path, encoding=options.encoding)
    mapping = options.mapping if options.mapping is not None else suggest_mapping(table.headers)
    columns = resolve_mapping(table.headers, mapping)
    parser = RowParser(
        headers=table.headers,
        columns=columns,
        actor=actor,
        default_store_id=_default_store(options, actor),
        now=timezone.now(),
    )
    report = OrderImportReport(
        file_name=options.file_name,
        kind=table.kind,
        encoding=table.encoding,
        dry_run=options.dry_run,
        skip_invalid=options.skip_invalid,
        award_points=options.award_points,
    )
    report_progress = progress or (lambda done, total, message: None)
    estimated = int(table.details.get("estimated_rows") or 0)
    checking = _("Checking rows")
    rows = []
    for number, cells in table.rows:
        rows.append(parser.parse(number, cells))
        if len(rows) % PROGRESS_EVERY == 0:
            report_progress(len(rows), max(estimated, len(rows)), checking)
    report.rows = len(rows)
    parser.resolve_members(rows)
    orders: list[ImportedOrder] = []
    for group in group_by_reference(rows).values():
        order = parser.assemble(group)
        if order is None:
            report.invalid_orders += 1
        else:
            orders.append(order)
    report.issues = [issue for parsed in rows for issue in parsed.issues]
    report.sort()
    report_progress(report.rows, report.rows, checking)
    already = imported_references(o.reference for o in orders)
    new = [o for o in orders if o.reference not in already]
    report.already_imported = len(orders) - len(new)
    if options.dry_run or (report.issues and not options.skip_invalid):
        report.orders = len(new)
        report.lines = sum(len(o.lines) for o in new)
        return report

    saving = _("Saving orders")
    total_lines = sum(len(o.lines) for o in new)
    report_progress(0, total_lines, saving)
    message = _("Imported from %(file)s") % {"file": options.file_name}
    membership_ids: set[int] = set()
    size = BATCH_LINES_WITH_POINTS if options.award_points else BATCH_LINES
    for batch in _batches(new, size):
        result = _rows_with_retry(batch, actor=actor, options=options, message=message)
        report.orders += result.orders
        report.lines += result.lines
        report.already_imported += result.already_imported
        report.points += result.points
        membership_ids |= result.membership_ids
        report_progress(report.lines, total_lines, saving)
    report_progress(0, len(membership_ids), _("Updating member tiers"))
    report.tier_upgrades = order_import_tiers_update(membership_ids=membership_ids, actor=actor)
    report.committed = True
    if report.orders:
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            object_type="orders.import",
            object_repr=options.file_name[:200],
            store_id=options.default_store_id,
            changes={
                "file": options.file_name,
                "rows": report.rows,
                "orders": report.orders,
                "lines": report.lines,
                "already_imported": report.already_imported,
                "invalid_rows": report.invalid_rows,
                "invalid_orders": report.invalid_orders,
                "award_points": options.award_points,
                "points": report.points,
                "tier_upgrades": report.tier_upgrades,
            },
            message=report.summary(),
        )
    return report


def _rows_with_retry(
    batch: Sequence[ImportedOrder], *, actor: Any, options: OrderImportOptions, message: str
) -> OrderImportResult:
    """``order_import_rows``, once more if another import saved one of the batch's references
    meanwhile (the unique constraint refused the batch; the second attempt skips it)."""
    try:
        return order_import_rows(
            orders=batch, actor=actor, award_points=options.award_points, message=message
        )
    except IntegrityError:
        logger.info("Order import batch collided with another import; retrying it once.")
        return order_import_rows(
            orders=batch, actor=actor, award_points=options.award_points, message=message
        )


# --- Background jobs --------------------------------------------------------------------------


@transaction.atomic
def order_import_start(*, actor: Any, upload_name: str, options: OrderImportOptions) -> Job:
    """Run a check or an import of an uploaded file in the background; returns the job whose
    page shows the progress and, at the end, the report."""
    require_capability(actor, CAPABILITY)
    if import_upload_path(upload_name) is None:
        raise ApplicationError(_("The uploaded file is no longer here; upload it again."))
    _default_store(options, actor)
    title = (
        _("Checking the order import %(file)s")
        if options.dry_run
        else _("Importing orders from %(file)s")
    ) % {"file": options.file_name}
    job = job_create(kind=IMPORT_KIND, title=title, actor=actor, store_id=options.default_store_id)
    params = {"upload": upload_name, **options.as_dict()}

    from guanxi.orders.imports.tasks import order_import_job_run as task

    transaction.on_commit(lambda: task(job.pk, params))
    return job


def order_import_job_run(*, job_id: int, params: Mapping[str, Any]) -> None:
    """The background part of ``order_import_start``; runs in a Huey worker."""
    options = OrderImportOptions.from_dict(params)
    file_import_job_run(
        job_id=job_id,
        params=params,
        file_name=options.file_name,
        run=functools.partial(order_import_run, options=options),
        failed=lambda: _(
            "The import failed. Orders saved before the failure stay saved; importing "
            "the file again continues where it stopped."
        ),
        report_prefix="order-import-report",
    )
