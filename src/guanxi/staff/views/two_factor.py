"""Two-factor sign-in with an authenticator app (TOTP) and single-use backup codes.

Everything lives under ``/two-factor/``, which ``TwoFactorRequiredMiddleware`` lets through so
that a staff member who still owes the second step can reach these pages.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanxi.staff import selectors
from guanxi.staff.forms.account import TwoFactorCodeForm, TwoFactorSetupForm
from guanxi.staff.middleware import clear_two_factor_pending, is_verified, with_next
from guanxi.staff.services import account as services

NEW_BACKUP_CODES_SESSION_KEY = "guanxi_new_backup_codes"


def next_url(request: HttpRequest) -> str:
    """Where to go after the second step: ``next`` if it points at this site, else home."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def qr_code_svg(data: str) -> SafeString:
    """An inline SVG QR code, drawn on the server: the secret never leaves for a QR service."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    # The SVG holds nothing but path geometry computed from ``data``: no markup from input.
    return mark_safe(image.to_string(encoding="unicode"))


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class TwoFactorSetupView(LoginRequiredMixin, View):
    """Scan a QR code (or type the secret), then confirm with a code from the app."""

    template_name = "staff/two_factor_setup.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and selectors.two_factor_device(user=request.user):
            if not is_verified(request.user):
                return redirect(with_next(reverse("staff:two-factor-verify"), request.path))
            messages.info(request, _("Two-factor sign-in is already on."))
            return redirect("staff:profile")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        device = services.two_factor_setup_start(user=request.user)
        return self.render(request, device, TwoFactorSetupForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        device = services.two_factor_setup_start(user=request.user)
        form = TwoFactorSetupForm(request.POST)
        if form.is_valid():
            try:
                codes = services.two_factor_enable(
                    user=request.user, device=device, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                django_otp.login(request, device)
                clear_two_factor_pending(request)
                request.session[NEW_BACKUP_CODES_SESSION_KEY] = codes
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("staff:two-factor-backup-codes")
        return self.render(request, device, form)

    def render(self, request: HttpRequest, device: TOTPDevice, form: Any) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "qr_code": qr_code_svg(device.config_url),
                "secret": secret_for_display(device),
                "required": selectors.two_factor_required(user=request.user),
            },
        )


class TwoFactorVerifyView(LoginRequiredMixin, View):
    """The second sign-in step, after the password."""

    template_name = "staff/two_factor_verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and (
            is_verified(request.user) or selectors.two_factor_device(user=request.user) is None
        ):
            clear_two_factor_pending(request)
            return redirect(next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, TwoFactorCodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TwoFactorCodeForm(request.POST)
        if form.is_valid():
            try:
                device = services.two_factor_sign_in(
                    user=request.user, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                django_otp.login(request, device)
                clear_two_factor_pending(request)
                return redirect(next_url(request))
        return self.render(request, form)

    def render(self, request: HttpRequest, form: TwoFactorCodeForm) -> HttpResponse:
        return render(request, self.template_name, {"form": form, "next": next_url(request)})


class TwoFactorManageMixin(LoginRequiredMixin):
    """Changing two-factor settings needs a device and a session that passed the second step,
    so that a stolen password alone cannot turn it off or read new backup codes."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            if selectors.two_factor_device(user=request.user) is None:
                messages.info(request, _("Two-factor sign-in is off."))
                return redirect("staff:profile")
            if not is_verified(request.user):
                return redirect(with_next(reverse("staff:two-factor-verify"), request.path))
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class TwoFactorDisableView(TwoFactorManageMixin, View):
    template_name = "staff/two_factor_disable.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, TwoFactorCodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TwoFactorCodeForm(request.POST)
        if form.is_valid():
            try:
                services.two_factor_disable(user=request.user, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                clear_two_factor_pending(request)
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("staff:profile")
        return self.render(request, form)

    def render(self, request: HttpRequest, form: TwoFactorCodeForm) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {"form": form, "required": selectors.two_factor_required(user=request.user)},
        )


class TwoFactorBackupCodesView(TwoFactorManageMixin, View):
    """New backup codes are shown once, on the page right after they were made."""

    template_name = "staff/two_factor_backup_codes.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        codes = request.session.pop(NEW_BACKUP_CODES_SESSION_KEY, None)
        return render(
            request,
            self.template_name,
            {
                "codes": codes,
                "remaining": selectors.two_factor_backup_codes_remaining(user=request.user),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        codes = services.two_factor_backup_codes_regenerate(user=request.user)
        request.session[NEW_BACKUP_CODES_SESSION_KEY] = codes
        return redirect("staff:two-factor-backup-codes")
