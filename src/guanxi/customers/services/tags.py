"""Tags: labels the business puts on customers. Owners and store managers keep the list of tags;
staff tag and untag customers. Tags are shared by every store."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.services import model_create, model_delete, model_update
from guanxi.customers.choices import TagColour
from guanxi.customers.models import Customer, Tag
from guanxi.customers.services.completeness import customer_completeness_refresh


def _check_name_free(name: str, *, tag: Tag | None = None) -> None:
    taken = Tag.objects.filter(name__iexact=name)
    if tag is not None:
        taken = taken.exclude(pk=tag.pk)
    if taken.exists():
        raise ValidationError({"name": _("A tag with this name already exists.")})


@transaction.atomic
def tag_create(*, name: str, actor: Any, colour: str = TagColour.GREY) -> Tag:
    name = name.strip()
    _check_name_free(name)
    return model_create(instance=Tag(name=name, colour=colour), actor=actor)


@transaction.atomic
def tag_update(*, tag: Tag, data: dict[str, Any], actor: Any) -> Tag:
    """Rename a tag or change its colour."""
    unknown = set(data) - {"name", "colour"}
    if unknown:
        raise ValueError(f"tag_update cannot set {sorted(unknown)}")
    data = dict(data)
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        _check_name_free(data["name"], tag=tag)
    tag, _changed = model_update(instance=tag, data=data, actor=actor)
    return tag


@transaction.atomic
def tag_delete(*, tag: Tag, actor: Any) -> int:
    """Delete a tag and take it off every customer; returns how many customers had it.

    The customers for whom it was the only tag lose the "tags" part of their completeness, so
    their score is refreshed.
    """
    through = Customer.tags.through
    holders = through.objects.filter(tag_id=tag.pk)
    count = holders.count()
    only_tag = list(
        Customer.objects.filter(pk__in=holders.values("customer_id"))
        .exclude(pk__in=through.objects.exclude(tag_id=tag.pk).values("customer_id"))
        .order_by("pk")
    )
    model_delete(instance=tag, actor=actor)
    for customer in only_tag:
        customer_completeness_refresh(customer=customer)
    return count


def _set_tags(*, customer: Customer, tag_ids: list[int], actor: Any) -> Customer:
    customer, _changed = model_update(
        instance=customer, data={}, actor=actor, m2m={"tags": tag_ids}
    )
    customer_completeness_refresh(customer=customer)
    return customer


@transaction.atomic
def customer_tag_add(*, customer: Customer, tag: Tag, actor: Any) -> Customer:
    """Put a tag on a customer (nothing happens if it is already there)."""
    current = list(customer.tags.values_list("pk", flat=True))
    if tag.pk in current:
        return customer
    return _set_tags(customer=customer, tag_ids=[*current, tag.pk], actor=actor)


@transaction.atomic
def customer_tag_remove(*, customer: Customer, tag: Tag, actor: Any) -> Customer:
    """Take a tag off a customer (nothing happens if it is not there)."""
    current = list(customer.tags.values_list("pk", flat=True))
    if tag.pk not in current:
        return customer
    return _set_tags(customer=customer, tag_ids=[pk for pk in current if pk != tag.pk], actor=actor)
