"""Forms of the staff member's own account: sign-in, password, two-factor codes, API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin
from guanxi.staff.services import account as services
from guanxi.staff.services.account import PasswordSetReason


class LoginForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    pass


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        return services.staff_password_set(
            user=self.user,
            password=self.cleaned_data["new_password1"],
            reason=PasswordSetReason.CHANGE,
        )


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Write the email in the language the staff member chose, not the requester's."""
        language = getattr(context["user"], "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    def save(self, commit: bool = True) -> Any:
        return services.staff_password_set(
            user=self.user,
            password=self.cleaned_data["new_password1"],
            reason=PasswordSetReason.RESET,
        )


class TwoFactorCodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "none"}
        ),
    )


class TwoFactorSetupForm(TwoFactorCodeForm):
    code = forms.CharField(
        label=_("Six-digit code from the app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ApiTokenCreateForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. POS in store SH01."),
    )


class LanguageForm(BootstrapFormMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
