"""Audit hooks for sign-in events (logins are not domain flow, so signals are the right tool).

Django and django-axes announce sign-ins, failures, sign-outs and lockouts as signals, whoever
triggers them (our login page, the admin's, a test client). Each becomes one audit row with the
client's IP address. A failed attempt records the username that was tried, never the password.

Password changes and two-factor changes are audited by the services that make them
(``guanxi.staff.services.account``).
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.middleware import client_ip
from guanxi.staff.middleware import mark_two_factor_pending
from guanxi.staff.services.account import LANGUAGE_CHOICE_SESSION_KEY, staff_language_set

USER_OBJECT_TYPE = "staff.user"


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


def _attempted(username: str) -> dict[str, str]:
    """Name the staff member an attempt was aimed at, when that username exists."""
    pk = (
        get_user_model()
        .objects.filter(**{get_user_model().USERNAME_FIELD: username})
        .values_list("pk", flat=True)
        .first()
        if username
        else None
    )
    return {
        "object_type": USER_OBJECT_TYPE,
        "object_pk": str(pk) if pk is not None else "",
        "object_repr": username[:200],
    }


@receiver(user_logged_in, dispatch_uid="guanxi_staff_login")
def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, actor=user, obj=user, ip_address=_ip(request))
    if request is not None and hasattr(request, "session"):
        mark_two_factor_pending(request, user)
        language = request.session.pop(LANGUAGE_CHOICE_SESSION_KEY, None)
        if language in dict(settings.LANGUAGES) and language != user.language:
            staff_language_set(user=user, language=language)


@receiver(user_login_failed, dispatch_uid="guanxi_staff_login_failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        actor=None,
        ip_address=_ip(request),
        changes={"username": username},
        **_attempted(username),
    )


@receiver(user_logged_out, dispatch_uid="guanxi_staff_logout")
def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    audit_record(action=AuditAction.LOGOUT, actor=user, obj=user, ip_address=_ip(request))


@receiver(user_locked_out, dispatch_uid="guanxi_staff_locked_out")
def on_locked_out(
    sender: Any,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    username = username or ""
    audit_record(
        action=AuditAction.LOCKED_OUT,
        actor=None,
        ip_address=ip_address or _ip(request),
        changes={"username": username},
        **_attempted(username),
    )
