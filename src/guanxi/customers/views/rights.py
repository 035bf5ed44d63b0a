"""The customer's rights: download everything held about them, and erase them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.errors import ApplicationError
from guanxi.customers.forms.rights import ErasureForm
from guanxi.customers.services.rights import (
    customer_data_export,
    customer_erase,
    erasure_confirmation_matches,
)
from guanxi.customers.views.consent import customer_or_404

CAPABILITY = "customers.rights"


class CustomerRightsView(LoginRequiredMixin, View):
    """What the customer may ask for: a copy of their data, or its erasure."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, CAPABILITY)
        return render(request, "customers/customer_rights.html", {"customer": customer})


class CustomerDataExportView(LoginRequiredMixin, View):
    """The ZIP of everything held about the customer (JSON and CSV)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, CAPABILITY)
        try:
            content, filename = customer_data_export(customer=customer, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("customers:customer-rights", pk=customer.pk)
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class CustomerEraseView(LoginRequiredMixin, View):
    """Erase the customer's personal data, after typing the last 4 digits of their phone."""

    template_name = "customers/customer_erase.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, CAPABILITY)
        return render(request, self.template_name, {"customer": customer, "form": ErasureForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, CAPABILITY)
        form = ErasureForm(request.POST)
        if form.is_valid() and not erasure_confirmation_matches(
            customer=customer, typed=form.cleaned_data["last_digits"]
        ):
            form.add_error("last_digits", _("These are not the last 4 digits of the phone."))
        if form.is_valid():
            try:
                customer_erase(
                    customer=customer,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    source=form.cleaned_data["source"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The customer's personal data have been erased."))
                return redirect("customers:customer-detail", pk=customer.pk)
        context = {"customer": customer, "form": form}
        return render(request, self.template_name, context, status=400)
