"""The analytics API, with the pages' permissions and store scoping.

- ``GET grid/`` and ``GET segments/``: the R×F grid's 16 cells and the 8 RFM segments of the
  customers the user may see (``?store=`` one of their stores);
- ``GET customers/``: the customers of a cell, segment, decile, class or level, with their
  figures (paged);
- ``GET customers/<id>/``: one customer's figures, live totals and suggestions (another store's
  customer is a 404 before the capability is checked);
- ``GET audiences/``, ``POST audiences/`` (save a definition's customers), ``GET audiences/<id>/``.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.analytics.api.serializers import (
    AudienceDetailSerializer,
    AudienceInputSerializer,
    AudienceSerializer,
    CustomerFiguresSerializer,
    CustomerFilterSerializer,
    CustomerWithMetricsSerializer,
    GridSerializer,
    SegmentsSerializer,
    StoreFilterSerializer,
    definition_of,
)
from guanxi.analytics.selectors import (
    audience_customers,
    audience_get,
    audience_list,
    customer_metrics_get,
    customer_purchase_totals,
    customer_suggestions,
    grid_cell_actions,
    run_latest,
)
from guanxi.analytics.selectors_pages import customers_of_definition, grid_groups, segment_groups
from guanxi.analytics.services import audience_create
from guanxi.core.api.pagination import StandardPagination
from guanxi.core.permissions import require_capability
from guanxi.customers.selectors import customer_get, customer_search_q


def _store_id(request: Request) -> int | None:
    params = StoreFilterSerializer(data=request.query_params, context={"request": request})
    params.is_valid(raise_exception=True)
    store = params.validated_data.get("store")
    return store.pk if store is not None else None


class GridApi(APIView):
    @extend_schema(
        operation_id="analytics_grid", parameters=[StoreFilterSerializer], responses=GridSerializer
    )
    def get(self, request: Request) -> Response:
        """The R×F grid: 16 cells, recency band major, with customers, revenue, shares and the
        recommended action."""
        require_capability(request.user, "analytics.reports")
        store_id = _store_id(request)
        run = run_latest()
        actions = grid_cell_actions()
        cells = []
        for group in grid_groups(user=request.user, store_id=store_id):
            recency, frequency = _split(group.key)
            cells.append(
                {
                    "cell": group.key,
                    "recency_band": recency,
                    "frequency_band": frequency,
                    "customers": group.customers,
                    "revenue": group.revenue,
                    "customer_share": group.customer_share,
                    "revenue_share": group.revenue_share,
                    "action": actions.get(group.key, ""),
                }
            )
        data = {
            "as_of": run.as_of if run else None,
            "thresholds": run.thresholds if run else {},
            "cells": cells,
        }
        return Response(GridSerializer(data).data)


def _split(key: str) -> tuple[str, str]:
    for recency in ("active", "silent", "sleeping", "lost"):
        if key.startswith(recency + "_"):
            return recency, key[len(recency) + 1 :]
    raise ValueError(key)


class SegmentsApi(APIView):
    @extend_schema(
        operation_id="analytics_segments",
        parameters=[StoreFilterSerializer],
        responses=SegmentsSerializer,
    )
    def get(self, request: Request) -> Response:
        """The eight RFM segments with customers, revenue and shares."""
        require_capability(request.user, "analytics.reports")
        store_id = _store_id(request)
        run = run_latest()
        segments = [
            {
                "segment": g.key,
                "customers": g.customers,
                "revenue": g.revenue,
                "customer_share": g.customer_share,
                "revenue_share": g.revenue_share,
            }
            for g in segment_groups(user=request.user, store_id=store_id)
        ]
        data = {"as_of": run.as_of if run else None, "segments": segments}
        return Response(SegmentsSerializer(data).data)


class CustomerListApi(APIView):
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="analytics_customers_list",
        parameters=[CustomerFilterSerializer],
        responses=CustomerWithMetricsSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """The customers of a group (all filters optional), the biggest spenders first."""
        require_capability(request.user, "analytics.reports")
        params = CustomerFilterSerializer(data=request.query_params, context={"request": request})
        params.is_valid(raise_exception=True)
        customers = customers_of_definition(user=request.user, definition=params.definition())
        term = params.validated_data.get("search", "").strip()
        if term:
            customers = customers.filter(customer_search_q(term))
        customers = customers.select_related("home_store", "metrics").order_by(
            "-metrics__total_spend", "pk"
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(customers, request, view=self)
        return paginator.get_paginated_response(CustomerWithMetricsSerializer(page, many=True).data)


class CustomerFiguresApi(APIView):
    @extend_schema(operation_id="analytics_customer_figures", responses=CustomerFiguresSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One customer's figures (last refresh), live totals and suggestions."""
        customer = customer_get(user=request.user, pk=pk)
        if customer is None:
            raise Http404
        require_capability(request.user, "analytics.view")
        suggestions = customer_suggestions(customer)
        data = {
            "customer": customer.pk,
            "metrics": customer_metrics_get(customer),
            "totals": customer_purchase_totals(customer),
            "often_bought_together": list(suggestions.get("often_bought_together", [])),
            "likely_next": list(suggestions.get("likely_next", [])),
        }
        return Response(CustomerFiguresSerializer(data).data)


class AudienceListApi(APIView):
    pagination_class = StandardPagination

    @extend_schema(operation_id="analytics_audiences_list", responses=AudienceSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The audiences the user may see, newest first."""
        require_capability(request.user, "analytics.reports")
        audiences = audience_list(user=request.user).order_by("-created_at", "-pk")
        search = request.query_params.get("search", "").strip()[:100]
        if search:
            audiences = audiences.filter(name__icontains=search)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(audiences, request, view=self)
        return paginator.get_paginated_response(AudienceSerializer(page, many=True).data)

    @extend_schema(
        operation_id="analytics_audiences_create",
        request=AudienceInputSerializer,
        responses={201: AudienceSerializer},
    )
    def post(self, request: Request) -> Response:
        """Save the customers of a definition, as they are now, as an audience."""
        require_capability(request.user, "analytics.audience")
        data = AudienceInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        definition = definition_of(data.validated_data.get("definition") or {})
        audience = audience_create(
            actor=request.user,
            name=data.validated_data["name"],
            description=data.validated_data.get("description", ""),
            definition=definition,
        )
        return Response(AudienceSerializer(audience).data, status=status.HTTP_201_CREATED)


class AudienceDetailApi(APIView):
    @extend_schema(operation_id="analytics_audiences_retrieve", responses=AudienceDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One audience with the ids of its customers the user may see."""
        audience = audience_get(user=request.user, pk=pk)
        if audience is None:
            raise Http404
        require_capability(request.user, "analytics.reports")
        members = list(
            audience_customers(user=request.user, audience=audience).values_list("pk", flat=True)
        )
        data = AudienceSerializer(audience).data
        data["members"] = members
        return Response(data)
