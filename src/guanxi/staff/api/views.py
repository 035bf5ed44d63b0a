"""The API of the staff directory: stores, staff members and the caller's own account.

The same capabilities and store scoping as the pages apply: a staff member sees only the stores
and colleagues of their own stores. An operation on one object looks it up first, so another
store's object is "not found" (404) whatever the caller's role; only then is the capability of the
method checked (403).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.core.api.pagination import StandardPagination
from guanxi.core.api.permissions import IsActiveStaff, capability_required
from guanxi.core.permissions import (
    CAPABILITIES,
    Role,
    has_capability,
    is_owner,
    require_capability,
)
from guanxi.staff import selectors
from guanxi.staff.models import Store, User
from guanxi.staff.services import directory as services

TAGS = ["staff"]


def _page_of(serializer: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """The schema of one page of results, as ``StandardPagination`` returns it."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )


def _paginated(view: APIView, request: Request, queryset: Any, serializer: type) -> Response:
    paginator = StandardPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


class _PerMethodCapabilityMixin:
    """``capabilities = {"GET": "stores.view", "POST": "stores.manage"}``"""

    capabilities: dict[str, str] = {}
    request: Request

    def get_permissions(self) -> list[BasePermission]:
        capability = self.capabilities.get(self.request.method or "", "")
        if not capability:
            return [IsActiveStaff()]
        return [capability_required(capability)()]


class _ScopedObjectMixin:
    """``capabilities = {"GET": "stores.view", "PATCH": "stores.manage"}`` for one object.

    DRF checks only that the caller is active staff before the handler runs; the handler calls
    ``get_object``, which finds the object among those the caller may see (404 otherwise) and only
    then checks the method's capability (403, audited by the exception handler).
    """

    capabilities: dict[str, str] = {}
    request: Request

    def get_permissions(self) -> list[BasePermission]:
        return [IsActiveStaff()]

    def lookup(self, *, user: Any, pk: int) -> Any:
        raise NotImplementedError

    def get_object(self, pk: int) -> Any:
        obj = self.lookup(user=self.request.user, pk=pk)
        require_capability(self.request.user, self.capabilities[self.request.method or ""])
        return obj


PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1."),
    OpenApiParameter(
        "page_size",
        int,
        description=f"Results per page, at most {StandardPagination.max_page_size}.",
    ),
]
ERRORS = {
    400: OpenApiResponse(description="Invalid fields, or a business rule refused the request."),
    403: OpenApiResponse(description="The caller lacks the capability."),
}
NOT_FOUND = {404: OpenApiResponse(description="No such object among those the caller may see.")}


# --- Stores ---------------------------------------------------------------------------------------


class StoreListApi(_PerMethodCapabilityMixin, APIView):
    capabilities = {"GET": "stores.view", "POST": "stores.manage"}

    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(required=False, default="", allow_blank=True)
        is_active = serializers.BooleanField(required=False, allow_null=True, default=None)

        class Meta:
            ref_name = "StoreFilter"

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        code = serializers.SlugField(max_length=20)
        address = serializers.CharField(
            max_length=300, required=False, default="", allow_blank=True
        )
        phone = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
        opening_hours = serializers.CharField(
            max_length=200, required=False, default="", allow_blank=True
        )

        class Meta:
            ref_name = "StoreCreate"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        name = serializers.CharField()
        code = serializers.CharField()
        address = serializers.CharField()
        phone = serializers.CharField()
        opening_hours = serializers.CharField()
        is_active = serializers.BooleanField()
        created_at = serializers.DateTimeField()
        updated_at = serializers.DateTimeField()

        class Meta:
            ref_name = "Store"

    @extend_schema(
        operation_id="store_list",
        summary="List stores",
        tags=TAGS,
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses={200: _page_of(OutputSerializer, "PaginatedStoreList"), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        is_active = filters.validated_data["is_active"]
        stores = selectors.store_list(user=request.user, search=filters.validated_data["search"])
        if is_active is not None:
            stores = stores.filter(is_active=is_active)
        return _paginated(self, request, stores, self.OutputSerializer)

    @extend_schema(
        operation_id="store_create",
        summary="Add a store",
        tags=TAGS,
        request=InputSerializer,
        responses={201: OutputSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        store = services.store_create(actor=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer(store).data, status=status.HTTP_201_CREATED)


class StoreDetailApi(_ScopedObjectMixin, APIView):
    capabilities = {"GET": "stores.view", "PATCH": "stores.manage"}
    OutputSerializer = StoreListApi.OutputSerializer

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120, required=False)
        code = serializers.SlugField(max_length=20, required=False)
        address = serializers.CharField(max_length=300, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
        opening_hours = serializers.CharField(max_length=200, required=False, allow_blank=True)
        is_active = serializers.BooleanField(required=False)

        class Meta:
            ref_name = "StoreUpdate"

    def lookup(self, *, user: Any, pk: int) -> Store:
        return selectors.store_get(user=user, pk=pk)

    @extend_schema(
        operation_id="store_retrieve",
        summary="One store",
        tags=TAGS,
        responses={200: OutputSerializer, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        store = self.get_object(pk)
        return Response(self.OutputSerializer(store).data)

    @extend_schema(
        operation_id="store_partial_update",
        summary="Change a store; is_active false closes it",
        tags=TAGS,
        request=InputSerializer,
        responses={200: OutputSerializer, **ERRORS, **NOT_FOUND},
    )
    def patch(self, request: Request, pk: int) -> Response:
        store = self.get_object(pk)
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        store = services.store_update(store=store, actor=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer(store).data)


# --- Staff members --------------------------------------------------------------------------------


class _StoreRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    code = serializers.CharField()

    class Meta:
        ref_name = "StoreRef"


class StaffListApi(_PerMethodCapabilityMixin, APIView):
    capabilities = {"GET": "staff.view", "POST": "staff.manage"}

    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(
            required=False,
            default="",
            allow_blank=True,
            help_text="Matches full name, username, phone or e-mail address.",
        )
        role = serializers.ChoiceField(
            choices=Role.choices, required=False, default="", allow_blank=True
        )
        store = serializers.IntegerField(required=False, allow_null=True, default=None)
        is_active = serializers.BooleanField(required=False, allow_null=True, default=None)

        class Meta:
            ref_name = "StaffFilter"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        full_name = serializers.CharField(max_length=150)
        email = serializers.EmailField(required=False, default="", allow_blank=True)
        phone = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
        role = serializers.ChoiceField(choices=Role.choices)
        stores = serializers.PrimaryKeyRelatedField(
            queryset=Store.objects.all(), many=True, required=False, default=list
        )
        language = serializers.ChoiceField(
            choices=settings.LANGUAGES, required=False, default=settings.LANGUAGE_CODE
        )
        password = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            write_only=True,
            trim_whitespace=False,
            style={"input_type": "password"},
            help_text="Leave out to e-mail the staff member a link for setting their password.",
        )

        class Meta:
            ref_name = "StaffCreate"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        username = serializers.CharField()
        full_name = serializers.CharField()
        email = serializers.EmailField()
        phone = serializers.CharField()
        role = serializers.ChoiceField(choices=Role.choices)
        stores = _StoreRefSerializer(many=True, source="stores.all")
        language = serializers.CharField()
        is_active = serializers.BooleanField()
        last_login = serializers.DateTimeField(allow_null=True)
        date_joined = serializers.DateTimeField()

        class Meta:
            ref_name = "StaffMember"

    @extend_schema(
        operation_id="staff_list",
        summary="List staff members",
        tags=TAGS,
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses={200: _page_of(OutputSerializer, "PaginatedStaffMemberList"), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        staff = selectors.staff_list(user=request.user, **filters.validated_data)
        return _paginated(self, request, staff, self.OutputSerializer)

    @extend_schema(
        operation_id="staff_create",
        summary="Add a staff member",
        tags=TAGS,
        request=InputSerializer,
        responses={201: OutputSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        staff_member = services.staff_create(
            **{**data, "password": data["password"] or None},
            actor=request.user,
            domain=request.get_host(),
            use_https=request.is_secure(),
        )
        staff_member = selectors.staff_get(user=request.user, pk=staff_member.pk)
        return Response(self.OutputSerializer(staff_member).data, status=status.HTTP_201_CREATED)


class StaffDetailApi(_ScopedObjectMixin, APIView):
    capabilities = {"GET": "staff.view", "PATCH": "staff.manage"}
    OutputSerializer = StaffListApi.OutputSerializer

    class InputSerializer(serializers.Serializer):
        full_name = serializers.CharField(max_length=150, required=False)
        email = serializers.EmailField(required=False, allow_blank=True)
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
        role = serializers.ChoiceField(choices=Role.choices, required=False)
        stores = serializers.PrimaryKeyRelatedField(
            queryset=Store.objects.all(), many=True, required=False
        )
        language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
        is_active = serializers.BooleanField(required=False)

        class Meta:
            ref_name = "StaffUpdate"

    def lookup(self, *, user: Any, pk: int) -> User:
        return selectors.staff_get(user=user, pk=pk)

    @extend_schema(
        operation_id="staff_retrieve",
        summary="One staff member",
        tags=TAGS,
        responses={200: OutputSerializer, **NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        staff_member = self.get_object(pk)
        return Response(self.OutputSerializer(staff_member).data)

    @extend_schema(
        operation_id="staff_partial_update",
        summary="Change a staff member; is_active false deactivates them",
        tags=TAGS,
        request=InputSerializer,
        responses={200: OutputSerializer, **ERRORS, **NOT_FOUND},
    )
    def patch(self, request: Request, pk: int) -> Response:
        staff_member = self.get_object(pk)
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.staff_update(user=staff_member, actor=request.user, **serializer.validated_data)
        staff_member = selectors.staff_get(user=request.user, pk=pk)
        return Response(self.OutputSerializer(staff_member).data)


# --- The caller -----------------------------------------------------------------------------------


class MeApi(APIView):
    permission_classes = [IsActiveStaff]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        username = serializers.CharField()
        full_name = serializers.CharField()
        email = serializers.EmailField()
        role = serializers.ChoiceField(choices=Role.choices)
        all_stores = serializers.BooleanField(
            help_text="True for owners, who see every store whatever their own stores are."
        )
        stores = _StoreRefSerializer(many=True)
        language = serializers.CharField()
        capabilities = serializers.ListField(child=serializers.CharField())

        class Meta:
            ref_name = "Me"

    @extend_schema(
        operation_id="me_retrieve",
        summary="The caller: role, stores, language and capabilities",
        tags=TAGS,
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        user = request.user
        data = {
            "pk": user.pk,
            "username": user.get_username(),
            "full_name": user.full_name,
            "email": user.email,
            "role": user.role,
            "all_stores": is_owner(user),
            "stores": user.stores.order_by("name"),
            "language": user.language,
            "capabilities": sorted(c for c in CAPABILITIES if has_capability(user, c)),
        }
        return Response(self.OutputSerializer(data).data)
