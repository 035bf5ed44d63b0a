"""What the catalogue pages share: capability checks and turning service errors into form
errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from guanxi.core.errors import ApplicationError
from guanxi.core.permissions import require_capability

VIEW = "catalog.view"
MANAGE = "catalog.manage"
LIST_LIMIT = 100


class CapabilityRequiredMixin(LoginRequiredMixin):
    """Sign-in first, then the capability; a missing capability is a 403 (audited)."""

    capability = VIEW

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_capability(request.user, self.capability)
        return super().dispatch(request, *args, **kwargs)


def apply_errors(form: forms.Form, error: ValidationError | ApplicationError) -> None:
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def active_filter(value: str) -> bool | None:
    """``?active=1`` / ``0`` / anything else (both)."""
    return {"1": True, "0": False}.get(value)
