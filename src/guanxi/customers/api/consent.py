"""The consent API: a customer's consent per purpose with its history, recording a grant or a
withdrawal, and the one-call opt-out of one channel or all of them.

Every record carries its time, its source and the staff member who recorded it (the API user).
The customer is looked up in the user's scope first (another store's customer is a 404).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.customers.api.customer import customer_or_404
from guanxi.customers.choices import Channel, ConsentPurpose, ConsentSource
from guanxi.customers.models import ConsentEvent, Customer
from guanxi.customers.selectors.consent import consent_event_list, consent_states
from guanxi.customers.services.consent import ALL_CHANNELS, consent_opt_out, consent_record

# The newest records a GET returns; the consent page shows the whole history.
HISTORY_LIMIT = 100
# A staff member records what the customer said in the store, on a form, by phone, on the web or
# through this API; opt-out links and imports have their own ways in.
NOT_API_SOURCES = frozenset({ConsentSource.OPT_OUT_LINK, ConsentSource.IMPORT})


def _api_source(value: str) -> str:
    if value in NOT_API_SOURCES:
        raise serializers.ValidationError(
            _("This source is recorded by the system, not through the API.")
        )
    return value


def _staff_name(user: Any) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class ConsentEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    purpose = serializers.CharField()
    granted = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()
    source = serializers.CharField()
    recorded_by = serializers.IntegerField(source="recorded_by_id", allow_null=True)
    recorded_by_name = serializers.SerializerMethodField()
    note = serializers.CharField()

    class Meta:
        ref_name = "ConsentEvent"

    def get_recorded_by_name(self, obj: ConsentEvent) -> str | None:
        return _staff_name(obj.recorded_by)


class ConsentStateOutputSerializer(serializers.Serializer):
    purpose = serializers.CharField()
    granted = serializers.BooleanField()
    last_event = ConsentEventOutputSerializer(allow_null=True)

    class Meta:
        ref_name = "ConsentState"


class ConsentOutputSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    states = ConsentStateOutputSerializer(many=True)
    history = ConsentEventOutputSerializer(many=True)
    history_count = serializers.IntegerField()

    class Meta:
        ref_name = "CustomerConsent"


def _consent(customer: Customer) -> dict[str, Any]:
    """The customer's consent now: each purpose's state with the event that decided it, and
    the newest records."""
    customer.refresh_from_db(fields=[f"consent_{p}" for p in ConsentPurpose.values])
    history = consent_event_list(customer=customer)
    return dict(
        ConsentOutputSerializer(
            {
                "customer": customer.pk,
                "states": consent_states(customer=customer),
                "history": list(history[:HISTORY_LIMIT]),
                "history_count": history.count(),
            }
        ).data
    )


class CustomerConsentApi(APIView):
    """``GET``: the consent state per purpose and its history (newest first, at most
    ``HISTORY_LIMIT`` records); ``POST``: record a grant or a withdrawal."""

    class InputSerializer(serializers.Serializer):
        purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
        granted = serializers.BooleanField()
        source = serializers.ChoiceField(choices=ConsentSource.choices, default=ConsentSource.API)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        at = serializers.DateTimeField(
            required=False,
            allow_null=True,
            default=None,
            help_text="When the customer gave or withdrew it (default: now), e.g. a form "
            "signed last week",
        )

        class Meta:
            ref_name = "ConsentRecordInput"

        def validate_source(self, value: str) -> str:
            return _api_source(value)

    @extend_schema(
        operation_id="customers_consent_retrieve", responses={200: ConsentOutputSerializer}
    )
    def get(self, request: Request, pk: int) -> Response:
        customer = customer_or_404(request, pk, "customers.view")
        return Response(_consent(customer))

    @extend_schema(
        operation_id="customers_consent_record",
        request=InputSerializer,
        responses={201: ConsentOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        customer = customer_or_404(request, pk, "customers.change")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent_record(customer=customer, **serializer.validated_data, actor=request.user)
        return Response(_consent(customer), status=status.HTTP_201_CREATED)


class CustomerOptOutApi(APIView):
    """``POST``: withdraw marketing consent on one channel or on every channel (``"all"``).
    Sensitive-data consent is not a channel: withdraw it with a consent record."""

    class InputSerializer(serializers.Serializer):
        channel = serializers.ChoiceField(
            choices=[(ALL_CHANNELS, _("All channels")), *Channel.choices]
        )
        source = serializers.ChoiceField(choices=ConsentSource.choices, default=ConsentSource.API)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "ConsentOptOutInput"

        def validate_source(self, value: str) -> str:
            return _api_source(value)

    @extend_schema(
        operation_id="customers_consent_opt_out",
        request=InputSerializer,
        responses={201: ConsentOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        customer = customer_or_404(request, pk, "customers.change")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent_opt_out(customer=customer, **serializer.validated_data, actor=request.user)
        return Response(_consent(customer), status=status.HTTP_201_CREATED)
