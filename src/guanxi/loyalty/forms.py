"""Forms of the loyalty pages."""

from __future__ import annotations

from django import forms

from guanxi.core.forms import BootstrapFormMixin
from guanxi.loyalty.models import LoyaltySettings, TierLevel

TIER_LEVEL_FIELDS = [
    "rank",
    "name_en",
    "name_zh_hans",
    "name_zh_hant",
    "threshold",
    "discount_percent",
    "points_multiplier",
    "birthday_gift",
]


class TierLevelForm(BootstrapFormMixin, forms.ModelForm):
    """Parses a tier level; the service validates the ladder and saves it."""

    class Meta:
        model = TierLevel
        fields = TIER_LEVEL_FIELDS


class TierPolicyForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = LoyaltySettings
        fields = ["tier_basis", "tier_downgrade_allowed"]
