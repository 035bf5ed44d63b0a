"""Forms of the customer import: the upload, and the column mapping with the import's options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin
from guanxi.customers.imports.mapping import IMPORT_FIELDS
from guanxi.customers.models import ImportMapping
from guanxi.staff.selectors import store_list

ENCODING_CHOICES = [
    ("auto", _("Detect automatically")),
    ("utf-8", _("UTF-8")),
    ("gb18030", _("GBK / GB18030 (simplified Chinese Excel)")),
    ("big5", _("Big5 (traditional Chinese Excel)")),
    ("utf-16", _("UTF-16")),
]


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV or XLSX file; the first row holds the column headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    encoding = forms.ChoiceField(
        label=_("Encoding of a CSV file"), choices=ENCODING_CHOICES, initial="auto"
    )
    saved_mapping = forms.ModelChoiceField(
        label=_("Saved column mapping"),
        queryset=ImportMapping.objects.all(),
        required=False,
        empty_label=_("Suggest from the column headers"),
    )


class ColumnMappingForm(BootstrapFormMixin, forms.Form):
    """One select per column of the file (``column_<n>``), then the import's options.

    A domain's import subclasses it: ``import_fields`` (field -> label) are the choices,
    ``option_fields`` the options after the columns, and ``problems(used)`` what the chosen
    fields lack (e.g. a required one)."""

    import_fields: Mapping[str, Any] = {}
    option_fields: Sequence[str] = ()

    def __init__(
        self,
        *args: Any,
        user: Any,
        headers: Sequence[str],
        initial_mapping: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        choices = [("", _("Do not import")), *self.import_fields.items()]
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or _("Column %(number)d") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=initial_mapping.get(header, ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        if "default_store" in self.fields:
            store_field = cast(forms.ModelChoiceField, self.fields["default_store"])
            store_field.queryset = store_list(user=user)
        order = [f"column_{i}" for i in range(len(self.headers))]
        self.order_fields([*order, *self.option_fields])

    def column_fields(self) -> list[tuple[forms.BoundField, int]]:
        return [(self[f"column_{i}"], i) for i in range(len(self.headers))]

    def problems(self, used: Sequence[str]) -> list[str]:
        """What the chosen fields lack, as messages (none: the mapping is usable)."""
        return []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        used: dict[str, str] = {}
        for index, header in enumerate(self.headers):
            field = cleaned.get(f"column_{index}") or ""
            if field and field in used:
                self.add_error(
                    f"column_{index}",
                    _("%(field)s is already taken by the column %(column)s.")
                    % {"field": self.import_fields[field], "column": used[field]},
                )
            used.setdefault(field, header)
        problems = self.problems([field for field in used if field])
        if problems:
            raise forms.ValidationError(problems)
        return cleaned

    def mapping(self) -> dict[str, str]:
        """header -> field, as the services take it."""
        return {
            header: self.cleaned_data.get(f"column_{index}") or ""
            for index, header in enumerate(self.headers)
        }


class ImportMappingForm(ColumnMappingForm):
    """The customer import's mapping: a name and a phone are required; the mapping can be saved."""

    import_fields = IMPORT_FIELDS
    option_fields = ("default_store", "skip_invalid", "save_as")

    default_store: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Home store of rows without a store"),
        queryset=None,
        required=False,
        empty_label=_("None: every row names its store"),
    )
    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows and skip the invalid ones (otherwise all or nothing)"),
        required=False,
    )
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        max_length=100,
        required=False,
        help_text=_("Optional: a name to pick this mapping again next time."),
    )

    def problems(self, used: Sequence[str]) -> list[str]:
        missing = [str(IMPORT_FIELDS[f]) for f in ("full_name", "phone") if f not in used]
        if missing:
            return [_("Choose the columns of %(fields)s.") % {"fields": ", ".join(missing)}]
        return []
