"""Registers the referrals panel of the customer page (``profile_panels``): who referred the
customer and whether that referral was settled, and the people the customer referred with the
reward each one brought. Read-only: rewards are paid by checkout
(``services.referrals.referral_reward_on_purchase``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from guanxi.core.permissions import has_capability
from guanxi.customers.profile_panels import profile_panel_register
from guanxi.customers.selectors.customer import customer_list
from guanxi.loyalty import referral_data  # noqa: F401 - registers export, erase and merge
from guanxi.loyalty.models import ReferralReward, ReferralRewardStatus

SHOWN = 20


def referral_summary(*, user: Any, customer: Any) -> dict[str, Any]:
    """The customer's own referral and the referrals they made, as far as ``user`` may see."""
    referred = list(
        customer_list(user=user)
        .filter(referrer_id=customer.pk)
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    rewards = {
        reward.referred_id: reward
        for reward in ReferralReward.objects.filter(
            referrer_id=customer.pk, referred_id__in=[c.pk for c in referred]
        )
    }
    earned = ReferralReward.objects.filter(
        referrer_id=customer.pk, status=ReferralRewardStatus.PAID
    )
    referrer = customer.referrer if customer.referrer_id else None
    return {
        "referrer": referrer,
        "referrer_linked": referrer is not None
        and customer_list(user=user).filter(pk=referrer.pk).exists(),
        "own_reward": ReferralReward.objects.filter(referred_id=customer.pk).first(),
        "referrals": [(person, rewards.get(person.pk)) for person in referred],
        "referral_count": type(customer).objects.filter(referrer_id=customer.pk).count(),
        "points_earned": sum(earned.values_list("points", flat=True)),
    }


def referral_panel(request: HttpRequest, customer: Any) -> dict[str, Any] | None:
    """The panel's context; nothing for a user without loyalty data, or with nothing to show."""
    if not has_capability(request.user, "loyalty.view"):
        return None
    summary = referral_summary(user=request.user, customer=customer)
    if not customer.referrer_id and not summary["referral_count"]:
        return None
    return summary


profile_panel_register(
    "loyalty.referrals", "loyalty/partials/_referral_panel.html", referral_panel, order=15
)
