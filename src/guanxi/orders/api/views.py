"""The orders API: an external POS records sales and returns; orders are listed and read.

- ``POST /api/v1/orders/`` checks out an order sent by an external POS (``source=api``): the
  customer by phone, external id or card number, lines by SKU (or barcode), product, service
  or package, the payments, and the POS's own order reference. A reference is recorded once:
  sending it again gives 409 with the existing order's id.
- ``GET /api/v1/orders/`` and ``GET /api/v1/orders/<id>/``: the orders of the user's stores.
- ``POST /api/v1/orders/<id>/returns/``: take lines (or, without lines, everything left) back.

Writes require an ``Idempotency-Key`` header: a retry with the same key returns the first
response and writes nothing; the same key with another request is refused with 422. Object
routes look the order up in the user's scope first (another store's order is a 404 for
everyone), then check the capability (403).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
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

from guanxi.catalog.selectors import product_find_by_code
from guanxi.core.api.pagination import StandardPagination
from guanxi.core.api.views import ERRORS, ErrorSerializer
from guanxi.core.errors import ApplicationError
from guanxi.core.idempotency import HEADER, idempotent
from guanxi.core.permissions import require_capability
from guanxi.orders import selectors, services
from guanxi.orders.choices import LineKind, OrderSource, OrderStatus, PaymentMethod
from guanxi.staff.selectors import staff_list, store_list

IDEMPOTENCY_HEADER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per request; send the same key again to get the first response "
    "back without a second write.",
)
WRITE_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Refused by a business rule."),
    422: OpenApiResponse(ErrorSerializer, description="Idempotency key used for another request."),
    **ERRORS,
}
MONEY = {"max_digits": 14, "decimal_places": 2}


def _error(http_status: int, code: str, message: str, **extra: Any) -> Response:
    return Response(
        {"error": {"code": code, "message": message, "fields": {}, **extra}}, status=http_status
    )


def _key_missing(request: Request) -> Response | None:
    if request.headers.get(HEADER, "").strip():
        return None
    return _error(
        400,
        "idempotency_key_required",
        _("Send an Idempotency-Key header with every order and return."),
    )


# --- Output ---------------------------------------------------------------------------------------


class OrderLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    position = serializers.IntegerField()
    kind = serializers.CharField()
    product = serializers.IntegerField(source="product_id", allow_null=True)
    service = serializers.IntegerField(source="service_id", allow_null=True)
    package = serializers.IntegerField(source="package_id", allow_null=True)
    sku = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    quantity_returned = serializers.IntegerField()
    unit_price = serializers.DecimalField(**MONEY)
    discount = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY)
    staff = serializers.IntegerField(source="staff_id", allow_null=True)
    points_earned = serializers.IntegerField()

    class Meta:
        ref_name = "OrderLine"


class PaymentOutputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    amount = serializers.DecimalField(**MONEY)
    points = serializers.IntegerField()
    refunded = serializers.DecimalField(**MONEY)
    points_refunded = serializers.IntegerField()
    reference = serializers.CharField()

    class Meta:
        ref_name = "OrderPayment"


class ReturnLineOutputSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="line_id")
    quantity = serializers.IntegerField()
    amount = serializers.DecimalField(**MONEY)
    sessions = serializers.IntegerField()
    points = serializers.IntegerField()

    class Meta:
        ref_name = "OrderReturnLine"


class RefundOutputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    amount = serializers.DecimalField(**MONEY)
    points = serializers.IntegerField()
    deducted = serializers.DecimalField(**MONEY)

    class Meta:
        ref_name = "OrderRefund"


class OrderReturnOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    order = serializers.IntegerField(source="order_id")
    store = serializers.IntegerField(source="store_id")
    reason = serializers.CharField()
    amount = serializers.DecimalField(
        **MONEY, help_text="The value of the goods taken back, refunded to the payments."
    )
    deducted = serializers.DecimalField(
        **MONEY, help_text="Kept back for points earned on the goods that were already spent."
    )
    points_clawed_back = serializers.IntegerField()
    points_shortfall = serializers.IntegerField()
    lines = ReturnLineOutputSerializer(many=True, source="lines.all")
    refunds = RefundOutputSerializer(many=True, source="refunds.all")
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "OrderReturn"


class OrderListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    reference = serializers.CharField()
    source = serializers.ChoiceField(choices=OrderSource.choices)
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    store = serializers.IntegerField(source="store_id")
    customer = serializers.IntegerField(source="customer_id", allow_null=True)
    card_number = serializers.CharField(source="card.number", allow_null=True, default=None)
    ordered_at = serializers.DateTimeField()
    total = serializers.DecimalField(**MONEY)
    returned_total = serializers.DecimalField(**MONEY)
    points_earned = serializers.IntegerField()

    class Meta:
        ref_name = "OrderSummary"


class OrderOutputSerializer(OrderListOutputSerializer):
    subtotal = serializers.DecimalField(**MONEY)
    tier_discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    tier_discount = serializers.DecimalField(**MONEY)
    coupon_code = serializers.CharField()
    coupon_discount = serializers.DecimalField(**MONEY)
    note = serializers.CharField()
    lines = OrderLineOutputSerializer(many=True, source="lines.all")
    payments = PaymentOutputSerializer(many=True, source="payments.all")
    returns = OrderReturnOutputSerializer(many=True, source="returns.all")

    class Meta:
        ref_name = "Order"


def _order_data(request: Request, pk: int) -> dict[str, Any]:
    order = selectors.order_get(user=request.user, pk=pk)
    if order is None:
        raise Http404
    return dict(OrderOutputSerializer(order).data)


# --- Input ----------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="OrderCustomerInput")
class CustomerInputSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    card_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="OrderLineInput")
class LineInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineKind.choices, default=LineKind.PRODUCT)
    sku = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="SKU or EAN-13 barcode."
    )
    product = serializers.IntegerField(required=False, min_value=1)
    service = serializers.IntegerField(
        required=False, min_value=1, help_text="The service, or the service a package is of."
    )
    package = serializers.IntegerField(
        required=False, min_value=1, help_text="The member's package a session is taken from."
    )
    quantity = serializers.IntegerField(min_value=1, default=1)
    unit_price = serializers.DecimalField(
        **MONEY,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave out for the catalogue price of the store and day.",
    )
    staff = serializers.CharField(
        max_length=150, required=False, allow_blank=True, help_text="Username of who served."
    )
    package_sessions = serializers.IntegerField(min_value=0, default=0)
    package_valid_days = serializers.IntegerField(min_value=0, default=0)


@extend_schema_serializer(component_name="OrderPaymentInput")
class PaymentInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class OrderListApi(APIView):
    """``GET``: the orders of the user's stores; ``POST``: record a sale from an external POS."""

    pagination_class = StandardPagination

    @extend_schema_serializer(component_name="OrderFilter")
    class FilterSerializer(serializers.Serializer):
        store = serializers.IntegerField(required=False, min_value=1, help_text="Store id")
        customer = serializers.IntegerField(required=False, min_value=1, help_text="Customer id")
        date_from = serializers.DateField(required=False, help_text="Sold on or after")
        date_to = serializers.DateField(required=False, help_text="Sold on or before")
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=64,
            help_text="Receipt number or order reference",
        )

        def filters(self) -> selectors.OrderFilters:
            data = self.validated_data
            return selectors.OrderFilters(
                store_id=data.get("store"),
                customer_id=data.get("customer"),
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
                q=data.get("q", ""),
            )

    @extend_schema_serializer(component_name="OrderCreateInput")
    class InputSerializer(serializers.Serializer):
        reference = serializers.CharField(
            max_length=64, help_text="The order's number in the POS; recorded once."
        )
        store = serializers.IntegerField(
            required=False, min_value=1, help_text="Leave out when you work in one store."
        )
        ordered_at = serializers.DateTimeField(required=False, help_text="Default: now.")
        customer = CustomerInputSerializer(required=False)
        coupon_code = serializers.CharField(
            max_length=40, required=False, allow_blank=True, default=""
        )
        note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
        lines = LineInputSerializer(many=True, allow_empty=False, max_length=500)
        payments = PaymentInputSerializer(many=True, max_length=20)

    @extend_schema(
        operation_id="orders_list",
        summary="The orders of your stores",
        parameters=[FilterSerializer],
        responses={200: OrderListOutputSerializer(many=True), **ERRORS},
        tags=["orders"],
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, "orders.view")
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        orders = selectors.order_list(user=request.user, filters=params.filters())
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(OrderListOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_create",
        summary="Record a sale from an external POS",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={
            201: OrderOutputSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="The reference was already recorded; `order` is its id.",
            ),
            **WRITE_ERRORS,
        },
        tags=["orders"],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        require_capability(request.user, "orders.checkout")
        missing = _key_missing(request)
        if missing is not None:
            return missing
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        store = _store(request, data.get("store"))
        customer, card = _customer(request, data.get("customer") or {})
        lines = [_line(request, line) for line in data["lines"]]
        payments = [
            services.CheckoutPayment(
                method=p["method"], amount=p["amount"], reference=p["reference"]
            )
            for p in data["payments"]
        ]
        try:
            with transaction.atomic():
                order = services.checkout(
                    store=store,
                    actor=request.user,
                    lines=lines,
                    payments=payments,
                    customer=customer,
                    card=card,
                    coupon_code=data["coupon_code"],
                    source=OrderSource.API,
                    reference=data["reference"],
                    ordered_at=data.get("ordered_at"),
                    note=data["note"],
                )
        except ApplicationError as error:
            if error.code != "duplicate_reference":
                raise
            return _error(409, error.code, error.message, order=error.extra["order"])
        except IntegrityError:
            # Another request recorded the same reference while this one was being written.
            existing = selectors.order_find_by_reference(
                user=request.user, source=OrderSource.API, reference=data["reference"]
            )
            if existing is None:
                raise
            return _error(
                409,
                "duplicate_reference",
                _("Order reference %(reference)s was already recorded as order %(number)s.")
                % {"reference": existing.reference, "number": existing.number},
                order=existing.pk,
            )
        return Response(_order_data(request, order.pk), status=status.HTTP_201_CREATED)


def _store(request: Request, pk: int | None) -> Any:
    stores = store_list(user=request.user, include_inactive=False)
    if pk is not None:
        store = stores.filter(pk=pk).first()
        if store is None:
            raise ApplicationError(_("You do not work in this store."), code="unknown_store")
        return store
    mine = list(stores[:2])
    if len(mine) != 1:
        raise ApplicationError(_("Say in which store the sale was made."), code="store_required")
    return mine[0]


def _customer(request: Request, data: dict[str, str]) -> tuple[Any, Any]:
    try:
        return selectors.customer_find(
            user=request.user,
            phone=data.get("phone", ""),
            external_id=data.get("external_id", ""),
            card_number=data.get("card_number", ""),
        )
    except LookupError as error:
        messages = {
            "card": (_("No member card has this number."), "card_not_found"),
            "phone": (_("No customer has this phone number."), "customer_not_found"),
            "customer": (_("No customer has this external id."), "customer_not_found"),
        }
        message, code = messages[str(error.args[0])]
        raise ApplicationError(message, code=code) from error


def _line(request: Request, data: dict[str, Any]) -> services.CheckoutLine:
    product_id = data.get("product")
    if data.get("sku"):
        product = product_find_by_code(code=data["sku"])
        if product is None:
            raise ApplicationError(
                _("No product has the SKU or barcode %(code)s.") % {"code": data["sku"]},
                code="unknown_product",
            )
        product_id = product.pk
    staff_id = None
    if data.get("staff"):
        staff = staff_list(user=request.user).filter(username=data["staff"]).first()
        if staff is None:
            raise ApplicationError(
                _("No staff member of your stores has the username %(username)s.")
                % {"username": data["staff"]},
                code="unknown_staff",
            )
        staff_id = staff.pk
    return services.CheckoutLine(
        kind=data["kind"],
        quantity=data["quantity"],
        product_id=product_id,
        service_id=data.get("service"),
        package_id=data.get("package"),
        unit_price=data["unit_price"],
        staff_id=staff_id,
        package_sessions=data["package_sessions"],
        package_valid_days=data["package_valid_days"],
    )


class OrderDetailApi(APIView):
    @extend_schema(
        operation_id="orders_retrieve",
        summary="One order with its lines, payments and returns",
        responses={200: OrderOutputSerializer, **ERRORS},
        tags=["orders"],
    )
    def get(self, request: Request, pk: int) -> Response:
        data = _order_data(request, pk)
        require_capability(request.user, "orders.view")
        return Response(data)


@extend_schema_serializer(component_name="OrderReturnLineInput")
class ReturnLineInputSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, help_text="The order line's id")
    quantity = serializers.IntegerField(min_value=1)


class OrderReturnCreateApi(APIView):
    @extend_schema_serializer(component_name="OrderReturnInput")
    class InputSerializer(serializers.Serializer):
        lines = ReturnLineInputSerializer(
            many=True,
            required=False,
            max_length=500,
            help_text="Leave out (or empty) to return everything not yet returned.",
        )
        reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
        store = serializers.IntegerField(
            required=False, min_value=1, help_text="Where the goods came back; default the order's."
        )

    @extend_schema(
        operation_id="orders_return_create",
        summary="Take lines of an order back and refund them",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: OrderReturnOutputSerializer, **WRITE_ERRORS},
        tags=["orders"],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        order = selectors.order_get(user=request.user, pk=pk)
        if order is None:
            raise Http404
        require_capability(request.user, "orders.return")
        missing = _key_missing(request)
        if missing is not None:
            return missing
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lines_by_pk = {line.pk: line for line in order.lines.all()}
        wanted = []
        for item in data.get("lines", []):
            line = lines_by_pk.get(item["line"])
            if line is None:
                raise ApplicationError(
                    _("This line is not part of order %(number)s.") % {"number": order.number},
                    code="unknown_line",
                )
            wanted.append((line, item["quantity"]))
        store = _store(request, data["store"]) if data.get("store") else None
        returned = services.order_return(
            order=order, lines=wanted, actor=request.user, store=store, reason=data["reason"]
        )
        returned = selectors.order_return_list(user=request.user).get(pk=returned.pk)
        return Response(OrderReturnOutputSerializer(returned).data, status=status.HTTP_201_CREATED)
