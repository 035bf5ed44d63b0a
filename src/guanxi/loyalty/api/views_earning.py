"""The loyalty API for tills and POS systems: check a coupon against an order (reads only), list
the gifts, and redeem a gift on a card (idempotent)."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.core.api.permissions import IsActiveStaff
from guanxi.core.api.views import ERRORS
from guanxi.core.idempotency import idempotent
from guanxi.core.permissions import can_see_store, require_capability
from guanxi.customers.selectors.customer import customer_get
from guanxi.loyalty import selectors
from guanxi.loyalty.api.views import IDEMPOTENCY_HEADER, WRITE_ERRORS
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.selectors_earning import gift_get, gift_list
from guanxi.loyalty.services.coupons import coupon_quote
from guanxi.loyalty.services.gifts import gift_redeem
from guanxi.staff.selectors import store_list


@extend_schema_serializer(component_name="LoyaltyCouponQuote")
class CouponQuoteOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2)
    discount = serializers.DecimalField(max_digits=14, decimal_places=2)
    valid_until = serializers.DateField()


class CouponQuoteApi(APIView):
    """What a coupon takes off an order, or the reason it cannot be used. Writes nothing."""

    permission_classes = [IsActiveStaff]

    @extend_schema_serializer(component_name="LoyaltyCouponQuoteInput")
    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=40)
        store = serializers.IntegerField(min_value=1)
        subtotal = serializers.DecimalField(
            max_digits=14, decimal_places=2, min_value=Decimal("0.00")
        )
        customer = serializers.IntegerField(min_value=1, required=False, allow_null=True)

    @extend_schema(
        operation_id="loyalty_coupon_quote",
        summary="Check a coupon against an order (reads only)",
        request=InputSerializer,
        responses={200: CouponQuoteOutputSerializer, **WRITE_ERRORS},
        tags=["loyalty"],
    )
    def post(self, request: Request) -> Response:
        require_capability(request.user, "loyalty.redeem")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not can_see_store(request.user, values["store"]):
            raise Http404
        customer_id = values.get("customer")
        if customer_id is not None and customer_get(user=request.user, pk=customer_id) is None:
            raise Http404
        quote = coupon_quote(
            code=values["code"],
            customer_id=customer_id,
            store_id=values["store"],
            subtotal=values["subtotal"],
            at=timezone.now(),
        )
        coupon = quote.coupon
        return Response(
            CouponQuoteOutputSerializer(
                {
                    "code": coupon.code,
                    "name": coupon.name,
                    "kind": coupon.kind,
                    "value": coupon.value,
                    "subtotal": values["subtotal"],
                    "discount": quote.discount,
                    "valid_until": coupon.valid_until,
                }
            ).data
        )


@extend_schema_serializer(component_name="LoyaltyGift")
class GiftOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    name_zh_hans = serializers.CharField()
    name_zh_hant = serializers.CharField()
    points = serializers.IntegerField()
    stock = serializers.IntegerField()


class GiftListApi(APIView):
    """The gifts on offer (active, in stock), cheapest first."""

    permission_classes = [IsActiveStaff]

    @extend_schema(
        operation_id="loyalty_gift_list",
        summary="Gifts members can redeem points for",
        responses={200: GiftOutputSerializer(many=True), **ERRORS},
        tags=["loyalty"],
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, "loyalty.view")
        gifts = gift_list(active_only=True).filter(stock__gt=0)
        return Response(GiftOutputSerializer(gifts, many=True).data)


@extend_schema_serializer(component_name="LoyaltyGiftRedemption")
class GiftRedemptionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    card = serializers.IntegerField(source="card_id")
    gift = serializers.IntegerField(source="gift_id")
    quantity = serializers.IntegerField()
    points = serializers.IntegerField()
    store = serializers.IntegerField(source="store_id")
    transaction = serializers.IntegerField(source="transaction_id")
    points_left = serializers.IntegerField()
    stock_left = serializers.IntegerField()


class CardGiftRedeemApi(APIView):
    permission_classes = [IsActiveStaff]

    @extend_schema_serializer(component_name="LoyaltyGiftRedeemInput")
    class InputSerializer(serializers.Serializer):
        gift = serializers.IntegerField(min_value=1)
        quantity = serializers.IntegerField(min_value=1, max_value=999, default=1)
        store = serializers.IntegerField(
            min_value=1,
            required=False,
            allow_null=True,
            help_text="Where the gift is handed over; the card's store when left out.",
        )
        reference = serializers.CharField(
            max_length=64, required=False, default="", allow_blank=True
        )

    @extend_schema(
        operation_id="loyalty_card_gift_redeem",
        summary="Redeem points on a member card for a gift of the catalogue",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: GiftRedemptionOutputSerializer, **WRITE_ERRORS},
        tags=["loyalty"],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        # Another store's card is "not found" before any capability is checked.
        card = get_object_or_404(
            selectors.card_list(user=request.user).select_related("membership"), pk=pk
        )
        require_capability(request.user, "loyalty.redeem")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        gift = gift_get(pk=values["gift"])
        if gift is None:
            raise Http404
        store_pk = values.get("store") or card.membership.store_id
        store = get_object_or_404(store_list(user=request.user), pk=store_pk)
        redemption = gift_redeem(
            card=card,
            gift=gift,
            quantity=values["quantity"],
            store=store,
            actor=request.user,
            reference=values["reference"],
        )
        redemption.points_left = int(selectors.card_balances(card)[AccountKind.POINTS])
        redemption.stock_left = gift_get(pk=gift.pk).stock  # type: ignore[union-attr]
        return Response(
            GiftRedemptionOutputSerializer(redemption).data, status=status.HTTP_201_CREATED
        )
