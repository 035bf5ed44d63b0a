"""Forms of the household pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin
from guanxi.customers.forms.customer import CustomerPhoneField, ScopedForm
from guanxi.staff.selectors import store_list


class HouseholdForm(BootstrapFormMixin, ScopedForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Usually the family name, e.g. the Wang family."),
    )
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, household: Any = None, **kwargs: Any) -> None:
        self.household = household
        super().__init__(*args, **kwargs)

    def scope_fields(self, user: Any) -> None:
        if self.household is not None:
            # The store of a household does not change: its members belong to that store.
            del self.fields["store"]
            return
        stores = store_list(user=user, include_inactive=False)
        self.fields["store"].queryset = stores
        if not self.is_bound and "store" not in self.initial:
            only = list(stores[:2])
            if len(only) == 1:
                self.initial["store"] = only[0].pk


class HouseholdMemberForm(BootstrapFormMixin, ScopedForm):
    customer = CustomerPhoneField(
        label=_("Member's phone"),
        help_text=_("Type a name or a phone number and pick the customer."),
    )

    def scope_fields(self, user: Any) -> None:
        self.fields["customer"].user = user
