"""Two-factor sign-in for owners and store managers when the organisation requires it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.staff import selectors

EXEMPT_PREFIXES = ("/static/", "/healthz", "/two-factor/", "/logout/", "/set-language/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and selectors.two_factor_required(user=user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": {
                            "code": "two_factor_required",
                            "message": _("Two-factor sign-in is required."),
                        }
                    },
                    status=403,
                )
            if selectors.two_factor_device(user=user) is None:
                return redirect(reverse("staff:two-factor-setup"))
            return redirect(f"{reverse('staff:two-factor-verify')}?next={request.get_full_path()}")
        return self.get_response(request)
