"""Forms of the analytics pages: the store filter, the definition of a customer list (a cell,
a segment, a decile ...), saving it as an audience, a cell's recommended action and the owner's
settings."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.choices import (
    AbcClass,
    FrequencyBand,
    PyramidLevel,
    RecencyBand,
    RfmSegment,
)
from guanxi.analytics.models import AnalyticsSettings
from guanxi.core.forms import BootstrapFormMixin
from guanxi.staff.selectors import store_list

DECILES = [(str(d), str(d)) for d in range(1, 11)]
PERIODS = [("month", _("Month")), ("week", _("Week"))]


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class StoreFilterForm(BootstrapFormMixin, forms.Form):
    """The store filter of the analytics pages (the user's stores only)."""

    store: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Store"), queryset=None, required=False, empty_label=_("All my stores")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["store"]).queryset = store_list(
            user=user, include_inactive=False
        )

    def store_id(self) -> int | None:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("store"):
            return int(self.cleaned_data["store"].pk)
        return None


class LifecycleFilterForm(StoreFilterForm):
    """The lifecycle page: store, week or month, and the period the trees show."""

    period = forms.ChoiceField(label=_("Per"), choices=PERIODS, required=False)
    at = forms.CharField(label=_("Period"), required=False, max_length=10)


class BusinessFilterForm(StoreFilterForm):
    """The pages of whole-business tables (rules, cohorts): no store filter."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["store"]

    def store_id(self) -> int | None:
        return None


class ForecastFilterForm(StoreFilterForm):
    """The forecast page: weekly or monthly series (the store filter is not used)."""

    period = forms.ChoiceField(
        label=_("Per"), choices=[("week", _("Week")), ("month", _("Month"))], required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["store"]  # a series is the total, a store or a category

    def store_id(self) -> int | None:
        return None


class CustomerDefinitionForm(BootstrapFormMixin, forms.Form):
    """Which customers a list shows: the filters of a cell, segment, decile, class or level.

    Every filter is optional; the list is always limited to the customers the user may see.
    """

    recency_band = forms.ChoiceField(
        label=_("Recency"), choices=_blank(RecencyBand.choices), required=False
    )
    frequency_band = forms.ChoiceField(
        label=_("Frequency"), choices=_blank(FrequencyBand.choices), required=False
    )
    segment = forms.ChoiceField(
        label=_("Segment"), choices=_blank(RfmSegment.choices), required=False
    )
    monetary_decile = forms.ChoiceField(
        label=_("Spend decile"), choices=_blank(DECILES), required=False
    )
    purchase_decile = forms.ChoiceField(
        label=_("Purchase decile"), choices=_blank(DECILES), required=False
    )
    abc_class = forms.ChoiceField(
        label=_("ABC class"), choices=_blank(AbcClass.choices), required=False
    )
    pyramid_level = forms.ChoiceField(
        label=_("Pyramid level"), choices=_blank(PyramidLevel.choices), required=False
    )
    deal_customer = forms.BooleanField(label=_("Deal customers only"), required=False)
    store: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Store"), queryset=None, required=False, empty_label=_("All my stores")
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    #: The filters that make up an audience's definition (``q`` is a search, not a group).
    DEFINITION_FIELDS = (
        "recency_band",
        "frequency_band",
        "segment",
        "monetary_decile",
        "purchase_decile",
        "abc_class",
        "pyramid_level",
        "deal_customer",
        "store",
    )
    INTEGER_FIELDS = ("monetary_decile", "purchase_decile")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["store"]).queryset = store_list(
            user=user, include_inactive=False
        )

    def definition(self) -> dict[str, Any]:
        """The chosen filters as an audience definition, e.g. ``{"segment": "at_risk"}``."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        definition: dict[str, Any] = {}
        for name in self.DEFINITION_FIELDS:
            value = data.get(name)
            if value in (None, "", False):
                continue
            if name == "store":
                value = value.pk
            elif name in self.INTEGER_FIELDS:
                value = int(value)
            definition[name] = value
        return definition

    def search(self) -> str:
        return (self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""


class AudienceForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class GridActionForm(BootstrapFormMixin, forms.Form):
    """The recommended action of one R×F cell, in the three languages."""

    action_en = forms.CharField(label=_("Action (English)"), max_length=300)
    action_zh_hans = forms.CharField(
        label=_("Action (simplified Chinese)"), max_length=300, required=False
    )
    action_zh_hant = forms.CharField(
        label=_("Action (traditional Chinese)"), max_length=300, required=False
    )


class AnalyticsSettingsForm(BootstrapFormMixin, forms.ModelForm):
    """The owner's settings of the engine (thresholds, bins, windows)."""

    class Meta:
        model = AnalyticsSettings
        fields = [
            "rfm_bins",
            "recency_active_days",
            "recency_silent_days",
            "recency_sleeping_days",
            "frequency_second_time_from",
            "frequency_returning_from",
            "frequency_fan_from",
            "clv_horizon_months",
            "clv_annual_discount_rate",
            "sequence_window_days",
            "sequence_min_customers",
            "basket_min_support",
            "basket_min_confidence",
            "abc_a_share",
            "abc_b_share",
            "pyramid_inactive_days",
            "deal_discount_share",
            "deal_margin_ratio",
            "nightly_refresh",
        ]
