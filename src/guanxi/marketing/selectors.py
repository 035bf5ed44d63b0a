"""Reads of the marketing domain: member events, registrations and lottery draws.

An event of a store is seen by the staff of that store; an event without a store by everyone.
Registrations are seen by the staff who may see the customer (an event of every store gathers
customers of several stores: each store sees its own).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from guanxi.core.permissions import role_of, store_ids
from guanxi.marketing.choices import RegistrationStatus
from guanxi.marketing.models import EventRegistration, LotteryDraw, MemberEvent

LIVE = Q(status=RegistrationStatus.REGISTERED)


def _visible(events: QuerySet[MemberEvent], user: Any) -> QuerySet[MemberEvent]:
    if role_of(user) is None:
        return events.none()
    allowed = store_ids(user)
    if allowed is not None:
        events = events.filter(Q(store__isnull=True) | Q(store__in=allowed))
    return events


def event_list(*, user: Any, search: str = "") -> QuerySet[MemberEvent]:
    """The events ``user`` may see, newest first, with their number of live registrations."""
    events = _visible(MemberEvent.objects.select_related("store", "minimum_tier"), user).annotate(
        registered_count=Count("registrations", filter=Q(registrations__status="registered"))
    )
    if search:
        events = events.filter(Q(title__icontains=search) | Q(place__icontains=search))
    return events.order_by("-starts_at", "-pk")


def event_get(*, user: Any, pk: Any) -> MemberEvent | None:
    try:
        return event_list(user=user).filter(pk=pk).first()
    except (ValueError, TypeError):
        return None


def registration_list(
    *, event: MemberEvent, user: Any, live_only: bool = False
) -> QuerySet[EventRegistration]:
    """The event's registrations whose customer ``user`` may see, oldest first."""
    registrations = EventRegistration.objects.filter(event_id=event.pk).select_related(
        "customer", "customer__home_store", "registered_by"
    )
    if live_only:
        registrations = registrations.filter(LIVE)
    if role_of(user) is None:
        return registrations.none()
    allowed = store_ids(user)
    if allowed is not None:
        registrations = registrations.filter(customer__home_store__in=allowed)
    return registrations.order_by("pk")


def registration_get(*, user: Any, pk: Any) -> EventRegistration | None:
    """A registration of an event ``user`` may see, of a customer they may see."""
    try:
        found = EventRegistration.objects.select_related("event", "customer").filter(pk=pk).first()
    except (ValueError, TypeError):
        return None
    if found is None or not _visible(MemberEvent.objects.filter(pk=found.event_id), user).exists():
        return None
    if not registration_list(event=found.event, user=user).filter(pk=found.pk).exists():
        return None
    return found


def registration_live_count(*, event: MemberEvent) -> int:
    return EventRegistration.objects.filter(LIVE, event_id=event.pk).count()


def registration_live_for(*, event: MemberEvent, customer: Any) -> EventRegistration | None:
    return EventRegistration.objects.filter(
        LIVE, event_id=event.pk, customer_id=customer.pk
    ).first()


def registration_customer_ids(pks: list[int]) -> dict[int, int]:
    """Registration id → customer id, for the registrations named."""
    return dict(EventRegistration.objects.filter(pk__in=pks).values_list("pk", "customer_id"))


def draw_list(*, event: MemberEvent) -> QuerySet[LotteryDraw]:
    return LotteryDraw.objects.filter(event_id=event.pk).select_related("drawn_by")


def draw_get(*, user: Any, pk: Any) -> LotteryDraw | None:
    """A draw of an event ``user`` may see."""
    try:
        draw = LotteryDraw.objects.select_related("event", "drawn_by").filter(pk=pk).first()
    except (ValueError, TypeError):
        return None
    if draw is None or not _visible(MemberEvent.objects.filter(pk=draw.event_id), user).exists():
        return None
    return draw


def draw_list_visible(*, user: Any) -> QuerySet[LotteryDraw]:
    """Every draw of the events ``user`` may see (the draws' History tab)."""
    return LotteryDraw.objects.filter(event__in=_visible(MemberEvent.objects.all(), user))


def registration_list_visible(*, user: Any) -> QuerySet[EventRegistration]:
    """Every registration ``user`` may see: of an event they see, of a customer they see."""
    registrations = EventRegistration.objects.filter(
        event__in=_visible(MemberEvent.objects.all(), user)
    )
    allowed = store_ids(user)
    if allowed is not None:
        registrations = registrations.filter(customer__home_store__in=allowed)
    return registrations
