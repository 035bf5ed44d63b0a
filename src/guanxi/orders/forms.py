"""Forms of the orders pages: the checkout (its basket lines as a formset), the order list's
filters and the return."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin, DateInput
from guanxi.orders.choices import LineKind, PaymentMethod

MONEY = {"max_digits": 14, "decimal_places": 2}
MAX_QUANTITY = 999


def money_input(**attrs: Any) -> forms.NumberInput:
    return forms.NumberInput(
        attrs={"step": "0.01", "min": "0", "inputmode": "decimal", "autocomplete": "off", **attrs}
    )


class CheckoutForm(BootstrapFormMixin, forms.Form):
    """Everything on the till page but the lines: the page's key, the store, the member, the
    search boxes, the package-sale fields, the coupon and the payments."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, empty_label=None)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    card = forms.IntegerField(required=False, widget=forms.HiddenInput)
    member_q = forms.CharField(
        label=_("Find the member"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": _("Phone, card number (or scan the card), or name"),
                "data-enter": "checkout-find",
            }
        ),
    )
    item_q = forms.CharField(
        label=_("Add an item"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": _("Scan a barcode, or type a SKU or a name"),
                "data-enter": "checkout-scan",
            }
        ),
    )
    package_service = forms.TypedChoiceField(
        label=_("Service"), coerce=int, required=False, empty_value=None
    )
    package_sessions = forms.IntegerField(
        label=_("Sessions"), required=False, min_value=1, max_value=MAX_QUANTITY, initial=10
    )
    package_valid_days = forms.IntegerField(
        label=_("Valid for (days)"), required=False, min_value=1, max_value=3660, initial=365
    )
    package_price = forms.DecimalField(
        label=_("Package price"),
        required=False,
        min_value=Decimal("0"),
        **MONEY,
        widget=money_input(),
        help_text=_("Leave empty for the service's price × the sessions."),
    )
    coupon = forms.CharField(
        label=_("Coupon code"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-enter": "checkout-coupon"}),
    )
    pay_cash = forms.DecimalField(
        label=PaymentMethod.CASH.label,
        required=False,
        min_value=Decimal("0"),
        **MONEY,
        widget=money_input(),
    )
    pay_bank_card = forms.DecimalField(
        label=PaymentMethod.BANK_CARD.label,
        required=False,
        min_value=Decimal("0"),
        **MONEY,
        widget=money_input(),
    )
    pay_mobile = forms.DecimalField(
        label=PaymentMethod.MOBILE.label,
        required=False,
        min_value=Decimal("0"),
        **MONEY,
        widget=money_input(),
    )
    pay_stored_value = forms.DecimalField(
        label=PaymentMethod.STORED_VALUE.label,
        required=False,
        min_value=Decimal("0"),
        **MONEY,
        widget=money_input(),
    )
    pay_points = forms.DecimalField(
        label=_("Points (amount they pay)"),
        required=False,
        min_value=Decimal("0"),
        **MONEY,
        widget=money_input(**{"class": "requote"}),
    )

    PAYMENT_FIELDS = {
        PaymentMethod.CASH: "pay_cash",
        PaymentMethod.BANK_CARD: "pay_bank_card",
        PaymentMethod.MOBILE: "pay_mobile",
        PaymentMethod.STORED_VALUE: "pay_stored_value",
        PaymentMethod.POINTS: "pay_points",
    }

    def __init__(self, *args: Any, stores: Any, services: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["store"].widget.attrs["class"] += " requote"
        self.fields["package_service"].choices = [("", "—")] + [
            (service.pk, service.name) for service in services
        ]

    def clean_key(self) -> str:
        return str(self.cleaned_data["key"])


class CheckoutLineForm(forms.Form):
    """One line of the basket. The item is fixed when the line is added (hidden fields); the
    quantity and who served it can be changed."""

    kind = forms.ChoiceField(choices=LineKind.choices, widget=forms.HiddenInput)
    product = forms.IntegerField(required=False, widget=forms.HiddenInput)
    service = forms.IntegerField(required=False, widget=forms.HiddenInput)
    package = forms.IntegerField(required=False, widget=forms.HiddenInput)
    unit_price = forms.DecimalField(
        required=False, min_value=Decimal("0"), **MONEY, widget=forms.HiddenInput
    )
    package_sessions = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_QUANTITY, widget=forms.HiddenInput
    )
    package_valid_days = forms.IntegerField(
        required=False, min_value=0, max_value=3660, widget=forms.HiddenInput
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(
            attrs={"class": "form-control form-control-sm requote", "inputmode": "numeric"}
        ),
    )
    staff = forms.TypedChoiceField(
        label=_("Served by"),
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args: Any, staff_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = staff_choices


CheckoutLineFormSet = forms.formset_factory(
    CheckoutLineForm, extra=0, max_num=200, validate_max=True, absolute_max=200
)


class OrderFilterForm(BootstrapFormMixin, forms.Form):
    store = forms.ModelChoiceField(
        label=_("Store"), queryset=None, required=False, empty_label=_("All stores")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    customer = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name, phone or card number")}),
    )
    q = forms.CharField(
        label=_("Receipt number"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("Receipt number or order reference")}),
    )
    customer_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, stores: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores


class ReturnForm(BootstrapFormMixin, forms.Form):
    """A return: a quantity per line that can still come back (``qty_<line pk>``), or
    everything; the reason; the page's key."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    everything = forms.BooleanField(label=_("Return everything"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args: Any, returnable: list[tuple[Any, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_fields: list[tuple[Any, int, str]] = []
        for line, left in returnable:
            name = f"qty_{line.pk}"
            # What is left is checked by the return itself (under a lock on the order), so that
            # a page opened before another return gets the service's reason, not a bare limit.
            self.fields[name] = forms.IntegerField(
                label=line.description,
                required=False,
                min_value=0,
                max_value=line.quantity,
                initial=0,
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "max": left, "class": "form-control-sm"}
                ),
            )
            self.line_fields.append((line, left, name))

    def clean_key(self) -> str:
        return str(self.cleaned_data["key"])

    def wanted(self) -> list[tuple[Any, int]]:
        """``(line, quantity)`` to return; empty for "everything"."""
        if self.cleaned_data.get("everything"):
            return []
        return [
            (line, self.cleaned_data[name])
            for line, _left, name in self.line_fields
            if self.cleaned_data.get(name)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not data.get("everything") and not self.wanted():
            raise forms.ValidationError(
                _("Enter a quantity for at least one line, or tick “Return everything”.")
            )
        return data
