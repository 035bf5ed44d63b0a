"""Saved views: a staff member's customer-list filters, kept under a name."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.services import model_create, model_delete
from guanxi.customers.models import SavedView

# The query-string keys of the customer list a view may keep (not the page cursor).
FILTER_KEYS = (
    "q",
    "store",
    "responsible_staff",
    "tag",
    "birthday_month",
    "created_from",
    "created_to",
    "completeness_min",
    "completeness_max",
    "source",
    "consent",
    "household",
    "sort",
)


def saved_view_query(query_string: str) -> str:
    """The list's query string kept to the filter keys, empty values dropped, in a fixed order."""
    pairs = [(k, v) for k, v in parse_qsl(query_string) if k in FILTER_KEYS and v.strip()]
    pairs.sort(key=lambda kv: (FILTER_KEYS.index(kv[0]), kv[1]))
    return urlencode(pairs)


@transaction.atomic
def saved_view_create(*, owner: Any, name: str, query_string: str, actor: Any) -> SavedView:
    """Save the current filters under a name; the same name again replaces the old filters."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    query = saved_view_query(query_string)
    if not query:
        raise ValidationError({"name": _("Choose some filters before saving a view.")})
    existing = SavedView.objects.filter(owner=owner, name=name).first()
    if existing is not None:
        model_delete(instance=existing, actor=actor)
    return model_create(instance=SavedView(owner=owner, name=name, query=query), actor=actor)


@transaction.atomic
def saved_view_delete(*, saved_view: SavedView, actor: Any) -> None:
    model_delete(instance=saved_view, actor=actor)
