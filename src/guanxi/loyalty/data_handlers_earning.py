"""Coupons in the customer-data registry (``guanxi.core.registry``).

- export: the customer's personal coupons and every coupon they used (code, time, order
  reference, discount);
- erase: coupons and their uses hold no personal data (a customer id, amounts, an order
  reference), nothing to blank;
- merge: personal coupons and coupon uses of the customer folded away move to the one kept.
  Gift redemptions belong to the member card, which the loyalty handler moves.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.registry import CustomerDataHandler, customer_data_register
from guanxi.loyalty.models import Coupon, CouponUse


def coupon_export(customer_id: int) -> list[dict[str, Any]]:
    personal = Coupon.objects.filter(customer_id=customer_id).order_by("created_at", "pk")
    uses = (
        CouponUse.objects.filter(customer_id=customer_id)
        .select_related("coupon")
        .order_by("created_at", "pk")
    )
    return [
        *(
            {
                "coupon": coupon.code,
                "name": coupon.name,
                "valid_from": coupon.valid_from.isoformat(),
                "valid_until": coupon.valid_until.isoformat(),
            }
            for coupon in personal
        ),
        *(
            {
                "coupon": use.coupon.code,
                "time": use.created_at.isoformat(),
                "order": use.reference,
                "discount": str(use.discount),
            }
            for use in uses
        ),
    ]


def coupon_erase(customer_id: int, actor: Any) -> int:
    return 0


def coupon_merge(source_id: int, target_id: int, actor: Any) -> int:
    moved = 0
    for model in (Coupon, CouponUse):
        rows = list(model.objects.select_for_update().filter(customer_id=source_id).order_by("pk"))
        for row in rows:
            audit_record(
                action=AuditAction.UPDATE,
                actor=actor,
                obj=row,
                changes={"customer": [source_id, target_id]},
                message=_("Moved by a customer merge"),
            )
        moved += model.objects.filter(pk__in=[row.pk for row in rows]).update(customer_id=target_id)
    return moved


customer_data_register(
    CustomerDataHandler(
        key="loyalty-coupons",
        label=gettext_lazy("Coupons"),
        merge=coupon_merge,
        export=coupon_export,
        erase=coupon_erase,
        order=55,
    )
)
