"""The erasure confirmation form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin
from guanxi.customers.choices import ConsentSource
from guanxi.customers.forms.consent import STAFF_SOURCES


class ErasureForm(BootstrapFormMixin, forms.Form):
    last_digits = forms.CharField(
        label=_("Last 4 digits of the customer's phone number"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Type them to confirm that this is the right customer."),
    )
    source = forms.ChoiceField(
        label=_("How the customer asked"), choices=STAFF_SOURCES, initial=ConsentSource.STORE
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.TextInput,
        help_text=_(
            'For the audit log, e.g. "Customer\'s written request of 3 May". '
            "Do not repeat personal data here."
        ),
    )
