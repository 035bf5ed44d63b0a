"""Reads of tags. Tags are shared by every store; counts include only customers the user sees."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from guanxi.core.permissions import store_ids
from guanxi.customers.models import Tag


def tag_list(*, with_counts: bool = False, user: Any = None) -> QuerySet[Tag]:
    """Every tag by name; ``with_counts`` adds ``customer_count`` over the customers ``user``
    may see."""
    tags = Tag.objects.order_by("name")
    if with_counts:
        allowed = store_ids(user)
        condition = Q() if allowed is None else Q(customers__home_store_id__in=allowed)
        tags = tags.annotate(customer_count=Count("customers", filter=condition))
    return tags


def tag_get(*, pk: Any) -> Tag | None:
    try:
        return Tag.objects.get(pk=pk)
    except (Tag.DoesNotExist, ValueError, TypeError):
        return None
