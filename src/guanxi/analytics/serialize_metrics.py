"""One customer's metrics as a flat row (the data export, the command line)."""

from __future__ import annotations

from typing import Any

from guanxi.analytics.models import CustomerMetrics

FIELDS = (
    "first_purchase_at",
    "last_purchase_at",
    "purchases",
    "repeat_purchases",
    "recency_days",
    "tenure_days",
    "total_spend",
    "average_spend",
    "margin",
    "discount_share",
    "average_cycle_days",
    "favourite_category_id",
    "favourite_brand_id",
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
    "recency_band",
    "frequency_band",
    "monetary_decile",
    "purchase_decile",
    "abc_class",
    "pyramid_level",
    "deal_customer",
    "p_alive",
    "expected_purchases_90d",
    "clv_12m",
    "refreshed_at",
)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def metrics_row(metrics: CustomerMetrics) -> dict[str, Any]:
    return {name: _plain(getattr(metrics, name)) for name in FIELDS}
