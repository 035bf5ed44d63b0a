"""Households: a family that shares one member card. A customer belongs to at most one
household, and only to a household of their own home store."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.permissions import can_see_store
from guanxi.core.services import model_create, model_delete, model_update
from guanxi.core.timeline import timeline_event_add
from guanxi.customers.models import Customer, Household
from guanxi.customers.services.completeness import customer_completeness_refresh

TIMELINE_DOMAIN = "customers"


def _check_store(*, store_id: int, actor: Any) -> None:
    if actor is not None and not can_see_store(actor, store_id):
        raise ValidationError({"store": _("You do not work in this store.")})


def _locked(customer: Customer) -> Customer:
    """The customer's row, locked for the rest of the transaction and read fresh."""
    return Customer.objects.select_for_update().get(pk=customer.pk)


def _set_household(*, customer: Customer, household: Household | None, actor: Any) -> Customer:
    customer, _changed = model_update(instance=customer, data={"household": household}, actor=actor)
    customer_completeness_refresh(customer=customer)
    return customer


def _audit_members(
    *, household: Household, actor: Any, added: Any = None, removed: Any = None
) -> None:
    """A row on the household too, so that its History tab tells who joined and left."""
    changes: dict[str, Any] = {}
    if added is not None:
        changes["member_added"] = [None, added.pk]
    if removed is not None:
        changes["member_removed"] = [removed.pk, None]
    audit_record(action=AuditAction.UPDATE, actor=actor, obj=household, changes=changes)


@transaction.atomic
def household_create(
    *, name: str, store: Any, actor: Any, notes: str = "", members: list[Customer] | None = None
) -> Household:
    """Create a household in ``store``, optionally with its first members."""
    _check_store(store_id=store.pk, actor=actor)
    household = model_create(
        instance=Household(name=name.strip(), store=store, notes=notes.strip()), actor=actor
    )
    for customer in members or []:
        household_member_add(household=household, customer=customer, actor=actor)
    return household


@transaction.atomic
def household_update(*, household: Household, data: dict[str, Any], actor: Any) -> Household:
    """Rename a household or change its notes; its store does not change."""
    unknown = set(data) - {"name", "notes"}
    if unknown:
        raise ValueError(f"household_update cannot set {sorted(unknown)}")
    cleaned = {k: (v or "").strip() for k, v in data.items()}
    household, _changed = model_update(instance=household, data=cleaned, actor=actor)
    return household


@transaction.atomic
def household_member_add(*, household: Household, customer: Customer, actor: Any) -> Customer:
    """Add a customer of the household's store who is in no household yet."""
    customer = _locked(customer)
    if customer.household_id == household.pk:
        raise ValidationError(
            {"customer": _("%(name)s is already in this household.") % {"name": customer}}
        )
    if customer.household_id is not None:
        raise ValidationError(
            {
                "customer": _(
                    "%(name)s already belongs to another household; remove them from it first."
                )
                % {"name": customer}
            }
        )
    if customer.home_store_id != household.store_id:
        raise ValidationError(
            {"customer": _("%(name)s is a member of another store.") % {"name": customer}}
        )
    if customer.erased_at is not None:
        raise ValidationError({"customer": _("This customer's personal data has been erased.")})
    customer = _set_household(customer=customer, household=household, actor=actor)
    _audit_members(household=household, actor=actor, added=customer)
    timeline_event_add(
        customer_id=customer.pk,
        domain=TIMELINE_DOMAIN,
        kind="household_joined",
        title=_("Joined the household %(name)s") % {"name": household.name},
        store_id=household.store_id,
        actor=actor,
        obj=household,
    )
    return customer


@transaction.atomic
def household_member_remove(*, household: Household, customer: Customer, actor: Any) -> Customer:
    customer = _locked(customer)
    if customer.household_id != household.pk:
        raise ValidationError(
            {"customer": _("%(name)s is not in this household.") % {"name": customer}}
        )
    customer = _set_household(customer=customer, household=None, actor=actor)
    _audit_members(household=household, actor=actor, removed=customer)
    timeline_event_add(
        customer_id=customer.pk,
        domain=TIMELINE_DOMAIN,
        kind="household_left",
        title=_("Left the household %(name)s") % {"name": household.name},
        store_id=household.store_id,
        actor=actor,
        obj=household,
    )
    return customer


@transaction.atomic
def household_dissolve(*, household: Household, actor: Any) -> int:
    """Remove every member, then the household itself; returns how many members it had."""
    members = list(household.members.select_for_update().order_by("pk"))
    for customer in members:
        household_member_remove(household=household, customer=customer, actor=actor)
    model_delete(instance=household, actor=actor)
    return len(members)
