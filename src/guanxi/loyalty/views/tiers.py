"""Owner pages of the member tier ladder: the levels, one level's form, and the ladder policy."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.permissions import require_capability
from guanxi.loyalty.forms import TIER_LEVEL_FIELDS, TierLevelForm, TierPolicyForm
from guanxi.loyalty.selectors import loyalty_settings_get, tier_level_get, tier_level_list
from guanxi.loyalty.services.tiers import (
    CAPABILITY,
    tier_level_create,
    tier_level_update,
    tier_policy_update,
)


class TierCapabilityMixin(LoginRequiredMixin):
    """Sign-in first, then the owner's ``loyalty.tiers`` capability (403, audited)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_capability(request.user, CAPABILITY)
        return super().dispatch(request, *args, **kwargs)


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class TierLevelListView(TierCapabilityMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        context = {"levels": list(tier_level_list()), "policy": loyalty_settings_get()}
        return render(request, "loyalty/tier_list.html", context)


class TierLevelFormView(TierCapabilityMixin, View):
    """Create (no ``pk``) or update a level."""

    def _level(self, pk: int | None) -> Any:
        if pk is None:
            return None
        level = tier_level_get(pk=pk)
        if level is None:
            raise Http404
        return level

    def _render(self, request: HttpRequest, form: Any, level: Any, status: int = 200) -> Any:
        return render(
            request, "loyalty/tier_form.html", {"form": form, "level": level}, status=status
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        level = self._level(pk)
        return self._render(request, TierLevelForm(instance=level), level)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        level = self._level(pk)
        # The form validates a copy, so the service still sees the level as stored.
        form = TierLevelForm(request.POST, instance=self._level(pk))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in TIER_LEVEL_FIELDS}
            try:
                if level is None:
                    level = tier_level_create(**data, actor=request.user)
                else:
                    level = tier_level_update(level=level, data=data, actor=request.user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": level.name})
                return redirect("loyalty:tier-list")
        return self._render(request, form, level, status=400)


class TierPolicyUpdateView(TierCapabilityMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = TierPolicyForm(instance=loyalty_settings_get())
        return render(request, "loyalty/tier_policy.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TierPolicyForm(request.POST, instance=loyalty_settings_get())
        if form.is_valid():
            try:
                tier_policy_update(data=form.cleaned_data, actor=request.user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Tier policy saved."))
                return redirect("loyalty:tier-list")
        return render(request, "loyalty/tier_policy.html", {"form": form}, status=400)
