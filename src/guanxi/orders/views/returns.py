"""Take goods back: choose the quantities (or everything), see what goes back to which payment
and how many points are taken back, then confirm. ``orders.return`` (owners, store managers).

The preview is the return itself, run inside a transaction that is rolled back: the figures
shown are exactly those ``order_return`` computes (refunds spread over the payments, stored value
split into paid and bonus, points earned taken back and what is kept back for points already
spent), and nothing is written. Confirming runs it once per page (``submit_once``); a quantity
already returned is refused by the service with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.errors import ApplicationError
from guanxi.core.idempotency import form_fingerprint, new_form_key, submit_once
from guanxi.core.money import format_money
from guanxi.orders import selectors, services
from guanxi.orders.forms import ReturnForm
from guanxi.orders.views.orders import order_or_404


@dataclass(frozen=True)
class PreviewLine:
    description: str
    quantity: int
    amount: Decimal
    sessions: int
    points: int


@dataclass(frozen=True)
class PreviewRefund:
    method: str
    method_label: str
    amount: Decimal
    points: int
    deducted: Decimal

    @property
    def paid_back(self) -> Decimal:
        return self.amount - self.deducted


@dataclass(frozen=True)
class ReturnPreview:
    lines: list[PreviewLine]
    refunds: list[PreviewRefund]
    amount: Decimal
    points_clawed_back: int
    points_shortfall: int
    deducted: Decimal

    @property
    def paid_back(self) -> Decimal:
        return self.amount - self.deducted


def return_preview(
    *, order: Any, lines: list[tuple[Any, int]], actor: Any, reason: str
) -> ReturnPreview:
    """What ``order_return`` would do, read from its rows before they are rolled back."""
    descriptions = {line.pk: line.description for line in order.lines.all()}
    with transaction.atomic():
        returned = services.order_return(order=order, lines=lines, actor=actor, reason=reason)
        preview = ReturnPreview(
            lines=[
                PreviewLine(
                    description=descriptions.get(item.line_id, ""),
                    quantity=item.quantity,
                    amount=item.amount,
                    sessions=item.sessions,
                    points=item.points,
                )
                for item in returned.lines.order_by("pk")
            ],
            refunds=[
                PreviewRefund(
                    method=refund.method,
                    method_label=refund.get_method_display(),
                    amount=refund.amount,
                    points=refund.points,
                    deducted=refund.deducted,
                )
                for refund in returned.refunds.order_by("pk")
            ],
            amount=returned.amount,
            points_clawed_back=returned.points_clawed_back,
            points_shortfall=returned.points_shortfall,
            deducted=returned.deducted,
        )
        transaction.set_rollback(True)
    return preview


class OrderReturnView(LoginRequiredMixin, View):
    template = "orders/order_return.html"

    def _render(
        self,
        request: HttpRequest,
        order: Any,
        form: ReturnForm,
        *,
        preview: ReturnPreview | None = None,
        error: str = "",
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "order": order,
            "form": form,
            "rows": [
                {"line": line, "left": left, "field": form[name]}
                for line, left, name in form.line_fields
            ],
            "preview": preview,
            "error": error,
        }
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = order_or_404(request, pk, "orders.return")
        form = ReturnForm(
            initial={"key": new_form_key()},
            returnable=selectors.order_lines_returnable(order=order),
        )
        return self._render(request, order, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = order_or_404(request, pk, "orders.return")
        form = ReturnForm(request.POST, returnable=selectors.order_lines_returnable(order=order))
        if not form.is_valid():
            return self._render(request, order, form, status=400)
        wanted, reason = form.wanted(), form.cleaned_data["reason"]
        if request.POST.get("action") != "confirm":
            try:
                preview = return_preview(
                    order=order, lines=wanted, actor=request.user, reason=reason
                )
            except ApplicationError as error:
                return self._render(request, order, form, error=error.message, status=400)
            return self._render(request, order, form, preview=preview)
        fingerprint = form_fingerprint(
            {"lines": [(line.pk, quantity) for line, quantity in wanted], "reason": reason}
        )
        try:
            return_pk, replayed = submit_once(
                user=request.user,
                key=form.cleaned_data["key"],
                path=request.path,
                fingerprint=fingerprint,
                run=lambda: services.order_return(
                    order=order, lines=wanted, actor=request.user, reason=reason
                ),
            )
        except ApplicationError as error:
            return self._render(request, order, form, error=error.message, status=400)
        if replayed:
            messages.info(request, _("This return was already recorded; nothing was done twice."))
        else:
            returned = selectors.order_return_list(user=request.user).get(pk=return_pk)
            messages.success(
                request,
                _("Return recorded: %(amount)s paid back.")
                % {"amount": format_money(returned.amount - returned.deducted)},
            )
        return redirect("orders:order-detail", pk=order.pk)


__all__ = ["OrderReturnView", "ReturnPreview", "return_preview"]
