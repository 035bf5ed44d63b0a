"""Owner pages of the coupons: list, create, edit, deactivate and the uses of one coupon
(``loyalty.coupons``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.errors import ApplicationError
from guanxi.customers.selectors.customer import customer_get
from guanxi.loyalty.forms_earning import COUPON_FIELDS, CouponForm
from guanxi.loyalty.selectors_earning import (
    COUPONS_CAPABILITY,
    coupon_get,
    coupon_list,
    coupon_use_list,
)
from guanxi.loyalty.services.coupons import coupon_create, coupon_deactivate, coupon_update
from guanxi.loyalty.views.earning import CapabilityMixin, apply_errors
from guanxi.staff.selectors import store_list

PAGE_SIZE = 50
STATUSES = ("active", "inactive", "expired")


class CouponCapabilityMixin(CapabilityMixin):
    capability = COUPONS_CAPABILITY

    def coupon(self, pk: int) -> Any:
        coupon = coupon_get(pk=pk)
        if coupon is None:
            raise Http404
        return coupon


class CouponListView(CouponCapabilityMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        search = request.GET.get("q", "").strip()
        status = request.GET.get("status", "")
        status = status if status in STATUSES else ""
        page = Paginator(coupon_list(search=search, status=status), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context = {"page": page, "q": search, "status": status}
        return render(request, "loyalty/coupons/list.html", context)


class CouponDetailView(CouponCapabilityMixin, View):
    """A coupon and its uses."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        coupon = self.coupon(pk)
        page = Paginator(coupon_use_list(coupon=coupon), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(request, "loyalty/coupons/detail.html", {"coupon": coupon, "page": page})


class CouponFormView(CouponCapabilityMixin, View):
    """Create (no ``pk``) or update a coupon."""

    def _coupon(self, pk: int | None) -> Any:
        return None if pk is None else self.coupon(pk)

    def _form(self, request: HttpRequest, *args: Any, **kwargs: Any) -> CouponForm:
        return CouponForm(
            *args,
            stores=store_list(user=request.user),
            customer_lookup=lambda pk: customer_get(user=request.user, pk=pk),
            **kwargs,
        )

    def _render(self, request: HttpRequest, form: Any, coupon: Any, status: int = 200) -> Any:
        context = {"form": form, "coupon": coupon}
        return render(request, "loyalty/coupons/form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        coupon = self._coupon(pk)
        return self._render(request, self._form(request, instance=coupon), coupon)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        coupon = self._coupon(pk)
        # The form validates a copy, so the service still sees the coupon as stored.
        form = self._form(request, request.POST, instance=self._coupon(pk))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in COUPON_FIELDS}
            try:
                if coupon is None:
                    coupon = coupon_create(actor=request.user, **data)
                else:
                    coupon = coupon_update(coupon=coupon, data=data, actor=request.user)
            except (ValidationError, ApplicationError) as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Coupon %(code)s saved.") % {"code": coupon.code})
                return redirect("loyalty:coupon-detail", pk=coupon.pk)
        return self._render(request, form, coupon, status=400)


class CouponDeactivateView(CouponCapabilityMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        coupon = self.coupon(pk)
        context = {
            "title": _("Deactivate coupon"),
            "question": _(
                "Deactivate coupon %(code)s? It can no longer be used; its uses are kept."
            )
            % {"code": coupon.code},
            "back_url_name": "loyalty:coupon-list",
        }
        return render(request, "loyalty/earning/confirm.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        coupon = coupon_deactivate(coupon=self.coupon(pk), actor=request.user)
        messages.success(request, _("Coupon %(code)s deactivated.") % {"code": coupon.code})
        return redirect("loyalty:coupon-detail", pk=coupon.pk)
