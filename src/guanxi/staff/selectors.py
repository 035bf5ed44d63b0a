"""Reads of the staff domain."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanxi.core.permissions import Role, scope
from guanxi.staff.models import Organisation, Store, User

TWO_FACTOR_ROLES = frozenset({Role.OWNER, Role.STORE_MANAGER})


def organisation_get() -> Organisation:
    """The one organisation row, created on first use."""
    from django.conf import settings

    organisation, _created = Organisation.objects.get_or_create(
        pk=1,
        defaults={"name": "Guanxi", "require_two_factor": settings.GUANXI_REQUIRE_2FA_DEFAULT},
    )
    return organisation


def two_factor_required(*, user: Any) -> bool:
    if getattr(user, "role", None) not in TWO_FACTOR_ROLES:
        return False
    return organisation_get().require_two_factor


def two_factor_device(*, user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def store_list(*, user: Any, include_inactive: bool = True) -> QuerySet[Store]:
    stores = scope(Store.objects.all(), user)
    if not include_inactive:
        stores = stores.filter(is_active=True)
    return stores.order_by("name")


def staff_list(*, user: Any) -> QuerySet[User]:
    return (
        scope(User.objects.all(), user).prefetch_related("stores").order_by("full_name", "username")
    )
