"""Store price lists: owners and store managers keep the prices of their stores."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.catalog.forms import PriceListForm, PriceListItemForm
from guanxi.catalog.models import PriceList
from guanxi.catalog.selectors import (
    price_list_get,
    price_list_item_get,
    price_list_items,
    price_list_list,
)
from guanxi.catalog.services import (
    price_list_create,
    price_list_item_add,
    price_list_item_delete,
    price_list_update,
)
from guanxi.catalog.views.common import MANAGE, VIEW, CapabilityRequiredMixin, apply_errors
from guanxi.core.htmx import is_htmx_partial, render_page_or_partial
from guanxi.core.permissions import has_capability, require_capability
from guanxi.staff.selectors import store_list


def price_list_or_404(request: HttpRequest, pk: int, capability: str = MANAGE) -> PriceList:
    """The price list if the user may see its store, else 404; only then the capability (403)."""
    price_list = price_list_get(user=request.user, pk=pk)
    if price_list is None:
        raise Http404
    require_capability(request.user, capability)
    return price_list


class PriceListListView(CapabilityRequiredMixin, View):
    capability = MANAGE

    def get(self, request: HttpRequest) -> HttpResponse:
        context = {"price_lists": price_list_list(user=request.user)}
        return render(request, "catalog/price_list_list.html", context)


class PriceListCreateView(CapabilityRequiredMixin, View):
    capability = MANAGE
    template_name = "catalog/price_list_form.html"

    def stores(self, request: HttpRequest) -> Any:
        return store_list(user=request.user, include_inactive=False)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PriceListForm(stores=self.stores(request))
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PriceListForm(request.POST, stores=self.stores(request))
        if form.is_valid():
            try:
                price_list = price_list_create(**form.cleaned_data, actor=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Price list %(name)s created.") % {"name": price_list})
                return redirect("catalog:price-list-detail", pk=price_list.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class PriceListUpdateView(CapabilityRequiredMixin, View):
    # The price list is looked up first (another store's is "not found"), then the capability.
    capability = VIEW
    template_name = "catalog/price_list_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        price_list = price_list_or_404(request, pk)
        form = PriceListForm(initial={"name": price_list.name, "is_active": price_list.is_active})
        return render(request, self.template_name, {"form": form, "price_list": price_list})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        price_list = price_list_or_404(request, pk)
        form = PriceListForm(request.POST)
        if form.is_valid():
            try:
                price_list_update(price_list=price_list, data=form.cleaned_data, actor=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Price list %(name)s saved.") % {"name": price_list})
                return redirect("catalog:price-list-detail", pk=price_list.pk)
        context = {"form": form, "price_list": price_list}
        return render(request, self.template_name, context, status=400)


class PriceListDetailView(CapabilityRequiredMixin, View):
    """A price list's items and a form to add one; htmx posts swap the items panel."""

    # The price list is looked up first (another store's is "not found"), then the capability.
    capability = VIEW

    def render_items(
        self, request: HttpRequest, price_list: PriceList, form: Any, status: int = 200
    ) -> HttpResponse:
        context = {
            "price_list": price_list,
            "items": price_list_items(price_list=price_list),
            "form": form,
            "can_view_history": has_capability(request.user, "audit.view_object"),
        }
        return render_page_or_partial(
            request,
            "catalog/price_list_detail.html",
            "catalog/partials/_price_list_items.html",
            context,
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_items(request, price_list_or_404(request, pk), PriceListItemForm())


class PriceListItemAddView(PriceListDetailView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        price_list = price_list_or_404(request, pk)
        form = PriceListItemForm(request.POST)
        if form.is_valid():
            try:
                price_list_item_add(price_list=price_list, **form.cleaned_data, actor=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return self.render_items(request, price_list, PriceListItemForm())
        # htmx swaps only successful responses: it gets the form with its errors as a 200.
        status = 200 if is_htmx_partial(request) else 400
        return self.render_items(request, price_list, form, status=status)


class PriceListItemDeleteView(PriceListDetailView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
        price_list = price_list_or_404(request, pk)
        item = price_list_item_get(price_list=price_list, pk=item_pk)
        if item is None:
            raise Http404
        price_list_item_delete(item=item, actor=request.user)
        return self.render_items(request, price_list, PriceListItemForm())
