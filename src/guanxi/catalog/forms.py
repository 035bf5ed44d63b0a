"""Forms of the catalogue pages. They only parse input; the services validate and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.catalog.models import Brand, Category, Product, Service
from guanxi.catalog.selectors import category_tree, product_find_by_code
from guanxi.core.forms import BootstrapFormMixin, DateInput
from guanxi.core.money import DECIMAL_PLACES, MAX_DIGITS


def money_field(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        min_value=0,
        required=required,
    )


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories in tree order, children indented under their parent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Category.objects.all(), **kwargs)


def _tree_choices(field: CategoryChoiceField) -> None:
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = empty + [(n.category.pk, n.label) for n in category_tree()]


class NamesMixin(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_zh_hans = forms.CharField(
        label=_("Name (simplified Chinese)"), max_length=200, required=False
    )
    name_zh_hant = forms.CharField(
        label=_("Name (traditional Chinese)"), max_length=200, required=False
    )


class CategoryForm(BootstrapFormMixin, NamesMixin):
    parent = CategoryChoiceField(
        label=_("Parent category"), required=False, empty_label=_("(top level)")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _tree_choices(self.fields["parent"])


class BrandForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


class ProductForm(BootstrapFormMixin, NamesMixin):
    sku = forms.CharField(label=_("SKU"), max_length=40)
    barcode = forms.CharField(
        label=_("Barcode (EAN-13)"),
        max_length=20,
        required=False,
        help_text=_("The 13 digits under the bars on the pack; scan it into this field."),
    )
    brand = forms.ModelChoiceField(
        label=_("Brand"), queryset=Brand.objects.order_by("name"), required=False
    )
    category = CategoryChoiceField(label=_("Category"))
    price = money_field(_("List price"))
    cost = money_field(_("Cost"), required=False)
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True)

    field_order = ["sku", "barcode", "name_en", "name_zh_hans", "name_zh_hant", "brand"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _tree_choices(self.fields["category"])

    @classmethod
    def initial_from(cls, product: Product) -> dict[str, Any]:
        return {name: getattr(product, name) for name in cls.base_fields}


class ServiceForm(BootstrapFormMixin, NamesMixin):
    category = CategoryChoiceField(label=_("Category"))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1)
    price = money_field(_("List price"))
    is_active = forms.BooleanField(label=_("On offer"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _tree_choices(self.fields["category"])

    @classmethod
    def initial_from(cls, service: Service) -> dict[str, Any]:
        return {name: getattr(service, name) for name in cls.base_fields}


class PriceListForm(BootstrapFormMixin, forms.Form):
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, stores: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stores is None:
            del self.fields["store"]
        else:
            self.fields["store"].queryset = stores


class PriceListItemForm(BootstrapFormMixin, forms.Form):
    """One price in a list: a product (by SKU or barcode) or a service."""

    product = forms.CharField(label=_("Product SKU or barcode"), max_length=40, required=False)
    service = forms.ModelChoiceField(
        label=_("or service"), queryset=Service.objects.filter(is_active=True), required=False
    )
    price = money_field(_("Price"))
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = (data.get("product") or "").strip()
        data["product"] = None
        if code:
            product = product_find_by_code(code=code)
            if product is None:
                self.add_error("product", _("No product has this SKU or barcode."))
            data["product"] = product
        if bool(data.get("product") or code) == bool(data.get("service")):
            if not self.errors:
                self.add_error(None, _("Choose a product or a service, not both."))
        return data
