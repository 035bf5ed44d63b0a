"""Forms of the customers pages. They parse and validate input; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin, DateInput
from guanxi.core.permissions import Role
from guanxi.customers.choices import Channel, Gender, IncomeBand, Source
from guanxi.customers.phones import phone_normalise
from guanxi.customers.selectors import Consent, CustomerFilters, Sort, customer_list
from guanxi.customers.selectors.households import household_list
from guanxi.customers.selectors.tags import tag_list
from guanxi.staff.selectors import staff_list, store_list


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class HouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.store.name}"


class ScopedForm(forms.Form):
    """A form whose choices depend on the signed-in staff member: subclasses limit them in
    ``scope_fields``, which runs as soon as the form has its fields."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.scope_fields(user)

    def scope_fields(self, user: Any) -> None:
        raise NotImplementedError


class CustomerPhoneField(forms.CharField):
    """A customer the user may see, typed as their phone number (the picker fills it in)."""

    widget = forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)
        self.user: Any = None

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if not value:
            return None
        phone = phone_normalise(value)
        customer = customer_list(user=self.user).filter(phone=phone).first()
        if customer is None:
            raise ValidationError(_("No customer has this phone number."), code="not_found")
        return customer


class CustomerForm(BootstrapFormMixin, ScopedForm):
    """Create and edit a customer's master data. Stores, staff, households and the referrer are
    limited to what the signed-in staff member may see."""

    full_name = forms.CharField(label=_("Full name"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        help_text=_("A mobile such as 138 0013 8000, or a landline with its area code."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=DateInput)
    email = forms.EmailField(label=_("Email"), required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"),
        choices=[("", _("No preference")), *Channel.choices],
        required=False,
    )
    province = forms.CharField(label=_("Province"), max_length=50, required=False)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    district = forms.CharField(label=_("District"), max_length=50, required=False)
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=100, required=False)
    income_band = forms.ChoiceField(
        label=_("Income band"), choices=IncomeBand.choices, required=False
    )
    hobbies = forms.CharField(
        label=_("Hobbies"),
        max_length=300,
        required=False,
        help_text=_("Separate them with commas, e.g. yoga, tea, travel."),
    )
    home_store = forms.ModelChoiceField(label=_("Home store"), queryset=None)
    responsible_staff = StaffChoiceField(
        label=_("Responsible staff member"), queryset=None, required=False
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=Source.choices, initial=Source.STORE, required=False
    )
    referrer = CustomerPhoneField(
        label=_("Referred by"),
        required=False,
        help_text=_("The phone number of the member who introduced this customer."),
    )
    household = HouseholdChoiceField(
        label=_("Household"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        help_text=_("Only households of the customer's home store can be chosen."),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    external_id = forms.CharField(
        label=_("External ID"),
        max_length=64,
        required=False,
        help_text=_("The customer's number in another system, e.g. the old POS."),
    )

    fieldsets = (
        (
            _("Identity and contact"),
            ("full_name", "phone", "gender", "birthday", "email", "preferred_channel"),
        ),
        (_("Address"), ("province", "city", "district", "street")),
        (_("Profile"), ("occupation", "income_band", "hobbies")),
        (
            _("Relationship with the business"),
            ("home_store", "responsible_staff", "source", "referrer", "household", "external_id"),
        ),
        (_("Tags"), ("tags",)),
    )

    def __init__(self, *args: Any, customer: Any = None, **kwargs: Any) -> None:
        self.customer = customer
        super().__init__(*args, **kwargs)

    def scope_fields(self, user: Any) -> None:
        stores = store_list(user=user, include_inactive=False)
        self.fields["home_store"].queryset = stores
        self.fields["responsible_staff"].queryset = staff_list(user=user, is_active=True)
        self.fields["household"].queryset = household_list(user=user)
        self.fields["tags"].queryset = tag_list()
        self.fields["referrer"].user = user
        if not self.is_bound and "home_store" not in self.initial:
            only = list(stores[:2])
            if len(only) == 1:
                self.initial["home_store"] = only[0].pk
            if getattr(user, "role", None) in (Role.SALES, Role.SERVICE_AGENT):
                self.initial.setdefault("responsible_staff", user.pk)

    @classmethod
    def initial_for(cls, customer: Any) -> dict[str, Any]:
        """The form's starting values for an existing customer."""
        names = [n for _label, fields in cls.fieldsets for n in fields]
        initial = {n: getattr(customer, n) for n in names if n not in ("referrer", "tags")}
        initial["home_store"] = customer.home_store_id
        initial["responsible_staff"] = customer.responsible_staff_id
        initial["household"] = customer.household_id
        initial["referrer"] = customer.referrer.phone if customer.referrer_id else ""
        initial["tags"] = list(customer.tags.values_list("pk", flat=True))
        return initial

    def grouped_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(label, [self[name] for name in names]) for label, names in self.fieldsets]

    def clean_phone(self) -> str:
        return phone_normalise(self.cleaned_data["phone"])

    def clean_source(self) -> str:
        return self.cleaned_data.get("source") or Source.STORE

    def clean_referrer(self) -> Any:
        referrer = self.cleaned_data.get("referrer")
        if referrer is not None and self.customer is not None and referrer.pk == self.customer.pk:
            raise ValidationError(_("A customer cannot refer themselves."), code="self")
        return referrer

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        household, store = data.get("household"), data.get("home_store")
        if household is not None and store is not None and household.store_id != store.pk:
            self.add_error(
                "household", _("This household belongs to another store than the customer.")
            )
        return data

    def service_data(self) -> tuple[dict[str, Any], list[Any]]:
        """The master data for customer_create/update and the tags, apart."""
        data = dict(self.cleaned_data)
        tags = list(data.pop("tags", []) or [])
        return data, tags


BIRTHDAY_MONTHS = [("", _("Any month")), *((str(n), MONTHS[n]) for n in range(1, 13))]
HOUSEHOLD_CHOICES = [("", _("Any")), ("yes", _("In a household")), ("no", _("Not in a household"))]


class CustomerFilterForm(BootstrapFormMixin, ScopedForm):
    """The filters of the customer list and export, read from the query string."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, phone or its last 4 digits"), "type": "search"}
        ),
    )
    store = forms.ModelChoiceField(
        label=_("Store"), queryset=None, required=False, empty_label=_("All stores")
    )
    responsible_staff = StaffChoiceField(
        label=_("Responsible staff member"),
        queryset=None,
        required=False,
        empty_label=_("Anyone"),
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"), queryset=None, required=False, empty_label=_("Any tag")
    )
    birthday_month = forms.TypedChoiceField(
        label=_("Birthday month"),
        choices=BIRTHDAY_MONTHS,
        coerce=int,
        empty_value=None,
        required=False,
    )
    created_from = forms.DateField(label=_("Registered from"), required=False, widget=DateInput)
    created_to = forms.DateField(label=_("Registered until"), required=False, widget=DateInput)
    completeness_min = forms.IntegerField(
        label=_("Completeness at least (%)"), min_value=0, max_value=100, required=False
    )
    completeness_max = forms.IntegerField(
        label=_("Completeness at most (%)"), min_value=0, max_value=100, required=False
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("Any source")), *Source.choices], required=False
    )
    consent = forms.ChoiceField(
        label=_("Consent"), choices=[("", _("Any")), *Consent.choices], required=False
    )
    household = forms.ChoiceField(label=_("Household"), choices=HOUSEHOLD_CHOICES, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=Sort.choices, required=False)

    # The filters shown folded away under "More filters" on a phone.
    more_fields = (
        "tag",
        "created_from",
        "created_to",
        "completeness_min",
        "completeness_max",
        "source",
        "consent",
        "household",
    )

    def scope_fields(self, user: Any) -> None:
        self.fields["store"].queryset = store_list(user=user)
        self.fields["responsible_staff"].queryset = staff_list(user=user)
        self.fields["tag"].queryset = tag_list()

    def filters(self) -> CustomerFilters:
        """The valid filters; an invalid one (another store's id, say) is ignored."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        store = data.get("store")
        staff = data.get("responsible_staff")
        tag = data.get("tag")
        household = data.get("household")
        return CustomerFilters(
            store_id=store.pk if store else None,
            responsible_staff_id=staff.pk if staff else None,
            search=(data.get("q") or "").strip(),
            birthday_month=data.get("birthday_month"),
            tag_id=tag.pk if tag else None,
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            completeness_min=data.get("completeness_min"),
            completeness_max=data.get("completeness_max"),
            source=data.get("source") or "",
            consent=data.get("consent") or "",
            has_household={"yes": True, "no": False}.get(household or ""),
            sort=data.get("sort") or "",
        )

    def more_filters_used(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) not in (None, "") for name in self.more_fields)
