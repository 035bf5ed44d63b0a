"""The core API: background jobs and the audit log."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
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

from guanxi.core import selectors, services_audit
from guanxi.core.api.pagination import StandardPagination
from guanxi.core.api.permissions import IsActiveStaff, capability_required
from guanxi.core.choices import AuditAction, JobStatus
from guanxi.core.filters import audit_filter_data


@extend_schema_serializer(component_name="ErrorBody")
class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    # A declared field may bear the name "fields": DRF moves declared fields off the class.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (see ``guanxi.core.api.exceptions``)."""

    error = ErrorBodySerializer()


ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed."),
    404: OpenApiResponse(ErrorSerializer, description="Not found."),
}


@extend_schema_serializer(component_name="Job")
class JobOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=JobStatus.choices)
    progress_done = serializers.IntegerField()
    progress_total = serializers.IntegerField()
    percent = serializers.IntegerField()
    message = serializers.CharField()
    result = serializers.DictField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class JobDetailApi(APIView):
    permission_classes = [IsActiveStaff]

    @extend_schema(
        operation_id="job_retrieve",
        summary="A background job's status, progress and result",
        responses={200: JobOutputSerializer, **ERRORS},
        tags=["jobs"],
    )
    def get(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(selectors.job_list(user=request.user), pk=pk)
        return Response(JobOutputSerializer(job).data)


@extend_schema_serializer(component_name="AuditFilter")
class AuditFilterSerializer(serializers.Serializer):
    """The filters of the audit log, the same as on the page."""

    q = serializers.CharField(
        required=False, max_length=100, help_text="Text in the object, staff member or details."
    )
    actor = serializers.IntegerField(required=False, help_text="Staff member id.")
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    object_type = serializers.CharField(
        required=False, max_length=100, help_text='"app_label.model_name", e.g. customers.customer.'
    )
    store = serializers.IntegerField(required=False, help_text="Store id.")
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


@extend_schema_serializer(component_name="AuditEvent")
class AuditEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    created_at = serializers.DateTimeField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_name = serializers.CharField()
    ip_address = serializers.IPAddressField(allow_null=True)
    action = serializers.ChoiceField(choices=AuditAction.choices)
    object_type = serializers.CharField()
    object_pk = serializers.CharField()
    object_repr = serializers.CharField()
    store = serializers.IntegerField(source="store_id", allow_null=True)
    changes = serializers.JSONField()
    message = serializers.CharField()


@extend_schema_serializer(component_name="PaginatedAuditEventList")
class AuditEventPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AuditEventOutputSerializer(many=True)


class AuditEventListApi(APIView):
    permission_classes = [capability_required("audit.view")]

    @extend_schema(
        operation_id="audit_event_list",
        summary="The audit log, filtered and paginated (owners only)",
        parameters=[
            AuditFilterSerializer,
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number."),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description="Rows per page (at most 500)."
            ),
        ],
        responses={
            200: AuditEventPageSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid filters."),
            **ERRORS,
        },
        tags=["audit"],
    )
    def get(self, request: Request) -> Response:
        filters = AuditFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = selectors.audit_event_list(
            user=request.user, filters=audit_filter_data(filters.validated_data)
        )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(AuditEventOutputSerializer(page, many=True).data)


class AuditExportApi(APIView):
    permission_classes = [capability_required("audit.view")]

    @extend_schema_serializer(component_name="AuditExportStarted")
    class OutputSerializer(serializers.Serializer):
        job = JobOutputSerializer()
        url = serializers.URLField(help_text="Poll this URL for the job's progress.")

    @extend_schema(
        operation_id="audit_event_export",
        summary="Start a CSV export of the audit log (owners only)",
        request=AuditFilterSerializer,
        responses={
            202: OutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid filters."),
            **ERRORS,
        },
        tags=["audit"],
    )
    def post(self, request: Request) -> Response:
        filters = AuditFilterSerializer(data=request.data)
        filters.is_valid(raise_exception=True)
        job = services_audit.audit_export_start(
            actor=request.user, filters=audit_filter_data(filters.validated_data)
        )
        job.refresh_from_db()
        url = request.build_absolute_uri(reverse("api-job-detail", kwargs={"pk": job.pk}))
        data: dict[str, Any] = {"job": JobOutputSerializer(job).data, "url": url}
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": url})
