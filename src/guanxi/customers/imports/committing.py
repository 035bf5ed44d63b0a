"""Matching cleaned rows to the customers that exist, and writing them in bulk.

A row is matched by external ID, then by phone (both are unique). A match whose values are all
equal is left alone: importing the same file twice writes nothing, not even an audit row. Every
write is audited per customer, in bulk: one INSERT per batch, not one query per row.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import context
from guanxi.core.audit import diff, snapshot
from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.core.permissions import can_see_store, scope
from guanxi.customers.choices import ConsentSource, Source
from guanxi.customers.imports.validation import CleanRow, RowIssue, RowValidator
from guanxi.customers.models import ConsentEvent, Customer
from guanxi.customers.services.completeness import completeness_score
from guanxi.customers.services.customer import derived_fields

TIMELINE_DOMAIN = "customers"
CHUNK_SIZE = 2000
BATCH_SIZE = 500
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class Planned:
    row: CleanRow
    action: str
    customer: Customer | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    consents: dict[str, bool] = field(default_factory=dict)


def _existing(rows: Sequence[CleanRow]) -> tuple[dict[str, Customer], dict[str, Customer]]:
    """The customers that rows may match, by phone and by external ID: a query each (an OR of
    the two would not use their unique indexes on SQLite)."""
    phones = [r.values["phone"] for r in rows]
    external_ids = [r.values["external_id"] for r in rows if r.values.get("external_id")]
    by_phone = {c.phone: c for c in Customer.objects.filter(phone__in=phones)}
    by_external_id: dict[str, Customer] = {}
    if external_ids:
        known = {c.pk: c for c in by_phone.values()}
        for customer in Customer.objects.filter(external_id__in=external_ids):
            customer = known.get(customer.pk, customer)  # one instance per customer
            by_external_id[str(customer.external_id)] = customer
    return by_phone, by_external_id


def _tag_counts(customers: Sequence[Customer]) -> dict[int, int]:
    rows = (
        Customer.tags.through.objects.filter(customer_id__in=[c.pk for c in customers])
        .values("customer_id")
        .annotate(tags=Count("pk"))
    )
    return {row["customer_id"]: row["tags"] for row in rows}


def plan(
    rows: Sequence[CleanRow], *, actor: Any, validator: RowValidator
) -> tuple[list[Planned], list[RowIssue]]:
    """What each row would do: create, update (with the changes) or nothing; and the rows that
    cannot be applied (their customer belongs to a store the user does not work in …)."""
    by_phone, by_external_id = _existing(rows)
    planned: list[Planned] = []
    issues: list[RowIssue] = []
    for row in rows:
        external_id = row.values.get("external_id")
        by_id = by_external_id.get(external_id) if external_id else None
        same_phone = by_phone.get(row.values["phone"])
        if by_id is not None and same_phone is not None and by_id.pk != same_phone.pk:
            issues.append(
                RowIssue(
                    row.row,
                    validator.column_of("external_id"),
                    _("The external ID and the phone number belong to two different customers."),
                    external_id or "",
                )
            )
            continue
        customer = by_id or same_phone
        if customer is None:
            planned.append(Planned(row, CREATE, consents=row.consents))
            continue
        if actor is not None and not can_see_store(actor, customer.home_store_id):
            issues.append(
                RowIssue(
                    row.row,
                    validator.column_of("phone" if same_phone else "external_id"),
                    _("This customer is registered in a store you do not work in."),
                    row.values["phone"] if same_phone else external_id or "",
                )
            )
            continue
        if customer.erased_at is not None:
            issues.append(
                RowIssue(
                    row.row,
                    validator.column_of("phone"),
                    _("This customer's personal data has been erased."),
                    row.values["phone"],
                )
            )
            continue
        changes = {
            name: value
            for name, value in row.values.items()
            if name != "home_store_id" and getattr(customer, name) != value
        }
        consents = {
            purpose: granted
            for purpose, granted in row.consents.items()
            if getattr(customer, f"consent_{purpose}") != granted
        }
        action = UPDATE if changes or consents else UNCHANGED
        planned.append(Planned(row, action, customer, changes, consents))
    return planned, issues


@dataclass
class Writer:
    """Writes planned rows chunk by chunk (the caller holds a transaction per chunk)."""

    actor: Any
    weights: dict[str, int]
    message: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    now: datetime.datetime = field(default_factory=timezone.now)
    _keys: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ctx = context.current()
        actor = self.actor if self.actor is not None else ctx.actor
        if actor is not None and not getattr(actor, "is_authenticated", False):
            actor = None
        self.actor_id = getattr(actor, "pk", None)
        self.actor_name = (actor.get_username() if actor is not None else "")[:150]
        self.ip_address = ctx.ip_address
        self.db_now = connection.ops.adapt_datetimefield_value(self.now)
        self.changes_field = AuditEvent._meta.get_field("changes")

    def _derived(self, customer: Customer) -> None:
        """The derived keys; the name's (pinyin, scripts) are the costly part and names repeat,
        so they are remembered for the import."""
        keys = self._keys.get(customer.full_name)
        if keys is None:
            derived = derived_fields(customer)
            keys = {"name_key": derived["name_key"], "search_key": derived["search_key"]}
            if len(self._keys) < 200_000:
                self._keys[customer.full_name] = keys
        customer.name_key = keys["name_key"]
        customer.search_key = keys["search_key"]
        customer.phone_last4 = customer.phone[-4:]
        customer.birth_month = customer.birthday.month if customer.birthday else None

    def _audit(self, customer: Customer, action: str, changes: dict[str, Any]) -> dict[str, Any]:
        return {
            "created_at": self.db_now,
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "ip_address": self.ip_address,
            "action": str(action),
            "object_type": "customers.customer",
            "object_pk": str(customer.pk),
            "object_repr": str(customer)[:200],
            "store_id": customer.home_store_id,
            "changes": self.changes_field.get_db_prep_save(changes, connection),
            "message": self.message[:300],
        }

    def _consents(self, customer: Customer, consents: dict[str, bool]) -> list[dict[str, Any]]:
        return [
            {
                "customer": customer.pk,
                "purpose": purpose,
                "granted": granted,
                "recorded_at": self.db_now,
                "source": str(ConsentSource.IMPORT),
                "recorded_by": self.actor_id,
                "note": self.message[:200],
            }
            for purpose, granted in consents.items()
        ]

    def _timeline(self, customer: Customer, store_name: str) -> dict[str, Any]:
        return {
            "customer_id": customer.pk,
            "occurred_at": self.db_now,
            "domain": TIMELINE_DOMAIN,
            "kind": "created",
            "channel": "",
            "title": (_("Imported as a member of %(store)s") % {"store": store_name})[:200],
            "detail": "",
            "store_id": customer.home_store_id,
            "actor_id": self.actor_id,
            "object_type": "customers.customer",
            "object_pk": str(customer.pk),
        }

    def _new_customer(self, item: Planned) -> Customer:
        customer = Customer(source=Source.IMPORT, **item.row.values)
        for purpose, granted in item.consents.items():
            setattr(customer, f"consent_{purpose}", granted)
        self._derived(customer)
        customer.completeness = completeness_score(customer, self.weights, tag_count=0)
        customer.created_at = customer.updated_at = self.now
        return customer

    def write(self, planned: Sequence[Planned], store_names: dict[int, str]) -> None:
        creates = [p for p in planned if p.action == CREATE]
        updates = [p for p in planned if p.action == UPDATE]
        self.unchanged += sum(1 for p in planned if p.action == UNCHANGED)
        audits: list[dict[str, Any]] = []
        consents: list[dict[str, Any]] = []
        timeline: list[dict[str, Any]] = []
        if creates:
            customers = [self._new_customer(p) for p in creates]
            _create_customers(customers)
            for customer, item in zip(customers, creates, strict=True):
                changes = {name: [None, value] for name, value in snapshot(customer).items()}
                audits.append(self._audit(customer, AuditAction.CREATE, changes))
                consents += self._consents(customer, {p: g for p, g in item.consents.items() if g})
                timeline.append(
                    self._timeline(customer, store_names.get(customer.home_store_id, ""))
                )
            self.created += len(customers)
        if updates:
            changed_fields: set[str] = set()
            customers = []
            tag_counts = _tag_counts([p.customer for p in updates if p.customer is not None])
            for item in updates:
                existing = item.customer
                assert existing is not None
                customer = existing
                before = snapshot(customer, mask=False)
                for name, value in item.changes.items():
                    setattr(customer, name, value)
                for purpose, granted in item.consents.items():
                    setattr(customer, f"consent_{purpose}", granted)
                self._derived(customer)
                customer.completeness = completeness_score(
                    customer, self.weights, tag_count=tag_counts.get(customer.pk, 0)
                )
                customer.updated_at = self.now
                changes = diff(before, snapshot(customer, mask=False))
                changed_fields.update(changes)
                audits.append(self._audit(customer, AuditAction.UPDATE, changes))
                consents += self._consents(customer, item.consents)
                customers.append(customer)
            fields = sorted(
                changed_fields
                | {"name_key", "search_key", "phone_last4", "birth_month", "completeness"}
                | {"updated_at"}
            )
            Customer.objects.bulk_update(customers, fields, batch_size=BATCH_SIZE)
            self.updated += len(customers)
        _insert(AuditEvent, audits)
        _insert(ConsentEvent, consents)
        _insert(TimelineEvent, timeline)


def _db_value(field: Any, value: Any, prepared: dict[tuple[str, Any], Any]) -> Any:
    """A value in its database form; dates and times are few and repeat, so each is prepared
    once."""
    if value is None or type(value) in (str, int, bool):
        return value
    key = (field.attname, value)
    if key not in prepared:
        prepared[key] = field.get_db_prep_save(value, connection)
    return prepared[key]


def _create_customers(customers: Sequence[Customer]) -> None:
    """``bulk_create`` without its per-value overhead, which is most of the time an import
    takes: one multi-row INSERT … RETURNING per batch, the ids set on the instances in order
    (as ``bulk_create`` itself relies on, on SQLite and PostgreSQL)."""
    if not connection.features.can_return_rows_from_bulk_insert:
        Customer.objects.bulk_create(customers, batch_size=BATCH_SIZE)
        return
    meta = Customer._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    row = "({})".format(", ".join(["%s"] * len(fields)))
    # Names and columns come from the model, never from input.
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
        quote(str(meta.db_table)), ", ".join(quote(str(f.column)) for f in fields)
    )
    tail = f" RETURNING {quote(str(getattr(meta.pk, 'column', 'id')))}"
    prepared: dict[tuple[str, Any], Any] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(customers), BATCH_SIZE):
            batch = customers[start : start + BATCH_SIZE]
            params = [_db_value(f, getattr(c, f.attname), prepared) for c in batch for f in fields]
            cursor.execute(head + ", ".join([row] * len(batch)) + tail, params)
            ids = [found[0] for found in cursor.fetchall()]
            for customer, pk in zip(batch, ids, strict=True):
                customer.pk = pk
                customer._state.adding = False
                customer._state.db = connection.alias


def _insert(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows of a model with ``executemany``: the audit, timeline and consent rows of an
    import are many and simple, and building model instances for them would cost more than
    writing them. Values must already be in their database form (see ``_db``)."""
    if not rows:
        return
    columns = list(rows[0])
    quote = connection.ops.quote_name
    # Table and column names come from the model, never from input.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(str(getattr(model._meta.get_field(c), "column", c))) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(
                sql, [tuple(row[c] for c in columns) for row in rows[start : start + BATCH_SIZE]]
            )


def chunks(items: Sequence[Any], size: int = CHUNK_SIZE) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def likely_duplicates(
    rows: Sequence[CleanRow], *, actor: Any, validator: RowValidator
) -> list[RowIssue]:
    """Warnings for rows with the name and birthday of a customer with another phone: the rule
    of ``services.duplicates.duplicate_candidates``, asked for a chunk of rows in one query
    instead of one query per row."""
    wanted = [r for r in rows if r.name_key]
    if not wanted:
        return []
    keys = {r.name_key for r in wanted}
    birthdays = {r.values["birthday"] for r in wanted}
    customers = scope(Customer.objects.all(), actor) if actor is not None else Customer.objects
    found: dict[tuple[str, Any], tuple[str, str]] = {}
    for name_key, birthday, full_name, phone in customers.filter(
        name_key__in=keys, birthday__in=birthdays, erased_at__isnull=True
    ).values_list("name_key", "birthday", "full_name", "phone"):
        found.setdefault((name_key, birthday), (full_name, phone))
    warnings = []
    for row in wanted:
        match = found.get((row.name_key, row.values["birthday"]))
        if match is not None and match[1] != row.values["phone"]:
            warnings.append(
                RowIssue(
                    row.row,
                    validator.column_of("full_name"),
                    _(
                        "Same name and birthday as the customer %(name)s (phone ending "
                        "%(last4)s): possibly the same person."
                    )
                    % {"name": match[0], "last4": match[1][-4:]},
                    row.values["full_name"],
                )
            )
    return warnings


ProgressCallback = Callable[[int, int, str], None]
