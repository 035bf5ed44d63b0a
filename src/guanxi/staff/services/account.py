"""Writes to the staff member's own account: language, password and two-factor sign-in; and the
owner's reset of a staff member's two-factor sign-in when they lost their phone.

Checking a two-factor code has side effects that must survive a wrong code: the device's
throttling counter (each failure doubles the wait before the next try) and the audit row of the
failure. Those services therefore commit their check in its own transaction and raise
``ValidationError`` afterwards, outside it.
"""

from __future__ import annotations

import math
from enum import StrEnum

from axes.utils import reset as axes_reset
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.permissions import is_owner
from guanxi.core.services import model_update
from guanxi.staff.models import User

# The language a visitor picked on the sign-in page; applied to their profile at sign-in.
LANGUAGE_CHOICE_SESSION_KEY = "guanxi_language_choice"

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class PasswordSetReason(StrEnum):
    CHANGE = "change"
    RESET = "reset"


@transaction.atomic
def staff_language_set(*, user: User, language: str) -> User:
    user, _changed = model_update(instance=user, data={"language": language}, actor=user)
    return user


@transaction.atomic
def staff_password_set(*, user: User, password: str, reason: PasswordSetReason) -> User:
    """Store a new password (hashed with the first configured hasher, Argon2) and audit it.

    A reset by email also lifts any sign-in lockout of the username: whoever can read the
    staff member's mailbox may choose their password anyway.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    messages = {
        PasswordSetReason.CHANGE: "Password changed by the staff member.",
        PasswordSetReason.RESET: "Password reset with an email link.",
    }
    audit_record(
        action=AuditAction.SECURITY,
        actor=user,
        obj=user,
        changes={"password": ["••••••", "••••••"]},
        message=messages[reason],
    )
    if reason == PasswordSetReason.RESET:
        axes_reset(username=user.get_username())
    return user


# --- Two-factor sign-in -----------------------------------------------------------------------


def _normalise(code: str) -> str:
    return "".join(code.split()).lower()


def _throttled_error(device: Device) -> ValidationError | None:
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (details or {}).get("locked_until")
    seconds = (
        max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 1
    )
    return ValidationError(
        ngettext(
            "Too many wrong codes. Wait %(seconds)d second and try again.",
            "Too many wrong codes. Wait %(seconds)d seconds and try again.",
            seconds,
        )
        % {"seconds": seconds},
        code="throttled",
    )


def _wrong_code_error() -> ValidationError:
    return ValidationError(_("That code is not valid. Try again."), code="invalid")


def _check_code(*, device: Device, code: str) -> ValidationError | None:
    """Verify ``code`` on a locked ``device``; returns the error to raise, if any."""
    throttled = _throttled_error(device)
    if throttled is not None:
        return throttled
    if not device.verify_token(code):
        return _wrong_code_error()
    return None


def _match_code(*, user: User, code: str) -> tuple[Device | None, ValidationError | None]:
    """Check a code against the user's confirmed devices: six digits for the authenticator
    app, anything else for a backup code (eight characters, each works once)."""
    code = _normalise(code)
    model: type[Device] = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        device = (
            model.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            return None, _wrong_code_error()
        error = _check_code(device=device, code=code)
    return (None, error) if error is not None else (device, None)


def two_factor_setup_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator device the staff member is setting up (created once, so
    reloading the set-up page keeps the same secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _backup_codes_replace(*, user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_enable(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the device being set up with a code from the app; returns new backup codes.

    Raises ``ValidationError`` for a wrong code (the failure still counts for throttling).
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("This set-up has expired. Start again."), code="expired")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        error = _check_code(device=device, code=_normalise(code))
    if error is not None:
        raise error
    return _two_factor_confirm(user=user, device=device)


@transaction.atomic
def _two_factor_confirm(*, user: User, device: TOTPDevice) -> list[str]:
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _backup_codes_replace(user=user)
    audit_record(
        action=AuditAction.SECURITY,
        actor=user,
        obj=user,
        message="Two-factor sign-in turned on.",
    )
    return codes


def two_factor_sign_in(*, user: User, code: str) -> Device:
    """The second sign-in step: the device that accepted ``code``.

    A wrong code is audited as a failed sign-in and raises ``ValidationError``.
    """
    device, error = _match_code(user=user, code=code)
    if error is not None or device is None:
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            actor=user,
            obj=user,
            message="Wrong two-factor code.",
        )
        raise error or _wrong_code_error()
    audit_record(
        action=AuditAction.LOGIN,
        actor=user,
        obj=user,
        message="Two-factor code accepted.",
    )
    return device


def two_factor_disable(*, user: User, code: str) -> None:
    """Turn two-factor sign-in off; a current code (or a backup code) proves it is the owner
    of the device asking. Removes the authenticator and the backup codes."""
    _device, error = _match_code(user=user, code=code)
    if error is not None:
        raise error
    _two_factor_remove(user=user)


@transaction.atomic
def _two_factor_remove(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        action=AuditAction.SECURITY,
        actor=user,
        obj=user,
        message="Two-factor sign-in turned off.",
    )


@transaction.atomic
def two_factor_backup_codes_regenerate(*, user: User) -> list[str]:
    """Replace the backup codes with new ones; the old ones stop working."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(
            _("Turn on two-factor sign-in before creating backup codes."), code="no_device"
        )
    codes = _backup_codes_replace(user=user)
    audit_record(
        action=AuditAction.SECURITY,
        actor=user,
        obj=user,
        message="New two-factor backup codes generated.",
    )
    return codes


@transaction.atomic
def staff_two_factor_reset(*, staff: User, actor: User) -> None:
    """An owner turns off a staff member's two-factor sign-in, typically after a lost phone.

    Removes the authenticator (set up or half set up) and the backup codes; the staff member
    signs in with their password alone, or sets up a new authenticator at the next sign-in where
    the organisation requires it. Raises ``PermissionDenied`` for anyone but an owner, and
    ``ApplicationError`` for the actor's own account (that is the profile's turn-off, which asks
    for a code) or when there is nothing to reset.
    """
    if not is_owner(actor):
        raise PermissionDenied("staff.two_factor_reset")
    if staff.pk == actor.pk:
        raise ApplicationError(
            _("Turn off your own two-factor sign-in on your profile page."), code="self"
        )
    totp = TOTPDevice.objects.filter(user=staff)
    static = StaticDevice.objects.filter(user=staff)
    if not totp.exists() and not static.exists():
        raise ApplicationError(
            _("%(name)s has no two-factor sign-in to reset.") % {"name": staff},
            code="no_device",
        )
    totp.delete()
    static.delete()
    audit_record(
        action=AuditAction.SECURITY,
        actor=actor,
        obj=staff,
        message="Two-factor sign-in reset by an owner.",
    )
