"""Reads of the earning rules, promotions, coupons and the gift catalogue."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from guanxi.core.permissions import has_capability, scope
from guanxi.loyalty.models import (
    CategoryMultiplier,
    Coupon,
    CouponUse,
    Gift,
    GiftRedemption,
    MemberCard,
    Promotion,
)

EARNING_CAPABILITY = "loyalty.earning"
COUPONS_CAPABILITY = "loyalty.coupons"
GIFTS_CAPABILITY = "loyalty.gifts"


def category_multiplier_list() -> QuerySet[CategoryMultiplier]:
    return CategoryMultiplier.objects.select_related("category", "category__parent")


def category_multiplier_get(*, pk: Any) -> CategoryMultiplier | None:
    return category_multiplier_list().filter(pk=pk).first()


def promotion_list(*, when: str = "") -> QuerySet[Promotion]:
    """Promotions, newest first; ``when`` is "current", "upcoming", "past" or empty (all)."""
    today = timezone.localdate()
    promotions = Promotion.objects.select_related("category", "store")
    if when == "current":
        promotions = promotions.filter(starts_on__lte=today, ends_on__gte=today)
    elif when == "upcoming":
        promotions = promotions.filter(starts_on__gt=today)
    elif when == "past":
        promotions = promotions.filter(ends_on__lt=today)
    return promotions.order_by("-starts_on", "pk")


def promotion_get(*, pk: Any) -> Promotion | None:
    return Promotion.objects.filter(pk=pk).first()


def coupon_list(*, search: str = "", status: str = "") -> QuerySet[Coupon]:
    """Coupons with their use count; ``status`` is "active", "inactive", "expired" or empty."""
    coupons = Coupon.objects.select_related("store", "customer").annotate(
        use_count=Count("uses"), discount_total=Sum("uses__discount")
    )
    search = search.strip()
    if search:
        coupons = coupons.filter(Q(code__icontains=search) | Q(name__icontains=search))
    today = timezone.localdate()
    if status == "active":
        coupons = coupons.filter(is_active=True, valid_until__gte=today)
    elif status == "inactive":
        coupons = coupons.filter(is_active=False)
    elif status == "expired":
        coupons = coupons.filter(valid_until__lt=today)
    return coupons.order_by("-valid_until", "code")


def coupon_get(*, pk: Any) -> Coupon | None:
    return Coupon.objects.select_related("store", "customer").filter(pk=pk).first()


def coupon_use_list(*, coupon: Coupon) -> QuerySet[CouponUse]:
    return coupon.uses.select_related("customer", "store", "created_by").order_by(
        "-created_at", "-pk"
    )


def gift_list(*, active_only: bool = False) -> QuerySet[Gift]:
    gifts = Gift.objects.annotate(redeemed=Sum("redemptions__quantity"))
    if active_only:
        gifts = gifts.filter(is_active=True)
    return gifts.order_by("points", "name_en", "pk")


def gift_get(*, pk: Any) -> Gift | None:
    return Gift.objects.filter(pk=pk).first()


def gift_redemption_list(
    *, user: Any, card: MemberCard | None = None, gift: Gift | None = None
) -> QuerySet[GiftRedemption]:
    """Redemptions in the user's stores, newest first."""
    redemptions = scope(GiftRedemption.objects.all(), user).select_related(
        "gift", "card", "store", "staff"
    )
    if card is not None:
        redemptions = redemptions.filter(card__membership_id=card.membership_id)
    if gift is not None:
        redemptions = redemptions.filter(gift=gift)
    return redemptions.order_by("-created_at", "-pk")


def _if_capable(user: Any, capability: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset if has_capability(user, capability) else queryset.none()


def history_sources() -> dict[str, Any]:
    """Who may read the history of each audited model of this module."""
    return {
        "loyalty.categorymultiplier": lambda user: _if_capable(
            user, EARNING_CAPABILITY, CategoryMultiplier.objects.all()
        ),
        "loyalty.promotion": lambda user: _if_capable(
            user, EARNING_CAPABILITY, Promotion.objects.all()
        ),
        "loyalty.coupon": lambda user: _if_capable(user, COUPONS_CAPABILITY, Coupon.objects.all()),
        "loyalty.couponuse": lambda user: scope(CouponUse.objects.all(), user),
        "loyalty.gift": lambda user: _if_capable(user, GIFTS_CAPABILITY, Gift.objects.all()),
        "loyalty.giftredemption": lambda user: scope(GiftRedemption.objects.all(), user),
    }


def promotion_is_running(promotion: Promotion, day: datetime.date | None = None) -> bool:
    day = day or timezone.localdate()
    return promotion.is_active and promotion.starts_on <= day <= promotion.ends_on
