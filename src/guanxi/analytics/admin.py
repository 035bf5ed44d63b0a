"""Django admin for the analytics domain: settings and actions editable, derived rows read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from guanxi.analytics.models import (
    AnalyticsRun,
    AnalyticsSettings,
    AssociationRule,
    Audience,
    AudienceMember,
    CustomerMetrics,
    GridCellAction,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows the engine writes: viewable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AnalyticsSettings)
class AnalyticsSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("pk", "rfm_bins", "recency_active_days", "clv_horizon_months")


@admin.register(GridCellAction)
class GridCellActionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("recency_band", "frequency_band", "action_en")
    list_filter = ("recency_band", "frequency_band")


@admin.register(CustomerMetrics)
class CustomerMetricsAdmin(ReadOnlyAdmin):
    list_display = (
        "customer",
        "rfm_segment",
        "recency_band",
        "frequency_band",
        "total_spend",
        "p_alive",
        "clv_12m",
    )
    list_filter = ("rfm_segment", "recency_band", "frequency_band", "pyramid_level", "abc_class")
    raw_id_fields = ("customer", "favourite_category", "favourite_brand")


@admin.register(AnalyticsRun)
class AnalyticsRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "status", "customers", "orders", "order_lines", "seconds")
    list_filter = ("status",)


@admin.register(AssociationRule)
class AssociationRuleAdmin(ReadOnlyAdmin):
    list_display = ("kind", "level", "antecedent_key", "consequent", "confidence", "lift")
    list_filter = ("kind", "level")


class AudienceMemberInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AudienceMember
    raw_id_fields = ("customer",)
    extra = 0


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "store", "customers", "created_by", "created_at")
    inlines = (AudienceMemberInline,)
