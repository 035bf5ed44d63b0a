"""The skin and health data of one customer: ``GET`` and ``PUT``, with the rules of the page.

The customer is looked up in the user's scope first (another store's customer is a 404), then
the role must be allowed to see sensitive data (403), then the customer must have a current
sensitive-data consent (400, code ``consent_required``). Every ``GET`` that returns data is
logged. The main customer API never carries these fields.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.core.errors import ApplicationError
from guanxi.core.permissions import require_capability
from guanxi.customers.choices import SkinConcern, SkinType
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_get
from guanxi.customers.selectors.sensitive import (
    CAPABILITY,
    SensitiveAccess,
    sensitive_access,
    sensitive_profile_get,
)
from guanxi.customers.services.sensitive import HEALTH_NOTES_MAX_LENGTH, sensitive_profile_update


def _customer_or_404(request: Request, pk: int) -> Customer:
    customer = customer_get(user=request.user, pk=pk)
    if customer is None:
        raise Http404
    require_capability(request.user, CAPABILITY)
    return customer


def _require_consent(customer: Customer, request: Request) -> None:
    if sensitive_access(customer=customer, user=request.user) != SensitiveAccess.ALLOWED:
        raise ApplicationError(
            _("The customer has not given consent for skin and health data."),
            code="consent_required",
        )


class CustomerSensitiveApi(APIView):
    """``GET``: the customer's skin type, skin concerns and health notes; ``PUT``: replace them."""

    class OutputSerializer(serializers.Serializer):
        skin_type = serializers.CharField()
        skin_concerns = serializers.ListField(child=serializers.CharField())
        health_notes = serializers.CharField()
        updated_at = serializers.DateTimeField(allow_null=True)

    class InputSerializer(serializers.Serializer):
        skin_type = serializers.ChoiceField(choices=SkinType.choices, allow_blank=True)
        skin_concerns = serializers.ListField(
            child=serializers.ChoiceField(choices=SkinConcern.choices), allow_empty=True
        )
        health_notes = serializers.CharField(
            allow_blank=True, max_length=HEALTH_NOTES_MAX_LENGTH, trim_whitespace=True
        )

    EMPTY = {"skin_type": "", "skin_concerns": [], "health_notes": "", "updated_at": None}

    @extend_schema(operation_id="customers_sensitive_retrieve", responses={200: OutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        customer = _customer_or_404(request, pk)
        _require_consent(customer, request)
        profile = sensitive_profile_get(customer=customer, user=request.user)
        data = self.OutputSerializer(profile).data if profile is not None else self.EMPTY
        return Response(data)

    @extend_schema(
        operation_id="customers_sensitive_update",
        request=InputSerializer,
        responses={200: OutputSerializer},
    )
    def put(self, request: Request, pk: int) -> Response:
        customer = _customer_or_404(request, pk)
        _require_consent(customer, request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = sensitive_profile_update(
            customer=customer, data=serializer.validated_data, actor=request.user
        )
        return Response(self.OutputSerializer(profile).data)
