"""Reads of the customer page (the "360" view): what completeness misses, and the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guanxi.core.models import TimelineEvent
from guanxi.core.timeline import timeline_for_customer
from guanxi.customers.models import Customer
from guanxi.customers.services.completeness import completeness_missing

TIMELINE_PAGE_SIZE = 20


@dataclass(frozen=True)
class MissingField:
    name: str
    label: Any


def customer_missing_fields(*, customer: Customer) -> list[MissingField]:
    """The scored fields still empty, most valuable first, with their labels."""
    return [
        MissingField(name=name, label=Customer._meta.get_field(name).verbose_name)
        for name in completeness_missing(customer)
    ]


@dataclass(frozen=True)
class TimelinePage:
    events: list[TimelineEvent]
    page: int
    has_next: bool
    domain: str


def customer_timeline_domains(*, customer: Customer) -> list[str]:
    """The domains that have events for this customer, for the filter chips."""
    return sorted(
        set(
            TimelineEvent.objects.filter(customer_id=customer.pk)
            .values_list("domain", flat=True)
            .distinct()
        )
    )


def customer_timeline_page(
    *, customer: Customer, domain: str = "", page: int = 1, page_size: int | None = None
) -> TimelinePage:
    """One page of the customer's timeline, newest first; page_size + 1 rows are read to know
    whether more follow (no count)."""
    page = max(1, page)
    page_size = page_size or TIMELINE_PAGE_SIZE
    start = (page - 1) * page_size
    events = list(
        timeline_for_customer(customer_id=customer.pk, domain=domain or None)[
            start : start + page_size + 1
        ]
    )
    return TimelinePage(
        events=events[:page_size], page=page, has_next=len(events) > page_size, domain=domain
    )
