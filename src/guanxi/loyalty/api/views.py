"""The loyalty API: redeem points and top up stored value on a card, idempotently."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
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

from guanxi.core.api.permissions import IsActiveStaff
from guanxi.core.api.views import ERRORS, ErrorSerializer
from guanxi.core.idempotency import HEADER, idempotent
from guanxi.core.permissions import require_capability
from guanxi.loyalty import selectors, services
from guanxi.loyalty.choices import AccountKind

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


@extend_schema_serializer(component_name="LoyaltyCardBalances")
class CardBalancesOutputSerializer(serializers.Serializer):
    card = serializers.IntegerField(source="card_pk")
    number = serializers.CharField()
    transaction = serializers.IntegerField(source="transaction_pk")
    points = serializers.IntegerField()
    stored_value_principal = serializers.DecimalField(max_digits=16, decimal_places=2)
    stored_value_bonus = serializers.DecimalField(max_digits=16, decimal_places=2)


def _balances(card, txn) -> dict:  # type: ignore[no-untyped-def]
    balances = selectors.card_balances(card)
    return {
        "card_pk": card.pk,
        "number": card.number,
        "transaction_pk": txn.pk,
        "points": int(balances[AccountKind.POINTS]),
        "stored_value_principal": balances[AccountKind.STORED_VALUE_PRINCIPAL],
        "stored_value_bonus": balances[AccountKind.STORED_VALUE_BONUS],
    }


class CardPointsRedeemApi(APIView):
    permission_classes = [IsActiveStaff]

    @extend_schema_serializer(component_name="LoyaltyPointsRedeemInput")
    class InputSerializer(serializers.Serializer):
        points = serializers.IntegerField(min_value=1)
        memo = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
        reference = serializers.CharField(
            max_length=64, required=False, default="", allow_blank=True
        )

    @extend_schema(
        operation_id="loyalty_card_points_redeem",
        summary="Redeem points on a member card",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: CardBalancesOutputSerializer, **WRITE_ERRORS},
        tags=["loyalty"],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        # Another store's card is "not found" before any capability is checked.
        card = get_object_or_404(selectors.card_list(user=request.user), pk=pk)
        require_capability(request.user, "loyalty.redeem")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        txn = services.points_redeem(card=card, actor=request.user, **data.validated_data)
        return Response(
            CardBalancesOutputSerializer(_balances(card, txn)).data, status=status.HTTP_201_CREATED
        )


class CardStoredValueTopupApi(APIView):
    permission_classes = [IsActiveStaff]

    @extend_schema_serializer(component_name="LoyaltyStoredValueTopupInput")
    class InputSerializer(serializers.Serializer):
        amount = serializers.DecimalField(
            max_digits=14, decimal_places=2, min_value=Decimal("0.01")
        )
        payment = serializers.CharField(max_length=300)
        reference = serializers.CharField(
            max_length=64, required=False, default="", allow_blank=True
        )

    @extend_schema(
        operation_id="loyalty_card_stored_value_topup",
        summary="Top up stored value on a member card (bonus rules apply)",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: CardBalancesOutputSerializer, **WRITE_ERRORS},
        tags=["loyalty"],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        card = get_object_or_404(selectors.card_list(user=request.user), pk=pk)
        require_capability(request.user, "loyalty.topup")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        txn = services.stored_value_topup(card=card, actor=request.user, **data.validated_data)
        return Response(
            CardBalancesOutputSerializer(_balances(card, txn)).data, status=status.HTTP_201_CREATED
        )
