"""Skin and health data: written only while the customer's sensitive-data consent holds, and
only by roles allowed to see them.

The audit rows of these writes say which fields changed but never their values (they are
masked): the values live in one row that a withdrawal can delete and an erasure removes,
not in a log that is kept for years.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.audit import MASK, audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.permissions import has_capability
from guanxi.customers.choices import SkinConcern, SkinType
from guanxi.customers.models import Customer, SensitiveProfile
from guanxi.customers.selectors.sensitive import CAPABILITY

SENSITIVE_FIELDS = ("skin_type", "skin_concerns", "health_notes")
HEALTH_NOTES_MAX_LENGTH = 2000


def _masked(values: list[Any]) -> list[Any]:
    return [MASK if value not in ("", None, []) else value for value in values]


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(SENSITIVE_FIELDS)
    if unknown:
        raise ValueError(f"sensitive_profile_update cannot set {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "skin_type" in data:
        skin_type = data["skin_type"] or ""
        if skin_type not in SkinType.values:
            errors["skin_type"] = _("Choose a valid skin type.")
        cleaned["skin_type"] = skin_type
    if "skin_concerns" in data:
        concerns = set(data["skin_concerns"] or [])
        if not concerns <= set(SkinConcern.values):
            errors["skin_concerns"] = _("Choose valid skin concerns.")
        # In the order of the choices, so that the same choice is always stored the same way.
        cleaned["skin_concerns"] = [c for c in SkinConcern.values if c in concerns]
    if "health_notes" in data:
        notes = (data["health_notes"] or "").strip()
        if len(notes) > HEALTH_NOTES_MAX_LENGTH:
            errors["health_notes"] = _("Keep health notes under %(count)d characters.") % {
                "count": HEALTH_NOTES_MAX_LENGTH
            }
        cleaned["health_notes"] = notes
    if errors:
        raise ValidationError(errors)
    return cleaned


def _require_allowed(*, customer: Customer, actor: Any) -> Customer:
    """The customer's row, locked, if the actor may write their sensitive data now."""
    if not has_capability(actor, CAPABILITY):
        raise PermissionDenied(CAPABILITY)
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.erased_at is not None or not locked.consent_sensitive:
        raise ApplicationError(
            _(
                "Skin and health data can be recorded only after the customer has given "
                "consent for sensitive data."
            ),
            code="consent_required",
        )
    return locked


@transaction.atomic
def sensitive_profile_update(
    *, customer: Customer, data: dict[str, Any], actor: Any
) -> SensitiveProfile:
    """Set the customer's skin type, skin concerns and health notes (only the keys given).

    Raises ``PermissionDenied`` for a role that may not see sensitive data and
    ``ApplicationError`` (code ``consent_required``) without a current consent.
    """
    locked = _require_allowed(customer=customer, actor=actor)
    cleaned = _clean(data)
    profile = SensitiveProfile.objects.filter(customer=locked).first()
    created = profile is None
    if profile is None:
        profile = SensitiveProfile(customer=locked)
    before = {name: getattr(profile, name) for name in SENSITIVE_FIELDS}
    for name, value in cleaned.items():
        setattr(profile, name, value)
    changes = {
        name: _masked([before[name], getattr(profile, name)])
        for name in SENSITIVE_FIELDS
        if created or before[name] != getattr(profile, name)
    }
    if not created and not changes:
        return profile
    profile.full_clean()
    profile.save()
    audit_record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=actor,
        obj=profile,
        changes=changes,
    )
    return profile


@transaction.atomic
def sensitive_profile_delete(*, customer: Customer, actor: Any) -> bool:
    """Delete the customer's skin and health data (offered after a withdrawal of consent).

    Needs the right to see sensitive data but no consent: removing them is always allowed.
    Returns whether anything was deleted.
    """
    if not has_capability(actor, CAPABILITY):
        raise PermissionDenied(CAPABILITY)
    profile = SensitiveProfile.objects.select_for_update().filter(customer_id=customer.pk).first()
    if profile is None:
        return False
    profile.customer = customer
    audit_record(
        action=AuditAction.DELETE,
        actor=actor,
        obj=profile,
        changes={name: _masked([getattr(profile, name), None]) for name in SENSITIVE_FIELDS},
        message=_("Skin and health data deleted."),
    )
    profile.delete()
    return True
