"""Serializers of the analytics API: the grid and segments (aggregates), customers with their
figures, one customer's figures, audiences."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanxi.analytics.choices import (
    AbcClass,
    FrequencyBand,
    PyramidLevel,
    RecencyBand,
    RfmSegment,
)
from guanxi.staff.selectors import store_list


def money(**options: Any) -> serializers.DecimalField:
    """An amount of money (14 digits, 2 places), as a string in JSON."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, **options)


@extend_schema_field(OpenApiTypes.INT)
class StoreField(serializers.PrimaryKeyRelatedField):
    """A store id among the stores the user may see (another store's id does not exist)."""

    def get_queryset(self) -> Any:
        return store_list(user=self.context["request"].user, include_inactive=False)


class StoreFilterSerializer(serializers.Serializer):
    store = StoreField(required=False, help_text="Only the customers of this home store")

    class Meta:
        ref_name = "AnalyticsStoreFilter"


class DefinitionSerializer(serializers.Serializer):
    """Which customers: the filters of a cell, a segment, a decile, a class or a level."""

    recency_band = serializers.ChoiceField(choices=RecencyBand.choices, required=False)
    frequency_band = serializers.ChoiceField(choices=FrequencyBand.choices, required=False)
    segment = serializers.ChoiceField(choices=RfmSegment.choices, required=False)
    monetary_decile = serializers.IntegerField(min_value=1, max_value=10, required=False)
    purchase_decile = serializers.IntegerField(min_value=1, max_value=10, required=False)
    abc_class = serializers.ChoiceField(choices=AbcClass.choices, required=False)
    pyramid_level = serializers.ChoiceField(choices=PyramidLevel.choices, required=False)
    deal_customer = serializers.BooleanField(required=False, allow_null=True, default=None)
    store = StoreField(required=False)

    class Meta:
        ref_name = "AnalyticsDefinition"

    def definition(self) -> dict[str, Any]:
        return definition_of(self.validated_data)


def definition_of(data: dict[str, Any]) -> dict[str, Any]:
    """Validated definition fields as an audience definition (the store as its id; "search" is
    not part of a definition)."""
    definition = {
        k: v for k, v in data.items() if v not in (None, "", False) and k not in ("store", "search")
    }
    if data.get("store") is not None:
        definition["store"] = data["store"].pk
    return definition


class CustomerFilterSerializer(DefinitionSerializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=100)

    class Meta:
        ref_name = "AnalyticsCustomerFilter"


class GroupSerializer(serializers.Serializer):
    customers = serializers.IntegerField()
    revenue = money()
    customer_share = serializers.FloatField()
    revenue_share = serializers.FloatField()


class GridCellSerializer(GroupSerializer):
    cell = serializers.CharField()
    recency_band = serializers.ChoiceField(choices=RecencyBand.choices)
    frequency_band = serializers.ChoiceField(choices=FrequencyBand.choices)
    action = serializers.CharField()

    class Meta:
        ref_name = "AnalyticsGridCell"


class GridSerializer(serializers.Serializer):
    as_of = serializers.DateField(allow_null=True)
    thresholds = serializers.DictField()
    cells = GridCellSerializer(many=True)

    class Meta:
        ref_name = "AnalyticsGrid"


class SegmentSerializer(GroupSerializer):
    segment = serializers.ChoiceField(choices=RfmSegment.choices)

    class Meta:
        ref_name = "AnalyticsSegment"


class SegmentsSerializer(serializers.Serializer):
    as_of = serializers.DateField(allow_null=True)
    segments = SegmentSerializer(many=True)

    class Meta:
        ref_name = "AnalyticsSegments"


class MetricsSerializer(serializers.Serializer):
    """A customer's figures as of the last refresh."""

    first_purchase_at = serializers.DateField(allow_null=True)
    last_purchase_at = serializers.DateField(allow_null=True)
    purchases = serializers.IntegerField()
    repeat_purchases = serializers.IntegerField()
    recency_days = serializers.IntegerField(allow_null=True)
    tenure_days = serializers.IntegerField(allow_null=True)
    total_spend = money()
    average_spend = money()
    margin = money(allow_null=True)
    discount_share = serializers.FloatField(allow_null=True)
    average_cycle_days = serializers.FloatField(allow_null=True)
    favourite_category = serializers.IntegerField(source="favourite_category_id", allow_null=True)
    favourite_brand = serializers.IntegerField(source="favourite_brand_id", allow_null=True)
    r_score = serializers.IntegerField(allow_null=True)
    f_score = serializers.IntegerField(allow_null=True)
    m_score = serializers.IntegerField(allow_null=True)
    rfm_segment = serializers.CharField()
    recency_band = serializers.CharField()
    frequency_band = serializers.CharField()
    cell = serializers.CharField()
    monetary_decile = serializers.IntegerField(allow_null=True)
    purchase_decile = serializers.IntegerField(allow_null=True)
    abc_class = serializers.CharField()
    pyramid_level = serializers.CharField()
    deal_customer = serializers.BooleanField()
    p_alive = serializers.FloatField(allow_null=True)
    expected_purchases_90d = serializers.FloatField(allow_null=True)
    clv_12m = money(allow_null=True)
    refreshed_at = serializers.DateTimeField()

    class Meta:
        ref_name = "AnalyticsCustomerMetrics"


class CustomerWithMetricsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    full_name = serializers.CharField()
    home_store = serializers.IntegerField(source="home_store_id")
    home_store_name = serializers.CharField(source="home_store.name")
    metrics = serializers.SerializerMethodField()

    class Meta:
        ref_name = "AnalyticsCustomer"

    @extend_schema_field(MetricsSerializer(allow_null=True))
    def get_metrics(self, obj: Any) -> dict[str, Any] | None:
        metrics = getattr(obj, "metrics", None)
        return MetricsSerializer(metrics).data if metrics is not None else None


class SuggestionSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    name = serializers.CharField()
    because = serializers.ListField(child=serializers.CharField())
    because_ids = serializers.ListField(child=serializers.IntegerField())
    confidence = serializers.FloatField(required=False)
    probability = serializers.FloatField(required=False)
    lift = serializers.FloatField()

    class Meta:
        ref_name = "AnalyticsSuggestion"


class PurchaseTotalsSerializer(serializers.Serializer):
    """Live from the orders: never a day stale."""

    first_purchase_at = serializers.DateTimeField(allow_null=True)
    last_purchase_at = serializers.DateTimeField(allow_null=True)
    purchases = serializers.IntegerField()
    total_spend = money()

    class Meta:
        ref_name = "AnalyticsPurchaseTotals"


class CustomerFiguresSerializer(serializers.Serializer):
    """One customer's figures: the last refresh's, the live totals and the suggestions."""

    customer = serializers.IntegerField()
    metrics = MetricsSerializer(allow_null=True)
    totals = PurchaseTotalsSerializer()
    often_bought_together = SuggestionSerializer(many=True)
    likely_next = SuggestionSerializer(many=True)

    class Meta:
        ref_name = "AnalyticsCustomerFigures"


class AudienceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    description = serializers.CharField()
    definition = serializers.DictField()
    store = serializers.IntegerField(source="store_id", allow_null=True)
    customers = serializers.IntegerField()
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "AnalyticsAudience"


class AudienceDetailSerializer(AudienceSerializer):
    members = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        ref_name = "AnalyticsAudienceDetail"


class AudienceInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    definition = DefinitionSerializer(required=False)

    class Meta:
        ref_name = "AnalyticsAudienceInput"
