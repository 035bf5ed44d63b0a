"""Filters of the audit log, shared by the page, the API and the CSV export."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import AuditAction
from guanxi.core.forms import BootstrapFormMixin, DateInput
from guanxi.core.models import AuditEvent

# The names of the filters, in the order the form shows them. Exports keep only these keys.
AUDIT_FILTER_NAMES = ("q", "actor", "action", "object_type", "store", "date_from", "date_to")

# Rows that record a refusal: the log marks them so that an owner spots them at a glance.
DENIAL_ACTIONS = frozenset(
    {AuditAction.PERMISSION_DENIED, AuditAction.LOGIN_FAILED, AuditAction.LOCKED_OUT}
)


def _staff(request: Any) -> QuerySet[Any]:
    return get_user_model()._default_manager.order_by("username")


def _stores(request: Any) -> QuerySet[Any]:
    return apps.get_model("staff", "Store")._default_manager.order_by("name")


def object_type_label(object_type: str) -> str:
    """The verbose name of the model an audit row is about, or the raw type when unknown."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name).capitalize()


def object_type_choices() -> list[tuple[str, str]]:
    types = (
        AuditEvent.objects.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
    return [("", "---------"), *((t, object_type_label(t)) for t in types)]


class AuditFilterForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any object type may be asked for (the API takes free text); the page offers those
        # the log holds.
        self.fields["object_type"].widget = forms.Select(
            choices=object_type_choices(), attrs={"class": "form-select"}
        )


class AuditEventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)
    actor = django_filters.ModelChoiceFilter(label=_("Staff member"), queryset=_staff)
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices)
    object_type = django_filters.CharFilter(label=_("Object type"), max_length=100)
    store = django_filters.ModelChoiceFilter(
        label=_("Store"), queryset=_stores, method="filter_store"
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="created_at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields = list(AUDIT_FILTER_NAMES)
        form = AuditFilterForm

    def filter_search(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(object_repr__icontains=value)
            | Q(actor_name__icontains=value)
            | Q(message__icontains=value)
        )

    def filter_store(self, queryset: QuerySet[AuditEvent], name: str, value: Any) -> Any:
        return queryset.filter(store_id=value.pk)


def audit_filter_data(data: Any) -> dict[str, str]:
    """The filter values of a request (a QueryDict or a dict), as plain strings, empty ones left out."""
    values: dict[str, str] = {}
    for name in AUDIT_FILTER_NAMES:
        value = data.get(name)
        if value is None or value == "":
            continue
        values[name] = str(value)
    return values
