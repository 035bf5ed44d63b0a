"""Reads of skin and health data: only for roles allowed to see them, only while the customer's
sensitive-data consent holds, and every read that returns data is logged."""

from __future__ import annotations

import enum
from typing import Any

from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.permissions import has_capability
from guanxi.customers.models import Customer, SensitiveProfile

CAPABILITY = "customers.view_sensitive"


class SensitiveAccess(enum.StrEnum):
    ALLOWED = "allowed"
    NO_CAPABILITY = "no_capability"
    NO_CONSENT = "no_consent"


def sensitive_access(*, customer: Customer, user: Any) -> SensitiveAccess:
    """Whether ``user`` may read and write this customer's skin and health data now."""
    if not has_capability(user, CAPABILITY):
        return SensitiveAccess.NO_CAPABILITY
    if not customer.consent_sensitive or customer.erased_at is not None:
        return SensitiveAccess.NO_CONSENT
    return SensitiveAccess.ALLOWED


def sensitive_profile_exists(*, customer: Customer) -> bool:
    """Whether skin and health data are stored, without reading them (to offer their deletion
    after a withdrawal)."""
    return SensitiveProfile.objects.filter(customer_id=customer.pk).exists()


def sensitive_profile_get(*, customer: Customer, user: Any) -> SensitiveProfile | None:
    """The customer's skin and health data, or ``None`` when the user may not see them, the
    customer has not consented (or withdrew), or nothing is stored.

    Every call that returns data writes a "viewed sensitive data" audit row.
    """
    if sensitive_access(customer=customer, user=user) != SensitiveAccess.ALLOWED:
        return None
    profile = SensitiveProfile.objects.filter(customer_id=customer.pk).first()
    if profile is None:
        return None
    profile.customer = customer
    audit_record(
        action=AuditAction.VIEW_SENSITIVE,
        actor=user,
        obj=profile,
        message=_("Skin and health data viewed."),
    )
    return profile
