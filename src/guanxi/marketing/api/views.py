"""The member-events API: list events, list an event's registrations, register a customer
(idempotently: a retry with the same ``Idempotency-Key`` gets the first response, and a customer
already registered gets their registration back)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.core.api.pagination import StandardPagination
from guanxi.core.api.permissions import IsActiveStaff
from guanxi.core.api.views import ERRORS, ErrorSerializer
from guanxi.core.idempotency import HEADER, idempotent
from guanxi.core.permissions import require_capability
from guanxi.customers.phones import phone_normalise
from guanxi.customers.selectors.customer import customer_list
from guanxi.marketing import selectors, services
from guanxi.marketing.choices import RegistrationChannel

IDEMPOTENCY_HEADER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Send the same key again to get the first response back without a second write.",
)
WRITE_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Refused by a business rule."),
    422: OpenApiResponse(ErrorSerializer, description="Idempotency key used for another request."),
    **ERRORS,
}


@extend_schema_serializer(component_name="MemberEvent")
class EventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    description = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField()
    store = serializers.IntegerField(source="store_id", allow_null=True)
    capacity = serializers.IntegerField()
    registered = serializers.IntegerField(source="registered_count")
    places_left = serializers.SerializerMethodField()
    registration_open = serializers.BooleanField()
    minimum_tier = serializers.IntegerField(source="minimum_tier_id", allow_null=True)
    minimum_spend = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    spend_since = serializers.DateField(allow_null=True)
    spend_days = serializers.IntegerField(allow_null=True)
    requires_package = serializers.BooleanField()

    def get_places_left(self, event: Any) -> int:
        return max(event.capacity - event.registered_count, 0)


@extend_schema_serializer(component_name="EventRegistration")
class RegistrationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    event = serializers.IntegerField(source="event_id")
    customer = serializers.IntegerField(source="customer_id")
    # Plain strings: a choice field named "status" would collide in the schema's enum names.
    status = serializers.CharField(help_text="registered or cancelled")
    channel = serializers.CharField(help_text="staff or api")
    registered_by = serializers.IntegerField(source="registered_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)


class EventListApi(APIView):
    permission_classes = [IsActiveStaff]
    pagination_class = StandardPagination

    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(
            required=False, allow_blank=True, max_length=100, help_text="Title or place"
        )

        class Meta:
            ref_name = "MemberEventFilter"

    @extend_schema(
        operation_id="marketing_events_list",
        summary="The member events the user may see, newest first",
        parameters=[FilterSerializer],
        responses={200: EventOutputSerializer(many=True), **ERRORS},
        tags=["marketing"],
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, "marketing.view")
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        events = selectors.event_list(
            user=request.user, search=params.validated_data.get("search", "").strip()
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(EventOutputSerializer(page, many=True).data)


class EventRegistrationListApi(APIView):
    """``GET``: the event's registrations (of the customers the user may see); ``POST``: register
    a customer, named by id or by phone."""

    permission_classes = [IsActiveStaff]
    pagination_class = StandardPagination

    @extend_schema_serializer(component_name="EventRegistrationInput")
    class InputSerializer(serializers.Serializer):
        customer = serializers.IntegerField(required=False, min_value=1, help_text="Customer id")
        phone = serializers.CharField(
            required=False, max_length=32, help_text="Or the customer's phone"
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("customer" in attrs) == ("phone" in attrs):
                raise serializers.ValidationError(
                    {"customer": [_("Give the customer's id or phone, one of the two.")]}
                )
            return attrs

    def _event(self, request: Request, pk: int, capability: str) -> Any:
        # Another store's event is "not found" before any capability is checked.
        event = selectors.event_get(user=request.user, pk=pk)
        if event is None:
            raise Http404
        require_capability(request.user, capability)
        return event

    @extend_schema(
        operation_id="marketing_event_registrations_list",
        summary="The registrations of an event",
        responses={200: RegistrationOutputSerializer(many=True), **ERRORS},
        tags=["marketing"],
    )
    def get(self, request: Request, pk: int) -> Response:
        event = self._event(request, pk, "marketing.view")
        registrations = selectors.registration_list(event=event, user=request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(registrations, request, view=self)
        return paginator.get_paginated_response(RegistrationOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="marketing_event_registrations_create",
        summary="Register a customer for an event (201 new, 200 already registered)",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={
            201: RegistrationOutputSerializer,
            200: RegistrationOutputSerializer,
            **WRITE_ERRORS,
        },
        tags=["marketing"],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        event = self._event(request, pk, "marketing.register")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customers = customer_list(user=request.user)
        if "customer" in data.validated_data:
            customer = customers.filter(pk=data.validated_data["customer"]).first()
        else:
            try:
                phone = phone_normalise(data.validated_data["phone"])
            except DjangoValidationError as error:
                raise serializers.ValidationError({"phone": error.messages}) from error
            customer = customers.filter(phone=phone).first()
        if customer is None:
            raise serializers.ValidationError({"customer": [_("No such customer.")]})
        registration, created = services.event_register(
            event=event, customer=customer, actor=request.user, channel=RegistrationChannel.API
        )
        return Response(
            RegistrationOutputSerializer(registration).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
