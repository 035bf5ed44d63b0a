"""Reads of the staff domain."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanxi.core.permissions import Role, has_capability, scope
from guanxi.staff.models import ApiToken, Organisation, Store, User

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


def two_factor_backup_codes_remaining(*, user: Any) -> int:
    """How many unused backup codes the staff member has left."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def api_token_list(*, user: Any) -> QuerySet[ApiToken]:
    """The staff member's own active API tokens; nobody sees anyone else's."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def store_list(
    *,
    user: Any,
    include_inactive: bool = True,
    search: str = "",
    with_staff_count: bool = False,
) -> QuerySet[Store]:
    """The stores ``user`` may see; ``search`` matches name, code, address or phone."""
    stores = scope(Store.objects.all(), user)
    if not include_inactive:
        stores = stores.filter(is_active=True)
    search = search.strip()
    if search:
        stores = stores.filter(
            Q(name__icontains=search)
            | Q(code__icontains=search)
            | Q(address__icontains=search)
            | Q(phone__icontains=search)
        )
    if with_staff_count:
        stores = stores.annotate(
            active_staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True)
        )
    return stores.order_by("name")


def staff_list(
    *,
    user: Any,
    role: str = "",
    store: Store | int | None = None,
    is_active: bool | None = None,
    search: str = "",
) -> QuerySet[User]:
    """The staff ``user`` may see, optionally filtered; ``search`` matches full name, username,
    phone or e-mail address."""
    staff = scope(User.objects.all(), user)
    if role:
        staff = staff.filter(role=role)
    if store is not None:
        staff = staff.filter(stores__pk=store.pk if isinstance(store, Store) else store)
    if is_active is not None:
        staff = staff.filter(is_active=is_active)
    search = search.strip()
    if search:
        staff = staff.filter(
            Q(full_name__icontains=search)
            | Q(username__icontains=search)
            | Q(phone__icontains=search)
            | Q(email__icontains=search)
        )
    # Each staff member's stores, as far as ``user`` may see them: a store manager does not learn
    # the names of other stores through a colleague who also works there.
    visible_stores = Prefetch("stores", queryset=scope(Store.objects.all(), user).order_by("name"))
    return staff.prefetch_related(visible_stores).order_by("full_name", "username")


def store_get(*, user: Any, pk: int) -> Store:
    """One store ``user`` may see; another store is "not found" (``Http404``)."""
    return get_object_or_404(store_list(user=user), pk=pk)


def staff_get(*, user: Any, pk: int) -> User:
    """One staff member ``user`` may see; anyone else is "not found" (``Http404``)."""
    return get_object_or_404(staff_list(user=user), pk=pk)


def store_staff_list(*, user: Any, store: Store) -> QuerySet[User]:
    """The staff of one store, as far as ``user`` may see staff at all."""
    if not has_capability(user, "staff.view"):
        return User.objects.none()
    return staff_list(user=user, store=store)
