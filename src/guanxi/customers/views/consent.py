"""The consent panel of the customer page, the public opt-out link, and the skin and health
data panel.

The panels are htmx partials: the customer page includes a light version that loads the full
one, and each form swaps the panel in place. Without htmx every form posts to a full page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from guanxi.core.errors import ApplicationError
from guanxi.core.htmx import is_htmx_partial, render_page_or_partial
from guanxi.core.permissions import has_capability, require_capability
from guanxi.customers.choices import ConsentPurpose
from guanxi.customers.forms.consent import ConsentForm, OptOutForm, SensitiveProfileForm
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_get
from guanxi.customers.selectors.consent import consent_event_list, consent_states
from guanxi.customers.selectors.sensitive import (
    SensitiveAccess,
    sensitive_access,
    sensitive_profile_exists,
    sensitive_profile_get,
)
from guanxi.customers.services.consent import (
    consent_opt_out,
    consent_opt_out_by_link,
    consent_record,
    opt_out_token_read,
)
from guanxi.customers.services.sensitive import sensitive_profile_delete, sensitive_profile_update

HISTORY_LIMIT = 50


def customer_or_404(request: HttpRequest, pk: int, capability: str) -> Customer:
    """The customer if the user may see them (else 404), then the capability (else 403)."""
    customer = customer_get(user=request.user, pk=pk)
    if customer is None:
        raise Http404
    require_capability(request.user, capability)
    return customer


def _flash(request: HttpRequest, text: str) -> None:
    """A message for the next full page; an htmx swap shows its result in place instead."""
    if not is_htmx_partial(request):
        messages.success(request, text)


def _error_text(error: ValidationError | ApplicationError) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


# --- Consent ---------------------------------------------------------------------------------


def consent_panel_context(request: HttpRequest, customer: Customer, **extra: Any) -> dict[str, Any]:
    user = request.user
    can_view_sensitive = has_capability(user, "customers.view_sensitive")
    return {
        "customer": customer,
        "consent_states": consent_states(customer=customer),
        "consent_history": consent_event_list(customer=customer)[:HISTORY_LIMIT],
        "consent_form": ConsentForm(),
        "opt_out_form": OptOutForm(),
        "can_change_consent": has_capability(user, "customers.change")
        and customer.erased_at is None,
        "sensitive_stored_hidden": can_view_sensitive
        and not customer.consent_sensitive
        and sensitive_profile_exists(customer=customer),
        "can_use_rights": has_capability(user, "customers.rights"),
        "consent_error": "",
        **extra,
    }


def _consent_response(
    request: HttpRequest, customer: Customer, *, status: int = 200, error: str = ""
) -> HttpResponse:
    if not is_htmx_partial(request) and not error:
        return redirect("customers:customer-consent", pk=customer.pk)
    context = consent_panel_context(request, customer, consent_error=error)
    return render_page_or_partial(
        request,
        "customers/customer_consent.html",
        "customers/partials/_consent_panel.html",
        context,
        status=status,
    )


class CustomerConsentView(LoginRequiredMixin, View):
    """``GET``: the consent panel (the full page shows it with the whole history);
    ``POST``: grant or withdraw one purpose."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.view")
        return render_page_or_partial(
            request,
            "customers/customer_consent.html",
            "customers/partials/_consent_panel.html",
            consent_panel_context(request, customer),
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.change")
        form = ConsentForm(request.POST)
        if not form.is_valid():
            return _consent_response(
                request, customer, status=400, error=_("Choose a purpose, an action and a source.")
            )
        data = form.cleaned_data
        try:
            consent_record(
                customer=customer,
                purpose=data["purpose"],
                granted=form.granted,
                source=data["source"],
                note=data["note"],
                actor=request.user,
            )
        except (ValidationError, ApplicationError) as error:
            return _consent_response(request, customer, status=400, error=_error_text(error))
        label = ConsentPurpose(data["purpose"]).label
        if form.granted:
            _flash(request, _("Consent recorded: %(purpose)s.") % {"purpose": label})
        else:
            _flash(request, _("Consent withdrawn: %(purpose)s.") % {"purpose": label})
        return _consent_response(request, customer)


class CustomerOptOutView(LoginRequiredMixin, View):
    """The one-click opt-out of the consent panel: one channel or every channel."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.change")
        form = OptOutForm(request.POST or {"channel": "all", "source": "store"})
        if not form.is_valid():
            return _consent_response(
                request, customer, status=400, error=_("Choose a channel and a source.")
            )
        try:
            consent_opt_out(
                customer=customer,
                channel=form.cleaned_data["channel"],
                source=form.cleaned_data["source"],
                actor=request.user,
            )
        except (ValidationError, ApplicationError) as error:
            return _consent_response(request, customer, status=400, error=_error_text(error))
        _flash(request, _("The customer will not receive marketing on that channel."))
        return _consent_response(request, customer)


@method_decorator(csrf_exempt, name="dispatch")
class OptOutLinkView(View):
    """The public page of an opt-out link in a message: no sign-in. ``GET`` asks to confirm
    (mail scanners follow links, and must not opt people out); ``POST`` withdraws.

    The signed token is the authority, so the POST needs no CSRF token: mail clients send
    one-click unsubscribe requests (RFC 8058) without one.
    """

    template_name = "customers/opt_out.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            _customer_id, channel = opt_out_token_read(token)
        except ApplicationError as error:
            return render(request, self.template_name, {"error": error.message}, status=400)
        return render(request, self.template_name, {"token": token, "channel": channel})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            _customer, channel = consent_opt_out_by_link(token=token)
        except ApplicationError as error:
            return render(request, self.template_name, {"error": error.message}, status=400)
        return render(request, self.template_name, {"done": True, "channel": channel})


# --- Skin and health data --------------------------------------------------------------------


def sensitive_panel_context(
    request: HttpRequest, customer: Customer, *, reveal: bool = False, **extra: Any
) -> dict[str, Any]:
    """What the "Skin and health" panel shows. The data are read (and the read logged) only
    when ``reveal`` is asked for: the customer page shows a button, not the data."""
    access = sensitive_access(customer=customer, user=request.user)
    profile = None
    if reveal and access == SensitiveAccess.ALLOWED:
        profile = sensitive_profile_get(customer=customer, user=request.user)
    return {
        "customer": customer,
        "sensitive_access": str(access),
        "sensitive_revealed": reveal and access == SensitiveAccess.ALLOWED,
        "sensitive_profile": profile,
        "sensitive_form": extra.pop("form", None)
        or SensitiveProfileForm(initial=SensitiveProfileForm.initial_from(profile)),
        "sensitive_stored": access == SensitiveAccess.NO_CONSENT
        and sensitive_profile_exists(customer=customer),
        "sensitive_error": "",
        **extra,
    }


def sensitive_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The profile-panel context for the customer page (``profile_panel_register``): nothing
    is read yet, so nothing is logged."""
    return sensitive_panel_context(request, customer)


class CustomerSensitiveView(LoginRequiredMixin, View):
    """``GET``: show the skin and health data (a logged read); ``POST``: save them."""

    template_name = "customers/customer_sensitive.html"
    partial_name = "customers/partials/_sensitive_panel.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.view_sensitive")
        context = sensitive_panel_context(request, customer, reveal=True)
        return render_page_or_partial(request, self.template_name, self.partial_name, context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.view_sensitive")
        form = SensitiveProfileForm(request.POST)
        if form.is_valid():
            try:
                sensitive_profile_update(
                    customer=customer, data=form.cleaned_data, actor=request.user
                )
            except (ValidationError, ApplicationError) as error:
                context = sensitive_panel_context(
                    request, customer, form=form, sensitive_error=_error_text(error)
                )
                return render_page_or_partial(
                    request, self.template_name, self.partial_name, context, status=400
                )
            _flash(request, _("Skin and health data saved."))
            if not is_htmx_partial(request):
                return redirect("customers:customer-sensitive", pk=customer.pk)
            context = sensitive_panel_context(request, customer, reveal=True)
            return render(request, self.partial_name, context)
        context = sensitive_panel_context(request, customer, reveal=True, form=form)
        return render_page_or_partial(
            request, self.template_name, self.partial_name, context, status=400
        )


class CustomerSensitiveDeleteView(LoginRequiredMixin, View):
    """Delete the stored skin and health data (offered once the consent was withdrawn)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.view_sensitive")
        if sensitive_profile_delete(customer=customer, actor=request.user):
            _flash(request, _("Skin and health data deleted."))
        if is_htmx_partial(request):
            return render(
                request,
                "customers/partials/_consent_panel.html",
                consent_panel_context(request, customer),
            )
        return redirect("customers:customer-detail", pk=customer.pk)
