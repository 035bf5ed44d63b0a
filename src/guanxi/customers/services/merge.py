"""The merge tool: fold one customer (the source) into another (the target) and delete the source.

Every domain's records follow through the customer-data registry
(``guanxi.core.registry.customer_data_handlers``): each handler's ``merge(source_pk, target_pk,
actor)`` moves its rows. The customers domain's own handler (``customers.data_handlers``) moves
tags, consent records, skin and health data and referrals; this service fills the target's empty
master fields, moves the timeline, and audits the whole as one UPDATE of the target plus one
DELETE of the source, in one transaction with both rows locked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record, diff, snapshot
from guanxi.core.choices import AuditAction
from guanxi.core.permissions import is_owner, require_capability, scope
from guanxi.core.registry import customer_data_handlers
from guanxi.core.timeline import timeline_event_add, timeline_reassign
from guanxi.customers.models import Customer
from guanxi.customers.services.completeness import customer_completeness_refresh
from guanxi.customers.services.customer import TIMELINE_DOMAIN, derived_fields

SOURCE = "source"
TARGET = "target"
# The master fields a merge may take from either record, in the order of the comparison page.
MERGE_FIELDS: tuple[str, ...] = (
    "full_name",
    "phone",
    "gender",
    "birthday",
    "email",
    "province",
    "city",
    "district",
    "street",
    "preferred_channel",
    "occupation",
    "income_band",
    "hobbies",
    "source",
    "referrer",
    "home_store",
    "responsible_staff",
    "household",
    "external_id",
)


def _attname(field: str) -> str:
    # Every master field is a concrete field, never a reverse relation.
    return cast("models.Field[Any, Any]", Customer._meta.get_field(field)).attname


def merge_value(customer: Customer, field: str) -> Any:
    """A field's stored value (the id for a foreign key)."""
    return getattr(customer, _attname(field))


def merge_defaults(*, source: Customer, target: Customer) -> dict[str, str]:
    """For each field whose values differ, which record's value a merge keeps by default: the
    target's, unless it is empty and the source's is not."""
    choices = {}
    for field in MERGE_FIELDS:
        kept, other = merge_value(target, field), merge_value(source, field)
        if kept != other:
            choices[field] = SOURCE if kept in (None, "") and other not in (None, "") else TARGET
    return choices


def _merged_values(
    *, source: Customer, target: Customer, field_choices: Mapping[str, str]
) -> dict[str, Any]:
    unknown = set(field_choices) - set(MERGE_FIELDS)
    invalid = set(field_choices.values()) - {SOURCE, TARGET}
    if unknown or invalid:
        raise ValueError(f"invalid field choices: {sorted(unknown)} {sorted(invalid)}")
    choices = {**merge_defaults(source=source, target=target), **field_choices}
    values = {}
    for field in MERGE_FIELDS:
        value = merge_value(source if choices.get(field) == SOURCE else target, field)
        if field == "referrer" and value in (source.pk, target.pk):
            value = None  # nobody refers themselves
        values[_attname(field)] = value
    return values


def _check_staff_works_in_store(target: Customer) -> None:
    staff = target.responsible_staff
    if staff is None or is_owner(staff):
        return
    if not staff.stores.filter(pk=target.home_store_id).exists():
        raise ValidationError(
            {"responsible_staff": _("This staff member does not work in the customer's store.")}
        )


def _lock(*, source_pk: int, target_pk: int, actor: Any) -> tuple[Customer, Customer]:
    """Both customers, locked in primary-key order; ``Customer.DoesNotExist`` when the actor
    may not see either of them."""
    rows = {
        c.pk: c
        for c in scope(Customer.objects.all(), actor)
        .select_for_update()
        .filter(pk__in=[source_pk, target_pk])
        .order_by("pk")
    }
    if source_pk not in rows or target_pk not in rows:
        raise Customer.DoesNotExist
    return rows[source_pk], rows[target_pk]


@transaction.atomic
def customer_merge(
    *,
    source: Customer,
    target: Customer,
    actor: Any,
    field_choices: Mapping[str, str] | None = None,
) -> Customer:
    """Fold ``source`` into ``target`` and delete ``source``; returns the target.

    ``field_choices`` maps a master field to ``"source"`` or ``"target"``: whose value the target
    keeps. A field not named keeps the target's value, or takes the source's where the target's
    is empty. Tags are united; consent records, skin and health data (when the target has none
    and holds the sensitive-data consent), referrals, the timeline and every other domain's
    records move to the target.

    Raises ``PermissionDenied`` without the ``customers.merge`` capability,
    ``Customer.DoesNotExist`` when the actor may not see both customers, and ``ValidationError``
    for a customer merged into itself, an erased customer, or a field combination that is not
    valid (e.g. a responsible staff member who does not work in the chosen store).
    """
    require_capability(actor, "customers.merge")
    if source.pk == target.pk:
        raise ValidationError(_("A customer cannot be merged into itself."))
    source, target = _lock(source_pk=source.pk, target_pk=target.pk, actor=actor)
    if source.erased_at is not None or target.erased_at is not None:
        raise ValidationError(_("An erased customer cannot be merged."))
    values = _merged_values(source=source, target=target, field_choices=field_choices or {})
    before = snapshot(target)
    tags_before = sorted(target.tags.values_list("pk", flat=True))
    source_snapshot = snapshot(source)
    source_pk, source_repr = source.pk, str(source)
    message = f"merged customer #{source_pk} into #{target.pk}"

    moved = {
        handler.key: handler.merge(source_pk, target.pk, actor)
        for handler in customer_data_handlers()
        if handler.merge is not None
    }
    moved["timeline"] = timeline_reassign(from_customer_id=source_pk, to_customer_id=target.pk)

    # The source goes before the target is saved: the phone and external id are unique, and the
    # target may take the source's.
    audit_record(
        action=AuditAction.DELETE,
        actor=actor,
        obj=source,
        changes={name: [value, None] for name, value in source_snapshot.items()},
        message=message,
    )
    source.delete()

    target.refresh_from_db()
    for attname, value in values.items():
        setattr(target, attname, value)
    for name, value in derived_fields(target).items():
        setattr(target, name, value)
    _check_staff_works_in_store(target)
    target.full_clean()
    target.save()
    customer_completeness_refresh(customer=target)

    changes: dict[str, Any] = diff(before, snapshot(target))
    tags_after = sorted(target.tags.values_list("pk", flat=True))
    if tags_after != tags_before:
        changes["tags"] = [tags_before, tags_after]
    changes["merged_records"] = [None, moved]
    audit_record(
        action=AuditAction.UPDATE, actor=actor, obj=target, changes=changes, message=message
    )
    timeline_event_add(
        customer_id=target.pk,
        domain=TIMELINE_DOMAIN,
        kind="merged",
        title=_("Merged with the duplicate record %(name)s (#%(pk)s)")
        % {"name": source_repr, "pk": source_pk},
        store_id=target.home_store_id,
        actor=actor,
        obj=target,
    )
    return target
