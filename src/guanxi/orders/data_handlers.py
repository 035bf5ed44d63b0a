"""The orders domain's entry in the customer-data registry (``guanxi.core.registry``).

- **export**: every order of the customer, one row per line, with the order's totals and
  payments, and one row per return ("download my data");
- **erase**: orders are the shop's books and stay, with their amounts, items and the link to
  the customer record (which the erasure itself blanks, so the link names nobody); what staff
  may have typed about the person is blanked: the order's note, payment references and the
  reasons of returns. The membership's spend, and so the household's tier, is unchanged;
- **merge**: the orders of the customer folded away move to the customer kept. Their
  membership stays as it was (the loyalty handler, which runs first, moves the membership
  itself when it follows the customer).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.registry import CustomerDataHandler, customer_data_register
from guanxi.orders.models import Order, OrderReturn, Payment


def orders_export(customer_id: int) -> list[dict[str, Any]]:
    orders = (
        Order.objects.filter(customer_id=customer_id)
        .select_related("store")
        .prefetch_related("lines", "payments", "returns")
        .order_by("ordered_at", "pk")
    )
    rows: list[dict[str, Any]] = []
    for order in orders:
        payments = "; ".join(f"{p.method} {p.amount}" for p in order.payments.all())
        for line in order.lines.all():
            rows.append(
                {
                    "order": order.number,
                    "time": order.ordered_at.isoformat(),
                    "store": order.store.name,
                    "status": order.status,
                    "item": line.description,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "quantity_returned": line.quantity_returned,
                    "unit_price": str(line.unit_price),
                    "discount": str(line.discount),
                    "amount": str(line.amount),
                    "points_earned": line.points_earned,
                    "order_total": str(order.total),
                    "payments": payments,
                }
            )
        for order_return in order.returns.all():
            rows.append(
                {
                    "order": order.number,
                    "time": order_return.created_at.isoformat(),
                    "store": order.store.name,
                    "status": "return",
                    "amount": str(-order_return.amount),
                    "points_taken_back": order_return.points_clawed_back,
                    "reason": order_return.reason,
                }
            )
    return rows


def orders_erase(customer_id: int, actor: Any) -> int:
    orders = Order.objects.filter(customer_id=customer_id)
    changed = orders.exclude(note="").update(note="")
    changed += Payment.objects.filter(order__in=orders).exclude(reference="").update(reference="")
    changed += OrderReturn.objects.filter(order__in=orders).exclude(reason="").update(reason="")
    return changed


def orders_merge(source_id: int, target_id: int, actor: Any) -> int:
    moved = list(Order.objects.filter(customer_id=source_id).order_by("pk"))
    if not moved:
        return 0
    Order.objects.filter(pk__in=[order.pk for order in moved]).update(customer_id=target_id)
    for order in moved:
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=order,
            changes={"customer": [source_id, target_id]},
            message=_("Order moved by a customer merge"),
        )
    return len(moved)


customer_data_register(
    CustomerDataHandler(
        key="orders",
        label=gettext_lazy("Orders"),
        merge=orders_merge,
        export=orders_export,
        erase=orders_erase,
        order=60,
    )
)
