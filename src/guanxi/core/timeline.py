"""The customer timeline: every domain adds its events here, the customer page reads them."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from guanxi.core.models import TimelineEvent


def timeline_event_add(
    *,
    customer_id: int,
    domain: str,
    kind: str,
    title: str,
    detail: str = "",
    channel: str = "",
    occurred_at: datetime.datetime | None = None,
    store_id: int | None = None,
    actor: Any = None,
    obj: Any = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=customer_id,
        domain=domain,
        kind=kind,
        title=title[:200],
        detail=detail,
        channel=channel,
        occurred_at=occurred_at or timezone.now(),
        store_id=store_id,
        actor_id=getattr(actor, "pk", None),
        object_type=f"{obj._meta.app_label}.{obj._meta.model_name}" if obj is not None else "",
        object_pk=str(obj.pk) if obj is not None else "",
    )


def timeline_for_customer(
    *, customer_id: int, domain: str | None = None
) -> QuerySet[TimelineEvent]:
    events = TimelineEvent.objects.filter(customer_id=customer_id)
    if domain:
        events = events.filter(domain=domain)
    return events.order_by("-occurred_at", "-pk")


def timeline_reassign(*, from_customer_id: int, to_customer_id: int) -> int:
    """Move every event of one customer to another (used by the customer merge)."""
    return TimelineEvent.objects.filter(customer_id=from_customer_id).update(
        customer_id=to_customer_id
    )
