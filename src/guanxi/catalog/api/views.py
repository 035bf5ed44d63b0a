"""The catalogue API: products, services and categories. Every staff role reads them
(``catalog.view``); owners and store managers create and change them (``catalog.manage``).
Owners and store managers also see a product's cost and margin."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.catalog.api.serializers import (
    CategoryOutputSerializer,
    ProductCostOutputSerializer,
    ProductOutputSerializer,
    ServiceOutputSerializer,
)
from guanxi.catalog.models import Brand, Category
from guanxi.catalog.selectors import (
    category_get,
    category_list,
    product_get,
    product_list,
    service_get,
    service_list,
)
from guanxi.catalog.services import (
    category_create,
    category_update,
    product_create,
    product_update,
    service_create,
    service_update,
)
from guanxi.catalog.validators import validate_ean13
from guanxi.core.api.pagination import StandardPagination
from guanxi.core.permissions import has_capability, require_capability

VIEW = "catalog.view"
MANAGE = "catalog.manage"
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


def _or_404(obj: Any) -> Any:
    if obj is None:
        raise Http404
    return obj


def _product_serializer(request: Request) -> type[ProductOutputSerializer]:
    if has_capability(request.user, MANAGE):
        return ProductCostOutputSerializer
    return ProductOutputSerializer


def _active(request: Request) -> bool | None:
    return {"true": True, "1": True, "false": False, "0": False}.get(
        request.query_params.get("is_active", "").lower()
    )


SEARCH_PARAMETERS = [
    OpenApiParameter("search", str, description="Name in any script, pinyin, SKU or barcode"),
    OpenApiParameter("is_active", bool, description="Only items on sale (true) or off (false)"),
]


class ProductInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    barcode = serializers.CharField(
        max_length=13, required=False, allow_blank=True, validators=[validate_ean13]
    )
    name_en = serializers.CharField(max_length=200)
    name_zh_hans = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_zh_hant = serializers.CharField(max_length=200, required=False, allow_blank=True)
    brand = serializers.PrimaryKeyRelatedField(
        queryset=Brand.objects.all(), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    price = serializers.DecimalField(**MONEY)
    cost = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False, default=True)

    class Meta:
        ref_name = "CatalogProductInput"


class ProductListApi(APIView):
    """``GET``: products by name, searchable; ``POST``: a new product."""

    @extend_schema(
        operation_id="catalog_products_list",
        parameters=SEARCH_PARAMETERS,
        responses={200: ProductCostOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, VIEW)
        products = product_list(
            search=request.query_params.get("search", "")[:100], is_active=_active(request)
        )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(products, request, view=self)
        data = _product_serializer(request)(page, many=True).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="catalog_products_create",
        request=ProductInputSerializer,
        responses={201: ProductCostOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        require_capability(request.user, MANAGE)
        serializer = ProductInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = product_create(**serializer.validated_data, actor=request.user)
        data = ProductCostOutputSerializer(product_get(pk=product.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class ProductDetailApi(APIView):
    """``GET`` one product; ``PATCH`` some of its fields (``is_active: false`` takes it off
    sale)."""

    @extend_schema(
        operation_id="catalog_products_retrieve", responses={200: ProductCostOutputSerializer}
    )
    def get(self, request: Request, pk: int) -> Response:
        require_capability(request.user, VIEW)
        product = _or_404(product_get(pk=pk))
        return Response(_product_serializer(request)(product).data)

    @extend_schema(
        operation_id="catalog_products_partial_update",
        request=ProductInputSerializer(partial=True),
        responses={200: ProductCostOutputSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        require_capability(request.user, MANAGE)
        product = _or_404(product_get(pk=pk))
        serializer = ProductInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        product_update(product=product, data=serializer.validated_data, actor=request.user)
        return Response(ProductCostOutputSerializer(product_get(pk=pk)).data)


class ServiceInputSerializer(serializers.Serializer):
    name_en = serializers.CharField(max_length=200)
    name_zh_hans = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_zh_hant = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    price = serializers.DecimalField(**MONEY)
    is_active = serializers.BooleanField(required=False, default=True)

    class Meta:
        ref_name = "CatalogServiceInput"


class ServiceListApi(APIView):
    """``GET``: services by name, searchable; ``POST``: a new service."""

    @extend_schema(
        operation_id="catalog_services_list",
        parameters=SEARCH_PARAMETERS,
        responses={200: ServiceOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, VIEW)
        services = service_list(
            search=request.query_params.get("search", "")[:100], is_active=_active(request)
        )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(services, request, view=self)
        return paginator.get_paginated_response(ServiceOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="catalog_services_create",
        request=ServiceInputSerializer,
        responses={201: ServiceOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        require_capability(request.user, MANAGE)
        serializer = ServiceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service = service_create(**serializer.validated_data, actor=request.user)
        return Response(ServiceOutputSerializer(service).data, status=status.HTTP_201_CREATED)


class ServiceDetailApi(APIView):
    """``GET`` one service; ``PATCH`` some of its fields."""

    @extend_schema(
        operation_id="catalog_services_retrieve", responses={200: ServiceOutputSerializer}
    )
    def get(self, request: Request, pk: int) -> Response:
        require_capability(request.user, VIEW)
        return Response(ServiceOutputSerializer(_or_404(service_get(pk=pk))).data)

    @extend_schema(
        operation_id="catalog_services_partial_update",
        request=ServiceInputSerializer(partial=True),
        responses={200: ServiceOutputSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        require_capability(request.user, MANAGE)
        service = _or_404(service_get(pk=pk))
        serializer = ServiceInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        service = service_update(
            service=service, data=serializer.validated_data, actor=request.user
        )
        return Response(ServiceOutputSerializer(service).data)


class CategoryInputSerializer(serializers.Serializer):
    name_en = serializers.CharField(max_length=200)
    name_zh_hans = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_zh_hant = serializers.CharField(max_length=200, required=False, allow_blank=True)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )

    class Meta:
        ref_name = "CatalogCategoryInput"


class CategoryListApi(APIView):
    """``GET``: every category; ``POST``: a new one."""

    @extend_schema(
        operation_id="catalog_categories_list",
        responses={200: CategoryOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, VIEW)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(category_list(), request, view=self)
        return paginator.get_paginated_response(CategoryOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="catalog_categories_create",
        request=CategoryInputSerializer,
        responses={201: CategoryOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        require_capability(request.user, MANAGE)
        serializer = CategoryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = category_create(**serializer.validated_data, actor=request.user)
        return Response(CategoryOutputSerializer(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailApi(APIView):
    """``GET`` one category; ``PATCH`` its names or parent."""

    @extend_schema(
        operation_id="catalog_categories_retrieve", responses={200: CategoryOutputSerializer}
    )
    def get(self, request: Request, pk: int) -> Response:
        require_capability(request.user, VIEW)
        return Response(CategoryOutputSerializer(_or_404(category_get(pk=pk))).data)

    @extend_schema(
        operation_id="catalog_categories_partial_update",
        request=CategoryInputSerializer(partial=True),
        responses={200: CategoryOutputSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        require_capability(request.user, MANAGE)
        category = _or_404(category_get(pk=pk))
        serializer = CategoryInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        category = category_update(
            category=category, data=serializer.validated_data, actor=request.user
        )
        return Response(CategoryOutputSerializer(category).data)
