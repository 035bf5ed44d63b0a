"""Reads of saved customer-list views: each staff member sees only their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from guanxi.customers.models import SavedView


def saved_view_list(*, user: Any) -> QuerySet[SavedView]:
    """The user's own saved customer-list views."""
    return SavedView.objects.filter(owner_id=getattr(user, "pk", None)).order_by("name")


def saved_view_get(*, user: Any, pk: Any) -> SavedView | None:
    try:
        return saved_view_list(user=user).get(pk=pk)
    except (SavedView.DoesNotExist, ValueError, TypeError):
        return None
