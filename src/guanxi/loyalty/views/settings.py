"""The owner's "Loyalty settings" page: card numbering, points, stored value and referrals.

``GET`` shows the form with an example card number; an htmx ``GET`` with ``preview=card-number``
returns only the example for the numbering fields being typed; ``POST`` saves through
``loyalty_settings_update`` (audited).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.htmx import is_htmx_partial
from guanxi.core.permissions import require_capability
from guanxi.loyalty.forms_settings import CardNumberFormatForm, LoyaltySettingsForm
from guanxi.loyalty.models import LoyaltySettings
from guanxi.loyalty.selectors import SETTINGS_CAPABILITY, loyalty_settings_get
from guanxi.loyalty.services.settings import card_number_example, loyalty_settings_update
from guanxi.staff.selectors import store_list

EXAMPLE_STORE_CODE = "SH01"


class SettingsCapabilityMixin(LoginRequiredMixin):
    """Sign-in first, then the owner's ``loyalty.settings`` capability (403, audited)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_capability(request.user, SETTINGS_CAPABILITY)
        return super().dispatch(request, *args, **kwargs)


def apply_errors(form: Any, error: ValidationError) -> None:
    """Put a service's validation errors on the form's fields (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _example(request: HttpRequest, config: LoyaltySettings) -> str:
    """An example number in the first active store's format (``SH01`` when there is none)."""
    store = store_list(user=request.user, include_inactive=False).first()
    return card_number_example(
        prefix=config.card_prefix,
        include_store_code=config.card_include_store_code,
        digits=config.card_sequence_digits,
        store_code=store.code if store is not None else EXAMPLE_STORE_CODE,
    )


class LoyaltySettingsUpdateView(SettingsCapabilityMixin, View):
    template_name = "loyalty/settings/settings_form.html"
    example_template = "loyalty/settings/_card_number_example.html"

    def _render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        config = loyalty_settings_get()
        context = {"form": form, "example": _example(request, config)}
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        if is_htmx_partial(request) and request.GET.get("preview") == "card-number":
            return self._preview(request)
        return self._render(request, LoyaltySettingsForm(instance=loyalty_settings_get()))

    def _preview(self, request: HttpRequest) -> HttpResponse:
        form = CardNumberFormatForm(request.GET, instance=loyalty_settings_get())
        example = _example(request, form.instance) if form.is_valid() else ""
        return render(request, self.example_template, {"example": example, "form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LoyaltySettingsForm(request.POST, instance=loyalty_settings_get())
        if form.is_valid():
            try:
                loyalty_settings_update(data=form.cleaned_data, actor=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Loyalty settings saved."))
                return redirect("loyalty:settings")
        return self._render(request, form, status=400)
