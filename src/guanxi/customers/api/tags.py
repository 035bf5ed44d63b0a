"""The tags API: the list of tags (shared by every store) and tagging customers.

Owners and store managers keep the list (``customers.manage_tags``); whoever may change a
customer tags and untags them. A tag's count covers only the customers the user may see.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.core.api.pagination import StandardPagination
from guanxi.core.permissions import require_capability
from guanxi.customers.api.customer import customer_or_404
from guanxi.customers.choices import TagColour
from guanxi.customers.models import Tag
from guanxi.customers.selectors.tags import tag_get, tag_list
from guanxi.customers.services.tags import (
    customer_tag_add,
    customer_tag_remove,
    tag_create,
    tag_delete,
    tag_update,
)

MANAGE = "customers.manage_tags"


class TagOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    colour = serializers.CharField()
    customer_count = serializers.IntegerField(help_text="Customers the user may see with this tag")

    class Meta:
        ref_name = "Tag"


class CustomerTagsOutputSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    tags = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        ref_name = "CustomerTags"


def _tag_with_count(request: Request, pk: int) -> Tag:
    tag = tag_list(with_counts=True, user=request.user).filter(pk=pk).first()
    if tag is None:
        raise Http404
    return tag


def tag_or_404(pk: int) -> Tag:
    tag = tag_get(pk=pk)
    if tag is None:
        raise Http404
    return tag


class TagListApi(APIView):
    """``GET``: every tag by name; ``POST``: a new tag."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=50)
        colour = serializers.ChoiceField(choices=TagColour.choices, default=TagColour.GREY)

        class Meta:
            ref_name = "TagCreateInput"

    @extend_schema(operation_id="tags_list", responses={200: TagOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        require_capability(request.user, "customers.view")
        paginator = StandardPagination()
        tags = tag_list(with_counts=True, user=request.user)
        page = paginator.paginate_queryset(tags, request, view=self)
        return paginator.get_paginated_response(TagOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="tags_create", request=InputSerializer, responses={201: TagOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        require_capability(request.user, MANAGE)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tag = tag_create(**serializer.validated_data, actor=request.user)
        data = TagOutputSerializer(_tag_with_count(request, tag.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class TagDetailApi(APIView):
    """``GET`` one tag, ``PATCH`` its name or colour, ``DELETE`` it (it comes off every
    customer)."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=50, required=False)
        colour = serializers.ChoiceField(choices=TagColour.choices, required=False)

        class Meta:
            ref_name = "TagUpdateInput"

    @extend_schema(operation_id="tags_retrieve", responses={200: TagOutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        require_capability(request.user, "customers.view")
        return Response(TagOutputSerializer(_tag_with_count(request, pk)).data)

    @extend_schema(
        operation_id="tags_partial_update",
        request=InputSerializer,
        responses={200: TagOutputSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        require_capability(request.user, MANAGE)
        tag = tag_or_404(pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tag_update(tag=tag, data=serializer.validated_data, actor=request.user)
        return Response(TagOutputSerializer(_tag_with_count(request, pk)).data)

    @extend_schema(operation_id="tags_destroy", request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        require_capability(request.user, MANAGE)
        tag_delete(tag=tag_or_404(pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _customer_tags(customer_pk: int, tags: list[int]) -> dict[str, object]:
    return {"customer": customer_pk, "tags": sorted(tags)}


class CustomerTagAddApi(APIView):
    """``POST``: put a tag on a customer (no change if it is already there)."""

    class InputSerializer(serializers.Serializer):
        tag = serializers.IntegerField(min_value=1)

        class Meta:
            ref_name = "CustomerTagInput"

        def validate_tag(self, value: int) -> Tag:
            tag = tag_get(pk=value)
            if tag is None:
                raise serializers.ValidationError(
                    serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
                    % {"pk_value": value}
                )
            return tag

    @extend_schema(
        operation_id="customers_tags_add",
        request=InputSerializer,
        responses={200: CustomerTagsOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        customer = customer_or_404(request, pk, "customers.change")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = customer_tag_add(
            customer=customer, tag=serializer.validated_data["tag"], actor=request.user
        )
        tags = list(customer.tags.values_list("pk", flat=True))
        return Response(CustomerTagsOutputSerializer(_customer_tags(customer.pk, tags)).data)


class CustomerTagRemoveApi(APIView):
    """``DELETE``: take a tag off a customer."""

    @extend_schema(operation_id="customers_tags_remove", request=None, responses={204: None})
    def delete(self, request: Request, pk: int, tag_pk: int) -> Response:
        customer = customer_or_404(request, pk, "customers.change")
        tag = customer.tags.filter(pk=tag_pk).first()
        if tag is None:
            raise Http404
        customer_tag_remove(customer=customer, tag=tag, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
