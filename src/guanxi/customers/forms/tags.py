"""Forms of tags and saved views."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin
from guanxi.customers.choices import TagColour


class TagForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    colour = forms.ChoiceField(label=_("Colour"), choices=TagColour.choices, initial=TagColour.GREY)


class SavedViewForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=100)
