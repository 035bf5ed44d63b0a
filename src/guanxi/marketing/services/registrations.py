"""Registering customers for member events, and cancelling.

The capacity holds under concurrent registrations: every registration and cancellation takes a
lock on the event's row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN
IMMEDIATE`` serialises writers), then counts the live registrations under that lock. A customer
already registered gets their registration back (nothing written), so a retried request is
harmless.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import ApplicationError
from guanxi.core.permissions import require_capability
from guanxi.core.services import model_create, model_update
from guanxi.core.timeline import timeline_event_add
from guanxi.marketing.choices import RegistrationChannel, RegistrationStatus
from guanxi.marketing.models import EventRegistration, MemberEvent
from guanxi.marketing.selectors import registration_live_count, registration_live_for
from guanxi.marketing.services.eligibility import event_eligibility

REGISTER_CAPABILITY = "marketing.register"
TIMELINE_DOMAIN = "marketing"


def _event_locked(event: MemberEvent) -> MemberEvent:
    return (
        MemberEvent.objects.select_for_update(of=("self",))
        .select_related("minimum_tier")
        .get(pk=event.pk)
    )


@transaction.atomic
def event_register(
    *,
    event: MemberEvent,
    customer: Any,
    actor: Any,
    channel: str = RegistrationChannel.STAFF,
) -> tuple[EventRegistration, bool]:
    """Register ``customer`` for ``event``. Returns the registration and whether it is new.

    Refused (``ApplicationError``, nothing written) when registration is closed, the event is
    over, the customer does not meet a rule (the message gives every reason) or the event is
    full.
    """
    require_capability(actor, REGISTER_CAPABILITY)
    locked = _event_locked(event)
    existing = registration_live_for(event=locked, customer=customer)
    if existing is not None:
        return existing, False
    if not locked.registration_open:
        raise ApplicationError(
            _("Registration for %(event)s is closed.") % {"event": locked.title},
            code="registration_closed",
        )
    if locked.ends_at < timezone.now():
        raise ApplicationError(_("%(event)s is over.") % {"event": locked.title}, code="event_over")
    eligibility = event_eligibility(event=locked, customer=customer)
    if not eligibility.eligible:
        raise ApplicationError(
            " ".join(eligibility.reasons),
            code="not_eligible",
            extra={"reasons": eligibility.reasons},
        )
    if registration_live_count(event=locked) >= locked.capacity:
        raise ApplicationError(
            _("%(event)s is full: all %(capacity)s places are taken.")
            % {"event": locked.title, "capacity": locked.capacity},
            code="event_full",
        )
    registration = model_create(
        instance=EventRegistration(
            event=locked,
            customer=customer,
            channel=channel,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        ),
        actor=actor,
    )
    timeline_event_add(
        customer_id=customer.pk,
        domain=TIMELINE_DOMAIN,
        kind="event_registered",
        title=_("Registered for %(event)s") % {"event": locked.title},
        store_id=locked.store_id or customer.home_store_id,
        actor=actor,
        obj=registration,
    )
    return registration, True


@transaction.atomic
def registration_cancel(*, registration: EventRegistration, actor: Any) -> EventRegistration:
    """Cancel a registration; its place is free again."""
    require_capability(actor, REGISTER_CAPABILITY)
    _event_locked(registration.event)
    locked = EventRegistration.objects.select_related("event").get(pk=registration.pk)
    if locked.status != RegistrationStatus.REGISTERED:
        raise ApplicationError(
            _("This registration was already cancelled."), code="already_cancelled"
        )
    updated, _changed = model_update(
        instance=locked,
        data={"status": RegistrationStatus.CANCELLED, "cancelled_at": timezone.now()},
        actor=actor,
    )
    timeline_event_add(
        customer_id=locked.customer_id,
        domain=TIMELINE_DOMAIN,
        kind="event_cancelled",
        title=_("Registration for %(event)s cancelled") % {"event": locked.event.title},
        store_id=locked.event.store_id,
        actor=actor,
        obj=locked,
    )
    return updated
