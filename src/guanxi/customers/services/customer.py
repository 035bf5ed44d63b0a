"""Create, update and delete customers; keep their derived keys and completeness current."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.permissions import can_see_store, is_owner
from guanxi.core.services import model_create, model_delete, model_update
from guanxi.core.timeline import timeline_event_add
from guanxi.customers import names
from guanxi.customers.models import Customer
from guanxi.customers.phones import phone_normalise
from guanxi.customers.services.completeness import customer_completeness_refresh

TIMELINE_DOMAIN = "customers"
# The master data a customer write may set (sensitive data has its own service).
MASTER_FIELDS = frozenset(
    {
        "full_name",
        "gender",
        "birthday",
        "phone",
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
    }
)
UPDATABLE_FIELDS = MASTER_FIELDS
TEXT_FIELDS = frozenset(
    {
        "gender",
        "email",
        "province",
        "city",
        "district",
        "street",
        "preferred_channel",
        "occupation",
        "income_band",
        "hobbies",
    }
)


def _check_store_and_staff(*, home_store: Any, responsible_staff: Any, actor: Any) -> None:
    """The actor may only file customers under their own stores, and the responsible staff
    member must work in the customer's home store (owners work in every store)."""
    if actor is not None and not can_see_store(actor, home_store.pk):
        raise ValidationError({"home_store": _("You do not work in this store.")})
    if responsible_staff is None or is_owner(responsible_staff):
        return
    if not responsible_staff.stores.filter(pk=home_store.pk).exists():
        raise ValidationError(
            {"responsible_staff": _("This staff member does not work in the customer's store.")}
        )


def _check_household(*, household: Any, home_store: Any) -> None:
    """A household shares one card in one store: its members belong to that store."""
    if household is not None and household.store_id != home_store.pk:
        raise ValidationError({"household": _("This household belongs to another store.")})


def _clean_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "phone" in data:
        data["phone"] = phone_normalise(data["phone"])
    if "full_name" in data:
        data["full_name"] = (data["full_name"] or "").strip()
    for name in TEXT_FIELDS & set(data):
        data[name] = (
            (data[name] or "").strip() if isinstance(data[name], str | None) else data[name]
        )
    if "external_id" in data:
        data["external_id"] = (data["external_id"] or "").strip() or None
    return data


def derived_fields(customer: Customer) -> dict[str, Any]:
    """The columns computed from others: search keys, last phone digits, birth month."""
    return {
        "name_key": names.name_key(customer.full_name),
        "search_key": names.search_key(customer.full_name),
        "phone_last4": customer.phone[-4:],
        "birth_month": customer.birthday.month if customer.birthday else None,
    }


def _set_derived(customer: Customer) -> None:
    for name, value in derived_fields(customer).items():
        setattr(customer, name, value)


@transaction.atomic
def customer_create(
    *,
    full_name: str,
    phone: str,
    home_store: Any,
    actor: Any,
    gender: str = "",
    birthday: datetime.date | None = None,
    email: str = "",
    responsible_staff: Any = None,
    tags: list[Any] | None = None,
    **other: Any,
) -> Customer:
    """Register a new member: validated, audited, scored, and the first entry of their
    timeline. ``other`` takes the remaining master-data fields (address, occupation …)."""
    unknown = set(other) - MASTER_FIELDS
    if unknown:
        raise TypeError(f"customer_create got unknown fields {sorted(unknown)}")
    _check_store_and_staff(home_store=home_store, responsible_staff=responsible_staff, actor=actor)
    _check_household(household=other.get("household"), home_store=home_store)
    data = _clean_data(
        {
            "full_name": full_name,
            "phone": phone,
            "gender": gender,
            "birthday": birthday,
            "email": email,
            **other,
        }
    )
    customer = Customer(home_store=home_store, responsible_staff=responsible_staff, **data)
    _set_derived(customer)
    model_create(instance=customer, actor=actor, m2m={"tags": tags} if tags else None)
    customer_completeness_refresh(customer=customer)
    timeline_event_add(
        customer_id=customer.pk,
        domain=TIMELINE_DOMAIN,
        kind="created",
        title=_("Became a member at %(store)s") % {"store": home_store.name},
        store_id=home_store.pk,
        actor=actor,
        obj=customer,
    )
    return customer


@transaction.atomic
def customer_update(
    *, customer: Customer, data: dict[str, Any], actor: Any, tags: list[Any] | None = None
) -> Customer:
    """Change a customer's master data. Only the given fields are touched; a change that changes
    nothing writes nothing. ``tags``, when given, replaces the customer's tags."""
    unknown = set(data) - UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"customer_update cannot set {sorted(unknown)}")
    if customer.erased_at is not None:
        raise ValidationError(_("This customer's personal data has been erased."))
    data = _clean_data(data)
    if "home_store" in data or "responsible_staff" in data:
        _check_store_and_staff(
            home_store=data.get("home_store", customer.home_store),
            responsible_staff=data.get("responsible_staff", customer.responsible_staff),
            actor=actor,
        )
    if "household" in data or "home_store" in data:
        _check_household(
            household=data.get("household", customer.household),
            home_store=data.get("home_store", customer.home_store),
        )
    preview = Customer(
        **{f.attname: getattr(customer, f.attname) for f in Customer._meta.concrete_fields}
    )
    for name, value in data.items():
        setattr(preview, name, value)
    data.update(derived_fields(preview))
    customer, _changed = model_update(
        instance=customer, data=data, actor=actor, m2m={"tags": tags} if tags is not None else None
    )
    customer_completeness_refresh(customer=customer)
    return customer


@transaction.atomic
def customer_delete(*, customer: Customer, actor: Any) -> None:
    """Delete a customer entered by mistake; their last values stay in the audit log. A customer
    with history is merged into the right record or erased instead."""
    model_delete(instance=customer, actor=actor)
