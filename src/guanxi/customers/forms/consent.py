"""Forms of the consent panel and of the skin and health data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin
from guanxi.customers.choices import (
    Channel,
    ConsentPurpose,
    ConsentSource,
    SkinConcern,
    SkinType,
)
from guanxi.customers.services.sensitive import HEALTH_NOTES_MAX_LENGTH

# Staff record consent as the customer gave it; "opt-out link" is written only by the link.
STAFF_SOURCES = [
    (value, label) for value, label in ConsentSource.choices if value != ConsentSource.OPT_OUT_LINK
]
GRANT = "grant"
WITHDRAW = "withdraw"


class ConsentForm(BootstrapFormMixin, forms.Form):
    """Grant or withdraw one purpose."""

    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    action = forms.ChoiceField(
        label=_("Action"), choices=[(GRANT, _("Grant")), (WITHDRAW, _("Withdraw"))]
    )
    source = forms.ChoiceField(
        label=_("How the customer said so"), choices=STAFF_SOURCES, initial=ConsentSource.STORE
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    @property
    def granted(self) -> bool:
        return self.cleaned_data["action"] == GRANT


class OptOutForm(BootstrapFormMixin, forms.Form):
    """The one-click opt-out of the consent panel: one channel or all of them."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("all", _("All channels")), *Channel.choices],
        initial="all",
    )
    source = forms.ChoiceField(
        label=_("How the customer said so"), choices=STAFF_SOURCES, initial=ConsentSource.STORE
    )


class SensitiveProfileForm(BootstrapFormMixin, forms.Form):
    skin_type = forms.ChoiceField(label=_("Skin type"), choices=SkinType.choices, required=False)
    skin_concerns = forms.MultipleChoiceField(
        label=_("Skin concerns"),
        choices=SkinConcern.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    health_notes = forms.CharField(
        label=_("Health notes"),
        required=False,
        max_length=HEALTH_NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Allergies, conditions or medication that matter for treatments."),
    )

    @classmethod
    def initial_from(cls, profile: Any) -> dict[str, Any]:
        if profile is None:
            return {}
        return {
            "skin_type": profile.skin_type,
            "skin_concerns": list(profile.skin_concerns),
            "health_notes": profile.health_notes,
        }
