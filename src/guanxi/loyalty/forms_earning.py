"""Forms of the points rules, coupons and gift pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.catalog.selectors import category_tree
from guanxi.core.forms import BootstrapFormMixin, DateInput
from guanxi.loyalty.models import Coupon, Gift, LoyaltySettings, Promotion
from guanxi.loyalty.services.coupons import coupon_code_normalize

PROMOTION_FIELDS = ["name", "starts_on", "ends_on", "multiplier", "category", "store", "is_active"]
COUPON_FIELDS = [
    "code",
    "name",
    "kind",
    "value",
    "minimum_spend",
    "valid_from",
    "valid_until",
    "customer",
    "store",
    "max_uses",
    "max_uses_per_customer",
    "is_active",
]
GIFT_FIELDS = ["name_en", "name_zh_hans", "name_zh_hant", "points", "stock", "is_active"]


def _category_choices(required: bool) -> list[tuple[Any, str]]:
    """Categories as an indented tree, so a parent sits above its subcategories."""
    choices: list[tuple[Any, str]] = [] if required else [("", _("All categories"))]
    choices += [(node.category.pk, node.label) for node in category_tree()]
    return choices


class CategoryChoiceMixin:
    """Show the category field as the indented catalogue tree."""

    category_required = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]  # type: ignore[attr-defined]
        field.widget.choices = _category_choices(self.category_required)


class EarningRatesForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = LoyaltySettings
        fields = ["points_per_currency_unit", "points_redeem_rate"]


class CategoryMultiplierForm(CategoryChoiceMixin, BootstrapFormMixin, forms.Form):
    category_required = True

    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    multiplier = forms.DecimalField(
        label=_("Points multiplier"),
        min_value=0,
        max_digits=5,
        decimal_places=2,
        help_text=_(
            "Points on this category and its subcategories are multiplied by this, e.g. 2. "
            "0 means no points."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = self.fields["category"].widget.choices


class PromotionForm(CategoryChoiceMixin, BootstrapFormMixin, forms.ModelForm):
    def __init__(self, *args: Any, stores: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stores is not None:
            self.fields["store"].queryset = stores

    class Meta:
        model = Promotion
        fields = PROMOTION_FIELDS
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}


class CouponForm(BootstrapFormMixin, forms.ModelForm):
    customer = forms.IntegerField(
        label=_("Customer ID"),
        required=False,
        min_value=1,
        help_text=_("For a personal coupon: the customer's number, shown on their page."),
    )

    def __init__(self, *args: Any, stores: Any = None, customer_lookup: Any = None, **kwargs: Any):
        instance = kwargs.get("instance")
        if instance is not None and instance.customer_id and "initial" not in kwargs:
            kwargs["initial"] = {"customer": instance.customer_id}
        super().__init__(*args, **kwargs)
        self.customer_lookup = customer_lookup
        if stores is not None:
            self.fields["store"].queryset = stores

    class Meta:
        model = Coupon
        fields = COUPON_FIELDS
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}

    def clean_code(self) -> str:
        code = coupon_code_normalize(self.cleaned_data["code"])
        if not code.isalnum():
            raise forms.ValidationError(_("Use letters and digits only."))
        return code

    def clean_customer(self) -> Any:
        pk = self.cleaned_data.get("customer")
        if not pk:
            return None
        customer = self.customer_lookup(pk) if self.customer_lookup else None
        if customer is None:
            raise forms.ValidationError(_("There is no customer with this ID."))
        return customer


class GiftForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Gift
        fields = GIFT_FIELDS


class GiftRestockForm(BootstrapFormMixin, forms.Form):
    quantity = forms.IntegerField(
        label=_("Add to stock"),
        help_text=_("A negative number takes items out, e.g. a damaged one."),
    )


class GiftRedeemForm(BootstrapFormMixin, forms.Form):
    gift = forms.ModelChoiceField(label=_("Gift"), queryset=Gift.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1)
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)

    def __init__(self, *args: Any, gifts: Any, stores: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gift"].queryset = gifts
        self.fields["gift"].label_from_instance = lambda gift: (
            _("%(name)s — %(points)s points (%(stock)s left)")
            % {"name": gift.name, "points": gift.points, "stock": gift.stock}
        )
        self.fields["store"].queryset = stores
