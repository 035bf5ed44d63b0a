"""The marketing domain's entry in the customer-data registry (``guanxi.core.registry``).

- export: the customer's event registrations (event, time, channel, status) and lottery wins;
- erase: registrations hold no personal data beyond the link to the customer; nothing to blank;
- merge: registrations move to the customer kept. When both were registered for the same event,
  the kept customer's stays live and the other is cancelled (one seat per person). Lottery draws
  name registrations, not customers, so their record and replay are unchanged.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.registry import CustomerDataHandler, customer_data_register
from guanxi.marketing.choices import RegistrationStatus
from guanxi.marketing.models import EventRegistration, LotteryDraw


def marketing_export(customer_id: int) -> list[dict[str, Any]]:
    registrations = list(
        EventRegistration.objects.filter(customer_id=customer_id)
        .select_related("event")
        .order_by("created_at", "pk")
    )
    pks = {r.pk for r in registrations}
    won: dict[int, list[str]] = {}
    events = {r.event_id for r in registrations}
    for draw in LotteryDraw.objects.filter(event_id__in=events).order_by("pk"):
        for pk in draw.winners:
            if pk in pks:
                won.setdefault(pk, []).append(draw.prize)
    return [
        {
            "event": r.event.title,
            "starts_at": r.event.starts_at.isoformat(),
            "registered_at": r.created_at.isoformat(),
            "channel": r.channel,
            "status": r.status,
            "prizes_won": "; ".join(won.get(r.pk, [])),
        }
        for r in registrations
    ]


def marketing_erase(customer_id: int, actor: Any) -> int:
    return 0


def marketing_merge(source_id: int, target_id: int, actor: Any) -> int:
    moved = 0
    target_live = set(
        EventRegistration.objects.filter(
            customer_id=target_id, status=RegistrationStatus.REGISTERED
        ).values_list("event_id", flat=True)
    )
    for registration in EventRegistration.objects.select_for_update().filter(customer_id=source_id):
        data: dict[str, Any] = {"customer_id": target_id}
        changes: dict[str, Any] = {"customer": [source_id, target_id]}
        if (
            registration.status == RegistrationStatus.REGISTERED
            and registration.event_id in target_live
        ):
            data.update(status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now())
            changes["status"] = [registration.status, RegistrationStatus.CANCELLED]
        EventRegistration.objects.filter(pk=registration.pk).update(**data)
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=registration,
            changes=changes,
            message=_("Moved by a customer merge"),
        )
        moved += 1
    return moved


customer_data_register(
    CustomerDataHandler(
        key="marketing.events",
        label=gettext_lazy("Member events"),
        merge=marketing_merge,
        export=marketing_export,
        erase=marketing_erase,
        order=70,
    )
)
