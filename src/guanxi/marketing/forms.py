"""Forms of the member-event pages. They parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin, DateInput
from guanxi.core.permissions import is_owner
from guanxi.customers.forms.customer import CustomerPhoneField, ScopedForm
from guanxi.loyalty.selectors import tier_level_list
from guanxi.marketing.models import MemberEvent
from guanxi.marketing.services.events import EVENT_FIELDS
from guanxi.staff.selectors import store_list


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(*args, **kwargs)


class EventForm(BootstrapFormMixin, forms.ModelForm):
    """An event's fields; the stores offered are those the user may hold an event in."""

    class Meta:
        model = MemberEvent
        fields = list(EVENT_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "spend_since": DateInput(),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        store = self.fields["store"]
        store.queryset = store_list(user=user, include_inactive=False)  # type: ignore[attr-defined]
        if is_owner(user):
            store.empty_label = _("Every store")  # type: ignore[attr-defined]
        else:
            store.required = True
            store.empty_label = None  # type: ignore[attr-defined]
        self.fields["minimum_tier"].queryset = tier_level_list()  # type: ignore[attr-defined]
        self.fields["minimum_tier"].empty_label = _("Any tier")  # type: ignore[attr-defined]


class RegisterForm(BootstrapFormMixin, ScopedForm):
    customer = CustomerPhoneField(
        label=_("Customer's phone"),
        help_text=_("Type a name or a phone number and pick the customer."),
    )

    def scope_fields(self, user: Any) -> None:
        self.fields["customer"].user = user  # type: ignore[attr-defined]


class DrawForm(BootstrapFormMixin, forms.Form):
    prize = forms.CharField(label=_("Prize"), max_length=200)
    winners_count = forms.IntegerField(label=_("Number of winners"), min_value=1, initial=1)
