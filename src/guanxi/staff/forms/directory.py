"""Forms for stores, staff members and the organisation settings.

The forms only parse input; the services in ``staff.services.directory`` validate the rules and
save. Plain forms (not model forms) keep the instance untouched until the service changes it, so
the audit trail sees the real "before" values.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapFormMixin
from guanxi.core.permissions import Role
from guanxi.staff.models import Store, User


class StoreForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.SlugField(
        label=_("Code"),
        max_length=20,
        help_text=_("A short code used on receipts and card numbers, e.g. SH01."),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        max_length=200,
        required=False,
        help_text=_("For example: Mon–Sun 10:00–21:00"),
    )

    @classmethod
    def initial_for(cls, store: Store) -> dict[str, Any]:
        return {name: getattr(store, name) for name in cls.base_fields}


class _StoresField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.is_active:
            return str(obj)
        return _("%(store)s (inactive)") % {"store": obj}


def _store_choices(*, current: QuerySet[Store] | None = None) -> QuerySet[Store]:
    """Active stores, plus inactive ones the staff member still belongs to."""
    stores = Store.objects.filter(is_active=True)
    if current is not None:
        stores = stores | Store.objects.filter(pk__in=current.values("pk"))
    return stores.distinct().order_by("name")


class _ChoicesBeforeValidation:
    """Limit the choices of the form's fields to what the signed-in staff member may pick,
    once the form has its fields: subclasses override ``limit_choices``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_choices()

    def limit_choices(self) -> None:
        raise NotImplementedError


class _StaffFieldsForm(BootstrapFormMixin, _ChoicesBeforeValidation, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    stores = _StoresField(
        label=_("Stores"),
        queryset=Store.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Everyone but owners works in at least one store and sees only its data."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class StaffCreateForm(_StaffFieldsForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Used to sign in. Letters, digits and @/./+/-/_ only."),
    )
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave empty to e-mail the staff member a link for setting their own password."
        ),
    )
    password_confirm = forms.CharField(
        label=_("Initial password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "username",
        "full_name",
        "email",
        "phone",
        "role",
        "stores",
        "language",
        "password",
        "password_confirm",
    ]

    def limit_choices(self) -> None:
        self.fields["stores"].queryset = _store_choices()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("password", "") != cleaned.get("password_confirm", ""):
            self.add_error("password_confirm", _("The two passwords are not the same."))
        return cleaned


class StaffUpdateForm(_StaffFieldsForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Inactive staff cannot sign in; their customers and history stay."),
    )

    def __init__(self, *args: Any, staff_member: User, **kwargs: Any) -> None:
        self.staff_member = staff_member
        kwargs.setdefault(
            "initial",
            {
                "full_name": staff_member.full_name,
                "email": staff_member.email,
                "phone": staff_member.phone,
                "role": staff_member.role,
                "stores": list(staff_member.stores.all()),
                "language": staff_member.language,
                "is_active": staff_member.is_active,
            },
        )
        super().__init__(*args, **kwargs)

    def limit_choices(self) -> None:
        self.fields["stores"].queryset = _store_choices(current=self.staff_member.stores.all())


class OrganisationForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Business name"), max_length=200)
    require_two_factor = forms.BooleanField(
        label=_("Require two-factor sign-in for owners and store managers"),
        required=False,
        help_text=_(
            "Owners and store managers then confirm each sign-in with a code from an "
            "authenticator app."
        ),
    )


class StaffFilterForm(BootstrapFormMixin, _ChoicesBeforeValidation, forms.Form):
    """The filters above the staff list; every field is optional."""

    STATUS_ACTIVE = "active"
    STATUS_INACTIVE = "inactive"
    STATUS_ALL = "all"

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, username or phone")}
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )
    store = forms.ModelChoiceField(
        label=_("Store"), required=False, queryset=Store.objects.none(), empty_label=_("All stores")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (STATUS_ACTIVE, _("Active")),
            (STATUS_INACTIVE, _("Inactive")),
            (STATUS_ALL, _("All")),
        ],
    )

    def __init__(self, *args: Any, stores: QuerySet[Store], **kwargs: Any) -> None:
        self.store_choices = stores
        super().__init__(*args, **kwargs)

    def limit_choices(self) -> None:
        self.fields["store"].queryset = self.store_choices

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``staff_list``; a filter with an invalid value is ignored."""
        self.is_valid()
        data = self.cleaned_data
        status = data.get("status") or self.STATUS_ACTIVE
        return {
            "search": data.get("q", ""),
            "role": data.get("role", ""),
            "store": data.get("store"),
            "is_active": {self.STATUS_ACTIVE: True, self.STATUS_INACTIVE: False}.get(status),
        }
