"""Forms of the owner's loyalty settings page and of the stored-value bonus rules.

They parse and check the input; the services (``services/settings.py``) validate again and save.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin
from guanxi.core.money import DECIMAL_PLACES, MAX_DIGITS
from guanxi.loyalty.models import LoyaltySettings
from guanxi.loyalty.services.settings import SETTINGS_FIELDS

CARD_NUMBER_FIELDS = ["card_prefix", "card_include_store_code", "card_sequence_digits"]

# The page's sections, in order: (title, fields).
SETTINGS_SECTIONS = [
    (_("Card numbers"), CARD_NUMBER_FIELDS),
    (
        _("Points"),
        [
            "points_per_currency_unit",
            "points_redeem_rate",
            "points_validity",
            "points_validity_months",
        ],
    ),
    (_("Stored value"), ["stored_value_spending_order"]),
    (_("Referrals"), ["referral_reward_points"]),
]


class CardNumberFormatForm(BootstrapFormMixin, forms.ModelForm):
    """The card number format alone: parses the fields the example number is drawn from."""

    class Meta:
        model = LoyaltySettings
        fields = CARD_NUMBER_FIELDS
        help_texts = {
            "card_prefix": _("Up to 6 capital letters or digits; may be empty."),
            "card_sequence_digits": _("From 4 to 10. Numbers are padded with zeros."),
        }

    def clean_card_prefix(self) -> str:
        return str(self.cleaned_data.get("card_prefix") or "").strip().upper()


class LoyaltySettingsForm(CardNumberFormatForm):
    class Meta(CardNumberFormatForm.Meta):
        fields = list(SETTINGS_FIELDS)

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The bound fields grouped as the page shows them."""
        return [(title, [self[name] for name in names]) for title, names in SETTINGS_SECTIONS]


class BonusRuleForm(BootstrapFormMixin, forms.Form):
    """A rule "top up at least X, get Y on top", for one store or all of them."""

    store = forms.ModelChoiceField(
        label=_("Store"),
        queryset=None,
        required=False,
        empty_label=_("All stores"),
        help_text=_("A store's own rule and the rules for all stores compete: the best applies."),
    )
    minimum_topup = forms.DecimalField(
        label=_("Minimum top-up"),
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        min_value=Decimal("0.01"),
        help_text=_("The bonus is given for a top-up of this amount or more."),
    )
    bonus = forms.DecimalField(
        label=_("Bonus"),
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        min_value=Decimal("0.00"),
        help_text=_("Added to the bonus balance; it is spent like paid value but never refunded."),
    )

    def __init__(self, *args: Any, stores: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores  # type: ignore[attr-defined]
