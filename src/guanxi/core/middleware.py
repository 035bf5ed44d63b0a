from __future__ import annotations

from collections.abc import Callable

from axes.helpers import get_client_ip_address
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from guanxi.core import context
from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction


def client_ip(request: HttpRequest) -> str | None:
    return get_client_ip_address(request) or None


class AuditContextMiddleware:
    """Make the signed-in staff member and their IP address known to services."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        with context.acting_as(actor, client_ip(request)):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            audit_record(
                action=AuditAction.PERMISSION_DENIED,
                actor=getattr(request, "user", None),
                message=f"{request.method} {request.path}"[:300],
                object_type=str(exception)[:100],
            )


class StaffLanguageMiddleware:
    """A signed-in staff member sees the language chosen in their profile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if user is not None and user.is_authenticated and language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
