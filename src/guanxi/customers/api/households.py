"""The households API: list, create, retrieve, rename, dissolve, and add or remove a member,
with the household pages' permissions.

A household belongs to a store and is scoped like its members: another store's household is a
404 for everyone but the owner, before any capability is checked.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.core.api.pagination import StandardPagination
from guanxi.core.permissions import require_capability
from guanxi.customers.api.customer import ScopedPrimaryKeyField
from guanxi.customers.models import Household
from guanxi.customers.selectors import customer_list
from guanxi.customers.selectors.households import household_get, household_list, household_members
from guanxi.customers.services.households import (
    household_create,
    household_dissolve,
    household_member_add,
    household_member_remove,
    household_update,
)
from guanxi.staff.selectors import store_list


def _stores(user: Any) -> Any:
    return store_list(user=user, include_inactive=False)


def _customers(user: Any) -> Any:
    return customer_list(user=user)


def household_or_404(request: Request, pk: int, capability: str) -> Household:
    """The household if the user may see it (else 404), then the capability (else 403)."""
    household = household_get(user=request.user, pk=pk)
    if household is None:
        raise Http404
    require_capability(request.user, capability)
    return household


class HouseholdMemberOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    full_name = serializers.CharField()
    phone = serializers.CharField()

    class Meta:
        ref_name = "HouseholdMember"


class HouseholdOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    store = serializers.IntegerField(source="store_id")
    store_name = serializers.CharField(source="store.name")
    notes = serializers.CharField()
    member_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Household"


class HouseholdDetailOutputSerializer(HouseholdOutputSerializer):
    members = HouseholdMemberOutputSerializer(many=True, source="member_rows")

    class Meta:
        ref_name = "HouseholdDetail"


def _detail(request: Request, pk: int) -> dict[str, Any]:
    """The household as the user sees it now, with its members, oldest member first."""
    household = household_get(user=request.user, pk=pk)
    if household is None:
        raise Http404
    household.member_rows = list(household_members(household=household))
    return dict(HouseholdDetailOutputSerializer(household).data)


class HouseholdListApi(APIView):
    """``GET``: the households the user may see; ``POST``: create one, optionally with its
    first members."""

    pagination_class = StandardPagination

    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=100,
            help_text="Part of the household's name or of a member's name",
        )

        class Meta:
            ref_name = "HouseholdFilter"

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        store = ScopedPrimaryKeyField(choices=_stores)
        notes = serializers.CharField(required=False, allow_blank=True, default="")
        members = serializers.ListField(
            child=ScopedPrimaryKeyField(choices=_customers),
            required=False,
            default=list,
            max_length=20,
        )

        class Meta:
            ref_name = "HouseholdCreateInput"

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            others = [c for c in attrs["members"] if c.home_store_id != attrs["store"].pk]
            if others:
                raise serializers.ValidationError(
                    {"members": [_("%(name)s is a member of another store.") % {"name": others[0]}]}
                )
            return attrs

    @extend_schema(
        operation_id="households_list",
        parameters=[FilterSerializer],
        responses={200: HouseholdOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        require_capability(request.user, "customers.view")
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        households = household_list(
            user=request.user, search=params.validated_data.get("search", "")
        )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(households, request, view=self)
        return paginator.get_paginated_response(HouseholdOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="households_create",
        request=InputSerializer,
        responses={201: HouseholdDetailOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        require_capability(request.user, "customers.change")
        serializer = self.InputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        household = household_create(**serializer.validated_data, actor=request.user)
        return Response(_detail(request, household.pk), status=status.HTTP_201_CREATED)


class HouseholdDetailApi(APIView):
    """``GET`` one household with its members, ``PATCH`` its name or notes, ``DELETE`` it (the
    members stay customers, in no household)."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100, required=False)
        notes = serializers.CharField(required=False, allow_blank=True)

        class Meta:
            ref_name = "HouseholdUpdateInput"

    @extend_schema(
        operation_id="households_retrieve", responses={200: HouseholdDetailOutputSerializer}
    )
    def get(self, request: Request, pk: int) -> Response:
        household = household_or_404(request, pk, "customers.view")
        return Response(_detail(request, household.pk))

    @extend_schema(
        operation_id="households_partial_update",
        request=InputSerializer,
        responses={200: HouseholdDetailOutputSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        household = household_or_404(request, pk, "customers.change")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        household_update(household=household, data=serializer.validated_data, actor=request.user)
        return Response(_detail(request, household.pk))

    @extend_schema(operation_id="households_destroy", request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        household = household_or_404(request, pk, "customers.delete")
        household_dissolve(household=household, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HouseholdMemberAddApi(APIView):
    """``POST``: add a customer of the household's store who is in no household yet."""

    class InputSerializer(serializers.Serializer):
        customer = ScopedPrimaryKeyField(choices=_customers)

        class Meta:
            ref_name = "HouseholdMemberInput"

    @extend_schema(
        operation_id="households_members_add",
        request=InputSerializer,
        responses={201: HouseholdDetailOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        household = household_or_404(request, pk, "customers.change")
        serializer = self.InputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        household_member_add(
            household=household, customer=serializer.validated_data["customer"], actor=request.user
        )
        return Response(_detail(request, household.pk), status=status.HTTP_201_CREATED)


class HouseholdMemberRemoveApi(APIView):
    """``DELETE``: take a member out of the household (they stay a customer)."""

    @extend_schema(operation_id="households_members_remove", request=None, responses={204: None})
    def delete(self, request: Request, pk: int, customer_pk: int) -> Response:
        household = household_or_404(request, pk, "customers.change")
        customer = household_members(household=household).filter(pk=customer_pk).first()
        if customer is None:
            raise Http404
        household_member_remove(household=household, customer=customer, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
