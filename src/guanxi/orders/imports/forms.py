"""Forms of the order import pages: the upload, and the column mapping with the options."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin
from guanxi.customers.forms.imports import ENCODING_CHOICES, ColumnMappingForm
from guanxi.orders.imports.mapping import ORDER_FIELDS, mapping_problems


class OrderImportUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV or XLSX file; the first row holds the column headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    encoding = forms.ChoiceField(
        label=_("Encoding of a CSV file"), choices=ENCODING_CHOICES, initial="auto"
    )


class OrderImportMappingForm(ColumnMappingForm):
    """The order import's mapping, with "award points"."""

    import_fields = ORDER_FIELDS
    option_fields = ("default_store", "skip_invalid", "award_points")

    default_store: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Store of rows without a store"),
        queryset=None,
        required=False,
        empty_label=_("None: every row names its store"),
    )
    skip_invalid = forms.BooleanField(
        label=_(
            "Import the orders whose rows are all valid and skip the others (otherwise all or "
            "nothing)"
        ),
        required=False,
    )
    award_points = forms.BooleanField(
        label=_("Award the members the points of these orders"),
        required=False,
        help_text=_(
            "Leave it off when the other system already gave the points (or their balances "
            "were imported)."
        ),
    )

    def problems(self, used: Sequence[str]) -> list[str]:
        return [str(problem) for problem in mapping_problems(list(used))]
