"""The second sign-in step.

Anyone with a confirmed two-factor device must enter a code after their password before they
can do anything else. Owners and store managers without a device are sent to set one up when
the organisation requires two-factor sign-in for them.

Whether a signed-in session still owes its code is decided once, when the password step
succeeds (``mark_two_factor_pending``, called on ``user_logged_in``), and kept in the session,
so that ordinary requests cost no extra query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.core.htmx import hx_redirect, is_htmx_partial
from guanxi.staff import selectors

EXEMPT_PREFIXES = ("/static/", "/healthz", "/two-factor/", "/logout/", "/set-language/")
TWO_FACTOR_PENDING_SESSION_KEY = "guanxi_two_factor_pending"


def mark_two_factor_pending(request: HttpRequest, user: Any) -> bool:
    """After the password step: the session owes a code if the user has a confirmed device."""
    pending = selectors.two_factor_device(user=user) is not None
    request.session[TWO_FACTOR_PENDING_SESSION_KEY] = pending
    return pending


def clear_two_factor_pending(request: HttpRequest) -> None:
    request.session[TWO_FACTOR_PENDING_SESSION_KEY] = False


def is_verified(user: Any) -> bool:
    """Whether the user passed the code step in this session (set by django-otp's middleware;
    a user object fresh from ``login()`` has not)."""
    verified = getattr(user, "is_verified", None)
    return bool(verified is not None and verified())


def two_factor_pending(request: HttpRequest) -> bool:
    """True while a signed-in session has passed the password step but not the code step."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or is_verified(user):
        return False
    pending = request.session.get(TWO_FACTOR_PENDING_SESSION_KEY)
    if pending is None:  # a session that began before this check existed
        pending = mark_two_factor_pending(request, user)
    return bool(pending)


def with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.path.startswith(EXEMPT_PREFIXES)
            or is_verified(user)
        ):
            return self.get_response(request)
        if two_factor_pending(request):
            target = with_next(reverse("staff:two-factor-verify"), request.get_full_path())
        elif selectors.two_factor_required(user=user):
            if selectors.two_factor_device(user=user) is None:
                target = reverse("staff:two-factor-setup")
            else:
                target = with_next(reverse("staff:two-factor-verify"), request.get_full_path())
        else:
            return self.get_response(request)
        return self.refuse(request, target)

    @staticmethod
    def refuse(request: HttpRequest, target: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "error": {
                        "code": "two_factor_required",
                        "message": _("Two-factor sign-in is required."),
                        "fields": {},
                    }
                },
                status=403,
            )
        if is_htmx_partial(request):
            return hx_redirect(target)
        return redirect(target)
