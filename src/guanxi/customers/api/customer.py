"""The customers API: list (filtered, searched, sorted), create, retrieve, update and delete,
with the pages' permissions and store scoping.

Object routes look the customer up in the user's scope first (another store's customer is a
404 for everyone), and only then check the capability for the method (403). Skin and health data
are never read or written here: they have their own route (``api-customer-sensitive``), which
checks the consent and logs every read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.core.api.pagination import StandardPagination
from guanxi.core.permissions import require_capability
from guanxi.customers import services
from guanxi.customers.choices import Channel, Gender, IncomeBand, Source
from guanxi.customers.models import Customer, Tag
from guanxi.customers.phones import phone_normalise
from guanxi.customers.selectors import (
    Consent,
    CustomerFilters,
    Sort,
    customer_get,
    customer_list,
)
from guanxi.customers.selectors.households import household_list
from guanxi.customers.selectors.tags import tag_list
from guanxi.staff.selectors import staff_list, store_list

# What the sensitive-data route carries; sent here, they are refused rather than ignored, so a
# client never believes they were saved.
SENSITIVE_FIELDS = ("skin_type", "skin_concerns", "health_notes")


def _tag_ids(customer: Customer) -> list[int]:
    return sorted(tag.pk for tag in customer.tags.all())


class CustomerOutputSerializer(serializers.Serializer):
    """A customer's master data; completeness and consent are kept by the services (read-only)."""

    id = serializers.IntegerField(source="pk")
    full_name = serializers.CharField()
    phone = serializers.CharField()
    gender = serializers.CharField()
    birthday = serializers.DateField(allow_null=True)
    email = serializers.CharField()
    province = serializers.CharField()
    city = serializers.CharField()
    district = serializers.CharField()
    street = serializers.CharField()
    preferred_channel = serializers.CharField()
    occupation = serializers.CharField()
    income_band = serializers.CharField()
    hobbies = serializers.CharField()
    source = serializers.CharField()
    referrer = serializers.IntegerField(source="referrer_id", allow_null=True)
    home_store = serializers.IntegerField(source="home_store_id")
    home_store_name = serializers.CharField(source="home_store.name")
    responsible_staff = serializers.IntegerField(source="responsible_staff_id", allow_null=True)
    responsible_staff_name = serializers.SerializerMethodField()
    household = serializers.IntegerField(source="household_id", allow_null=True)
    tags = serializers.SerializerMethodField()
    external_id = serializers.CharField(allow_null=True)
    completeness = serializers.IntegerField()
    consent_sms = serializers.BooleanField()
    consent_email = serializers.BooleanField()
    consent_wechat = serializers.BooleanField()
    consent_phone = serializers.BooleanField()
    consent_mail = serializers.BooleanField()
    consent_sensitive = serializers.BooleanField()
    erased_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Customer"

    def get_responsible_staff_name(self, obj: Customer) -> str | None:
        staff = obj.responsible_staff
        return (staff.get_full_name() or staff.get_username()) if staff else None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_tags(self, obj: Customer) -> list[int]:
        return _tag_ids(obj)


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A primary key looked up only among the objects the requesting user may see, so another
    store's id is "does not exist", exactly as if it did not."""

    def __init__(self, *, choices: Callable[[Any], QuerySet[Any]], **kwargs: Any) -> None:
        self.choices_for = choices
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.choices_for(self.context["request"].user)


def _stores(user: Any) -> QuerySet[Any]:
    return store_list(user=user, include_inactive=False)


def _staff(user: Any) -> QuerySet[Any]:
    return staff_list(user=user, is_active=True)


def _customers(user: Any) -> QuerySet[Any]:
    return customer_list(user=user)


def _households(user: Any) -> QuerySet[Any]:
    return household_list(user=user)


def with_tag_ids(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """The customers with their tag ids in one extra query for the whole page."""
    return customers.prefetch_related(Prefetch("tags", queryset=Tag.objects.only("pk")))


def customer_or_404(request: Request, pk: int, capability: str) -> Customer:
    """The customer if the user may see them (else 404), then the capability (else 403)."""
    customer = customer_get(user=request.user, pk=pk)
    if customer is None:
        raise Http404
    require_capability(request.user, capability)
    return customer


class CustomerInputSerializer(serializers.Serializer):
    """The master data a client may write. Every field is optional on update (PATCH)."""

    full_name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=32)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    birthday = serializers.DateField(required=False, allow_null=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    province = serializers.CharField(max_length=50, required=False, allow_blank=True)
    city = serializers.CharField(max_length=50, required=False, allow_blank=True)
    district = serializers.CharField(max_length=50, required=False, allow_blank=True)
    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    preferred_channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, allow_blank=True
    )
    occupation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    income_band = serializers.ChoiceField(
        choices=IncomeBand.choices, required=False, allow_blank=True
    )
    hobbies = serializers.CharField(max_length=300, required=False, allow_blank=True)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    referrer = ScopedPrimaryKeyField(choices=_customers, required=False, allow_null=True)
    home_store = ScopedPrimaryKeyField(choices=_stores)
    responsible_staff = ScopedPrimaryKeyField(choices=_staff, required=False, allow_null=True)
    household = ScopedPrimaryKeyField(choices=_households, required=False, allow_null=True)
    tags = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100
    )
    external_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, allow_null=True
    )

    def __init__(self, *args: Any, customer: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer

    def validate_phone(self, value: str) -> str:
        return phone_normalise(value)

    def validate_tags(self, value: list[int]) -> list[Tag]:
        wanted = set(value)
        tags = list(tag_list().filter(pk__in=wanted))
        unknown = sorted(wanted - {tag.pk for tag in tags})
        if unknown:
            raise serializers.ValidationError(
                _("No tag has the id %(ids)s.") % {"ids": ", ".join(map(str, unknown))}
            )
        return tags

    def validate_referrer(self, value: Customer | None) -> Customer | None:
        if value is not None and self.customer is not None and value.pk == self.customer.pk:
            raise serializers.ValidationError(_("A customer cannot refer themselves."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        sent = [name for name in SENSITIVE_FIELDS if name in self.initial_data]
        if sent:
            message = _(
                "Skin and health data are written through the customer's sensitive-data route."
            )
            raise serializers.ValidationError(dict.fromkeys(sent, [message]))
        household = attrs.get("household")
        store = attrs.get("home_store") or (self.customer.home_store if self.customer else None)
        if household is not None and store is not None and household.store_id != store.pk:
            raise serializers.ValidationError(
                {"household": [_("This household belongs to another store than the customer.")]}
            )
        return attrs

    class Meta:
        ref_name = "CustomerInput"


class CustomerUpdateInputSerializer(CustomerInputSerializer):
    """The same fields, all optional: ``PATCH`` changes only the fields it sends."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    class Meta:
        ref_name = "CustomerUpdateInput"


class CustomerListApi(APIView):
    """``GET``: the customers the user may see, with the list page's filters; ``POST``: register
    a customer."""

    pagination_class = StandardPagination

    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=100,
            help_text="Name (Chinese in either script, pinyin or initials), whole phone or its "
            "last 4 digits, email or external id",
        )
        store = serializers.IntegerField(required=False, min_value=1, help_text="Home store id")
        responsible_staff = serializers.IntegerField(
            required=False, min_value=1, help_text="Responsible staff member id"
        )
        tag = serializers.IntegerField(required=False, min_value=1, help_text="Tag id")
        birthday_month = serializers.IntegerField(required=False, min_value=1, max_value=12)
        created_from = serializers.DateField(required=False, help_text="Registered on or after")
        created_to = serializers.DateField(required=False, help_text="Registered on or before")
        completeness_min = serializers.IntegerField(required=False, min_value=0, max_value=100)
        completeness_max = serializers.IntegerField(required=False, min_value=0, max_value=100)
        source = serializers.ChoiceField(choices=Source.choices, required=False)
        consent = serializers.ChoiceField(
            choices=Consent.choices, required=False, help_text="Consent granted for"
        )
        has_household = serializers.BooleanField(required=False, allow_null=True, default=None)
        ordering = serializers.ChoiceField(choices=Sort.choices, required=False)

        class Meta:
            ref_name = "CustomerFilter"

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            low, high = attrs.get("created_from"), attrs.get("created_to")
            if low and high and low > high:
                raise serializers.ValidationError(
                    {"created_to": [_("The end date is before the start date.")]}
                )
            low, high = attrs.get("completeness_min"), attrs.get("completeness_max")
            if low is not None and high is not None and low > high:
                raise serializers.ValidationError(
                    {"completeness_max": [_("The maximum is below the minimum.")]}
                )
            return attrs

        def filters(self) -> CustomerFilters:
            data = self.validated_data
            return CustomerFilters(
                store_id=data.get("store"),
                responsible_staff_id=data.get("responsible_staff"),
                search=data.get("search", "").strip(),
                birthday_month=data.get("birthday_month"),
                tag_id=data.get("tag"),
                created_from=data.get("created_from"),
                created_to=data.get("created_to"),
                completeness_min=data.get("completeness_min"),
                completeness_max=data.get("completeness_max"),
                source=data.get("source", ""),
                consent=data.get("consent", ""),
                has_household=data.get("has_household"),
                sort=data.get("ordering", ""),
            )

    @extend_schema(
        operation_id="customers_list",
        parameters=[FilterSerializer],
        responses={200: CustomerOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, "customers.view")
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        customers = with_tag_ids(customer_list(user=request.user, filters=params.filters()))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(customers, request, view=self)
        return paginator.get_paginated_response(CustomerOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="customers_create",
        request=CustomerInputSerializer,
        responses={201: CustomerOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        require_capability(request.user, "customers.create")
        serializer = CustomerInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        tags = data.pop("tags", None)
        customer = services.customer_create(**data, tags=tags, actor=request.user)
        customer = with_tag_ids(customer_list(user=request.user)).get(pk=customer.pk)
        return Response(CustomerOutputSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailApi(APIView):
    """``GET`` one customer, ``PATCH`` some of their fields, ``DELETE`` them."""

    @extend_schema(operation_id="customers_retrieve", responses={200: CustomerOutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        customer = customer_or_404(request, pk, "customers.view")
        return Response(CustomerOutputSerializer(customer).data)

    @extend_schema(
        operation_id="customers_partial_update",
        request=CustomerUpdateInputSerializer,
        responses={200: CustomerOutputSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        customer = customer_or_404(request, pk, "customers.change")
        serializer = CustomerUpdateInputSerializer(
            data=request.data, context={"request": request}, customer=customer
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        tags = data.pop("tags", None)
        customer = services.customer_update(
            customer=customer, data=data, tags=tags, actor=request.user
        )
        return Response(CustomerOutputSerializer(customer).data)

    @extend_schema(operation_id="customers_destroy", request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        customer = customer_or_404(request, pk, "customers.delete")
        services.customer_delete(customer=customer, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
