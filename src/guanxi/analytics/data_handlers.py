"""The analytics domain's entry in the customer-data registry (``guanxi.core.registry``).

- **export**: the customer's figures of the last refresh (segment, R×F cell, value, lifetime
  value...) and the saved audiences they are in;
- **erase**: the figures are a profile of the person, so they go, and the customer leaves every
  saved audience (the refresh leaves erased customers out from then on);
- **merge**: the audiences of the customer folded away pass to the customer kept; the figures
  of the one folded away go (the kept customer's are recomputed from all the orders, now theirs,
  on the next refresh; the customer page's purchase totals are live meanwhile).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from guanxi.analytics.models import AudienceMember, CustomerMetrics
from guanxi.analytics.serialize_metrics import metrics_row
from guanxi.core.registry import CustomerDataHandler, customer_data_register


def analytics_export(customer_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    metrics = CustomerMetrics.objects.filter(customer_id=customer_id).first()
    if metrics is not None:
        rows.append({"record": "metrics", **metrics_row(metrics)})
    for member in (
        AudienceMember.objects.filter(customer_id=customer_id)
        .select_related("audience")
        .order_by("audience__created_at", "pk")
    ):
        rows.append(
            {
                "record": "audience",
                "audience": member.audience.name,
                "saved_at": member.audience.created_at.isoformat(),
            }
        )
    return rows


def analytics_erase(customer_id: int, actor: Any) -> int:
    deleted, _ = CustomerMetrics.objects.filter(customer_id=customer_id).delete()
    removed, _ = AudienceMember.objects.filter(customer_id=customer_id).delete()
    return deleted + removed


def analytics_merge(source_id: int, target_id: int, actor: Any) -> int:
    target_audiences = set(
        AudienceMember.objects.filter(customer_id=target_id).values_list("audience_id", flat=True)
    )
    source = AudienceMember.objects.filter(customer_id=source_id)
    source.filter(audience_id__in=target_audiences).delete()
    moved = source.exclude(audience_id__in=target_audiences).update(customer_id=target_id)
    CustomerMetrics.objects.filter(customer_id=source_id).delete()
    return moved


customer_data_register(
    CustomerDataHandler(
        key="analytics",
        label=gettext_lazy("Customer analytics"),
        merge=analytics_merge,
        export=analytics_export,
        erase=analytics_erase,
        order=90,
    )
)
