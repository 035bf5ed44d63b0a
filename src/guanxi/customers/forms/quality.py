"""Forms of the data-quality pages: completeness weights, the store filter and the merge."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin
from guanxi.customers.models import Customer
from guanxi.customers.services.completeness import completeness_field_label, scored_fields
from guanxi.customers.services.merge import MERGE_FIELDS, SOURCE, TARGET, merge_defaults
from guanxi.staff.selectors import store_list

MAX_WEIGHT = 100
EMPTY = "—"


class _WeightFields(forms.Form):
    def __init__(self, *args: Any, weights: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in scored_fields():
            self.fields[field] = forms.IntegerField(
                label=capfirst(completeness_field_label(field)),
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=weights[field],
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )


class CompletenessWeightsForm(BootstrapFormMixin, _WeightFields):
    """One number per scored field: how much it counts towards a customer's completeness."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if len(data) == len(self.fields) and not any(data.values()):
            raise forms.ValidationError(_("At least one field must count (a weight above 0)."))
        return data

    def weights(self) -> dict[str, int]:
        return {field: self.cleaned_data[field] for field in scored_fields()}


class QualityFilterForm(BootstrapFormMixin, forms.Form):
    """The store filter of the data-quality and duplicates pages (the user's stores only)."""

    store: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Store"), queryset=None, required=False, empty_label=_("All my stores")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["store"]).queryset = store_list(user=user)

    def store_id(self) -> int | None:
        """The chosen store; an invalid choice (another store's id) is ignored."""
        if not self.is_bound or not self.is_valid():
            return None
        store = self.cleaned_data.get("store")
        return store.pk if store else None


def display_value(customer: Customer, field: str) -> str:
    """A master field as the customer page shows it."""
    model_field = Customer._meta.get_field(field)
    if model_field.is_relation or not isinstance(model_field, models.Field):
        related = getattr(customer, field)
        return str(related) if related is not None else EMPTY
    value = getattr(customer, field)
    if value in (None, ""):
        return EMPTY
    if model_field.choices:
        return str(getattr(customer, f"get_{field}_display")())
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@dataclass(frozen=True)
class ComparisonRow:
    name: str
    label: str
    target: str
    source: str
    field: forms.BoundField


class CustomerMergeForm(forms.Form):
    """The side-by-side comparison: for each field whose values differ, a choice of the kept
    record's value or the other's; and the confirmation."""

    other = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I have checked both records: merge them and delete the duplicate."),
        required=True,
    )

    def __init__(self, *args: Any, source: Customer, target: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source, self.target = source, target
        self.initial.setdefault("other", source.pk)
        self.differing = merge_defaults(source=source, target=target)
        for name in MERGE_FIELDS:
            if name not in self.differing:
                continue
            self.fields[f"choice_{name}"] = forms.ChoiceField(
                label=capfirst(completeness_field_label(name)),
                choices=[
                    (TARGET, display_value(target, name)),
                    (SOURCE, display_value(source, name)),
                ],
                initial=self.differing[name],
                required=False,  # not chosen: the default (see merge_defaults)
                widget=forms.RadioSelect,
            )
        self.fields["confirm"].widget.attrs["class"] = "form-check-input"

    def clean_other(self) -> int:
        other = self.cleaned_data["other"]
        if other != self.source.pk:
            raise forms.ValidationError(_("The records changed; start the merge again."))
        return other

    def comparison(self) -> list[ComparisonRow]:
        return [
            ComparisonRow(
                name=name,
                label=str(self.fields[f"choice_{name}"].label),
                target=display_value(self.target, name),
                source=display_value(self.source, name),
                field=self[f"choice_{name}"],
            )
            for name in MERGE_FIELDS
            if name in self.differing
        ]

    def field_choices(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(f"choice_{name}") or default
            for name, default in self.differing.items()
        }
