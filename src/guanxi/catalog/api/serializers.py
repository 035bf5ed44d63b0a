"""Output serializers of the catalogue API, shared by its views."""

from __future__ import annotations

from rest_framework import serializers


class CategoryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    name = serializers.CharField(help_text="The name in the language of the request")
    name_en = serializers.CharField()
    name_zh_hans = serializers.CharField()
    name_zh_hant = serializers.CharField()

    class Meta:
        ref_name = "CatalogCategory"


class ProductOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    sku = serializers.CharField()
    barcode = serializers.CharField()
    name = serializers.CharField(help_text="The name in the language of the request")
    name_en = serializers.CharField()
    name_zh_hans = serializers.CharField()
    name_zh_hant = serializers.CharField()
    brand = serializers.CharField(source="brand.name", allow_null=True, default=None)
    category = serializers.IntegerField(source="category_id")
    price = serializers.DecimalField(max_digits=14, decimal_places=2)
    is_active = serializers.BooleanField()

    class Meta:
        ref_name = "CatalogProduct"


class ProductCostOutputSerializer(ProductOutputSerializer):
    """What owners and store managers also see: the cost and the margin."""

    cost = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    margin = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)

    class Meta:
        ref_name = "CatalogProductWithCost"


class ServiceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(help_text="The name in the language of the request")
    name_en = serializers.CharField()
    name_zh_hans = serializers.CharField()
    name_zh_hant = serializers.CharField()
    category = serializers.IntegerField(source="category_id")
    duration_minutes = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2)
    is_active = serializers.BooleanField()

    class Meta:
        ref_name = "CatalogService"
