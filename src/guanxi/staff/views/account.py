"""Sign-in, sign-out, language, password and the staff member's own profile."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from guanxi.staff import selectors
from guanxi.staff.forms.account import (
    ApiTokenCreateForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from guanxi.staff.middleware import two_factor_pending, with_next
from guanxi.staff.services import account as services


class LoginView(auth_views.LoginView):
    """The password step. Django's view passes the request to ``authenticate``, which lets
    django-axes count failures per username and IP address and refuse a locked-out pair."""

    template_name = "staff/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if two_factor_pending(self.request):
            return with_next(reverse("staff:two-factor-verify"), url)
        return url


class LogoutView(auth_views.LogoutView):
    pass


class SetLanguageView(View):
    """Switch the interface language; a signed-in staff member keeps it in their profile."""

    def post(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        language = request.POST.get("language", "")
        next_url = request.POST.get("next") or "/"
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = "/"
        response = HttpResponseRedirect(next_url)
        if language not in dict(settings.LANGUAGES):
            messages.error(request, _("Unknown language."))
            return response
        if request.user.is_authenticated:
            services.staff_language_set(user=request.user, language=language)
        else:
            # Chosen on the sign-in page: becomes the profile's language once signed in.
            request.session[services.LANGUAGE_CHOICE_SESSION_KEY] = language
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response


class ProfileView(LoginRequiredMixin, TemplateView):
    """Details, language, password, two-factor sign-in and API tokens of the signed-in user."""

    template_name = "staff/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        device = selectors.two_factor_device(user=user)
        return super().get_context_data(
            two_factor_device=device,
            two_factor_required=selectors.two_factor_required(user=user),
            backup_codes_remaining=(
                selectors.two_factor_backup_codes_remaining(user=user) if device else 0
            ),
            language_form=LanguageForm(initial={"language": user.language}),
            tokens=selectors.api_token_list(user=user),
            token_form=ApiTokenCreateForm(),
            **kwargs,
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("staff:profile")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_request.html"
    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_message.txt"
    subject_template_name = "registration/password_reset_message_subject.txt"
    success_url = reverse_lazy("staff:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_new_password.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("staff:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_success.html"
