"""The orders of the user's stores: the list, one order, its receipt.

An order of another store is "not found" (404) before any capability is checked; reading needs
``orders.view``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from guanxi.core.htmx import render_page_or_partial
from guanxi.core.permissions import has_capability, require_capability
from guanxi.customers.selectors.customer import CustomerFilters, customer_get, customer_list
from guanxi.orders import selectors
from guanxi.orders.choices import OrderStatus
from guanxi.orders.forms import OrderFilterForm
from guanxi.staff.selectors import store_list

PAGE_SIZE = 25
CUSTOMER_MATCHES = 100  # customers a name typed in the filter may stand for


def order_or_404(request: HttpRequest, pk: int, capability: str) -> Any:
    """The order with its lines, payments and returns if the user's stores include its store
    (else 404), then the capability (else 403)."""
    order = selectors.order_get(user=request.user, pk=pk)
    if order is None:
        raise Http404
    require_capability(request.user, capability)
    return order


def _filtered(request: HttpRequest, form: OrderFilterForm) -> tuple[Any, Any]:
    """The orders the filters keep, and the customer named by ``customer_id`` (if any)."""
    data = form.cleaned_data if form.is_valid() else {}
    store = data.get("store")
    orders = selectors.order_list(
        user=request.user,
        filters=selectors.OrderFilters(
            store_id=store.pk if store else None,
            customer_id=data.get("customer_id"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
        ),
    )
    term = (data.get("customer") or "").strip()
    if term:
        matches = customer_list(user=request.user, filters=CustomerFilters(search=term))
        orders = orders.filter(
            customer_id__in=list(matches.values_list("pk", flat=True)[:CUSTOMER_MATCHES])
        )
    customer = None
    if data.get("customer_id"):
        customer = customer_get(user=request.user, pk=data["customer_id"])
    return orders, customer


class OrderListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_capability(request.user, "orders.view")
        form = OrderFilterForm(request.GET or None, stores=store_list(user=request.user))
        orders, customer = _filtered(request, form)
        page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "page": page,
            "orders": page.object_list,
            "customer": customer,
            "query": query.urlencode(),
            "can_checkout": has_capability(request.user, "orders.checkout"),
        }
        return render_page_or_partial(
            request, "orders/order_list.html", "orders/partials/_order_rows.html", context
        )


class OrderDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = order_or_404(request, pk, "orders.view")
        lines = list(order.lines.all())
        by_pk = {line.pk: line for line in lines}
        context = {
            "order": order,
            "lines": lines,
            "payments": list(order.payments.all()),
            "returns": [
                {
                    "return": returned,
                    "lines": [(by_pk.get(item.line_id), item) for item in returned.lines.all()],
                    "refunds": list(returned.refunds.all()),
                }
                for returned in order.returns.all()
            ],
            "can_return": has_capability(request.user, "orders.return")
            and order.status != OrderStatus.RETURNED,
        }
        return render(request, "orders/order_detail.html", context)


class OrderReceiptView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = order_or_404(request, pk, "orders.view")
        receipt = selectors.order_receipt(order=order)
        context = {
            "order": order,
            "receipt": receipt,
            "can_checkout": has_capability(request.user, "orders.checkout"),
        }
        return render(request, "orders/receipt.html", context)


__all__ = ["OrderDetailView", "OrderListView", "OrderReceiptView", "order_or_404"]
