"""Models of the analytics domain: the owner's settings, the per-customer metrics the engine
writes back, the runs of the engine with their aggregate tables, the rules shown on the customer
page, and saved audiences.

Everything here except :class:`AnalyticsSettings`, :class:`GridCellAction` and the audiences is
*derived*: ``services.analytics_refresh`` rebuilds it from the orders, in bulk, on every run.

**AnalyticsRun.results** holds the aggregate tables of one run (money as strings with two
decimals, shares and probabilities as floats, dates as ISO strings, a non-finite number as
null). Rows are the cores' tables (``guanxi.analytics.{rfm,value,cohorts,kpi,forecast,basket,
sequences}``), cell and band names those of ``choices``::

    {
      "as_of": "2026-11-23",
      "summary": {"customers", "buyers", "prospects", "orders", "walk_in_orders",
                  "revenue", "buyer_revenue", "margin"},
      "grid": [16 × {"cell": "active_second_time", "recency_band", "frequency_band",
                     "recency_index", "frequency_index", "min_days", "max_days" (null: open),
                     "min_purchases", "max_purchases" (null: open), "customers", "revenue",
                     "customer_share", "revenue_share"}],      # recency band major
      "segments": [8 × {"segment", "customers", "revenue", "customer_share", "revenue_share"}],
      "deciles": {"monetary": [10 rows], "purchases": [10 rows]},  # decile 1 = the top:
          # {"decile", "customers", "revenue", "margin", "customer_share", "revenue_share",
          #  "margin_share", "cumulative_customer_share", "cumulative_revenue_share",
          #  "cumulative_margin_share", "min_spend", "max_spend", "min_purchases",
          #  "max_purchases"}
      "margin_concentration": [10 × {"margin_share": 0.1 .. 1.0, "customers",
                                     "customer_share", "margin"}],   # nulls: no margin
      "abc": [3 × {"level": "a" | "b" | "c", "customers", "revenue", "customer_share",
                   "revenue_share"}],
      "pyramid": [6 × {"level": top | large | medium | small | inactive | prospect,
                       "customers", "revenue", "customer_share", "revenue_share"}],
      "profitability": {"whale_curve": [101 × {"customer_share", "margin_share"}],
                        "deal_customers", "deal_revenue", "deal_margin",
                        "customers_with_margin", "peak_margin_share"},
      "icp": [{"attribute", "value", "top_customers", "customers", "top_share", "share",
               "lift"}],                                          # by lift descending
      "clv": {"bgnbd": {"r", "alpha" (days), "a", "b", "log_likelihood", "customers",
                        "converged", "message", "time_unit": "day", "dropout_limited"} | null,
              "gamma_gamma": {"p", "q", "gamma", "log_likelihood", "customers",
                              "converged"} | null,
              "calibration": [8 × {"purchases": 0..7, "label": "0".."7+",
                                   "actual_customers", "expected_customers"}],
              "holdout": [{"period": week start, "actual", "expected"}],  # cumulative
              "holdout_by_frequency": [8 × {"frequency", "label", "customers", "actual",
                                            "expected"}],  # mean holdout purchases
              "holdout_start", "holdout_weeks", "calibration_bgnbd": {...},
              "horizon_months", "annual_discount_rate", "on_margin", "total_value",
              "expected_purchases_90d", "mean_p_alive"},
      "cohorts": {"cells": [{"cohort_month", "months_since", "cohort_size",
                             "active_customers", "orders", "revenue", "retention",
                             "revenue_retention"}], "customers", "revenue"},
      "kpi": {"month": [rows], "week": [rows]},  # store_id null = all stores; the columns of
          # kpi.KPI_SCHEMA: period, period_end, sales, new_customer_sales, repeat_sales,
          # walk_in_sales, transactions, items, average_ticket, items_per_basket,
          # average_unit_price, customers, new/repeat/retained/reactivated/lapsed_customers,
          # <measure>_previous and <measure>_change
      "forecast": {"week" | "month": {
                     "series": [{"series": "total" | "store:<id>" | "category:<id>", "model",
                                 "fallback", "periods", "mape", "naive_mape",
                                 "backtest_origins", "backtest_periods"}],
                     "points": [{"series", "period_start", "forecast", "lower", "upper",
                                 "kind": "actual" | "forecast"}]}},  # {} without forecasts
      "rules": {"product": [rule], "category": [rule],   # the 300 of highest lift:
                # {"antecedent": [ids], "consequent": [ids], "count", "support",
                #  "confidence", "lift", "leverage"}
                "product_baskets", "product_itemsets", "product_rules", "category_baskets",
                "category_itemsets", "category_rules", "min_support", "min_confidence"},
      "sequences": [{"level": "product" | "category", "antecedent", "consequent",
                     "customers", "antecedent_customers", "consequent_customers",
                     "probability", "support", "base_rate", "lift", "mean_days",
                     "window_days"}],                     # 300 per level, highest lift
      "timings": {"read", "rfm", "value", "lifetime", "basket", "sequences", "cohorts_kpi",
                  "forecast", "metrics", "write"},        # seconds
      "read_mode": "adbc" | "cursor",
    }

**AnalyticsRun.thresholds**: ``{"active": days, "silent": days, "sleeping": days,
"median_cycle_days": float | None, "derived": bool, "frequency_cuts": [2, 3, 5], "bins": 5}``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.choices import (
    AbcClass,
    FrequencyBand,
    PyramidLevel,
    RecencyBand,
    RfmSegment,
    RuleKind,
    RuleLevel,
    RunStatus,
)
from guanxi.core.i18n import localized
from guanxi.core.models import BaseModel
from guanxi.core.money import MoneyField

SETTINGS_PK = 1

_SHARE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))]


class AnalyticsSettings(BaseModel):
    """How the engine scores and bands customers: one row (pk 1), edited by the owner."""

    rfm_bins = models.PositiveSmallIntegerField(
        _("RFM score bins"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(9)],
        help_text=_("Customers are split into this many equal groups per score (5: quintiles)."),
    )
    recency_active_days = models.PositiveIntegerField(
        _("active up to (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty to derive it from your customers' median purchase cycle."),
    )
    recency_silent_days = models.PositiveIntegerField(
        _("silent up to (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty to derive it from your customers' median purchase cycle."),
    )
    recency_sleeping_days = models.PositiveIntegerField(
        _("sleeping up to (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Beyond this, a customer is lost. Leave empty to derive it."),
    )
    frequency_second_time_from = models.PositiveSmallIntegerField(
        _("second-time from (purchases)"), default=2, validators=[MinValueValidator(2)]
    )
    frequency_returning_from = models.PositiveSmallIntegerField(
        _("returning from (purchases)"), default=3, validators=[MinValueValidator(3)]
    )
    frequency_fan_from = models.PositiveSmallIntegerField(
        _("fan from (purchases)"), default=5, validators=[MinValueValidator(4)]
    )
    clv_horizon_months = models.PositiveSmallIntegerField(
        _("lifetime value horizon (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    clv_annual_discount_rate = models.DecimalField(
        _("annual discount rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.1000"),
        validators=_SHARE,
        help_text=_("Future value is discounted at this rate per year, e.g. 0.10 for 10%."),
    )
    sequence_window_days = models.PositiveIntegerField(
        _("next purchase window (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    sequence_min_customers = models.PositiveIntegerField(
        _("customers per next-purchase rule at least"),
        default=5,
        validators=[MinValueValidator(1)],
    )
    basket_min_support = models.DecimalField(
        _("bought-together minimum support"),
        max_digits=6,
        decimal_places=5,
        default=Decimal("0.00100"),
        validators=[MinValueValidator(Decimal("0.00001")), MaxValueValidator(Decimal(1))],
        help_text=_("The share of baskets a combination must appear in, e.g. 0.001 for 0.1%."),
    )
    basket_min_confidence = models.DecimalField(
        _("bought-together minimum confidence"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0500"),
        validators=_SHARE,
    )
    abc_a_share = models.DecimalField(
        _("class A: share of revenue"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.8000"),
        validators=_SHARE,
    )
    abc_b_share = models.DecimalField(
        _("class B: share of revenue"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.9500"),
        validators=_SHARE,
    )
    pyramid_inactive_days = models.PositiveIntegerField(
        _("inactive after (days)"), default=365, validators=[MinValueValidator(1)]
    )
    deal_discount_share = models.DecimalField(
        _("deal customer: discount share at least"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.2000"),
        validators=_SHARE,
    )
    deal_margin_ratio = models.DecimalField(
        _("deal customer: margin ratio at most"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.2000"),
        validators=_SHARE,
    )
    nightly_refresh = models.BooleanField(_("refresh every night"), default=True)

    class Meta:
        verbose_name = _("analytics settings")
        verbose_name_plural = _("analytics settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=SETTINGS_PK), name="analytics_settings_one"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    frequency_returning_from__gt=models.F("frequency_second_time_from")
                )
                & models.Q(frequency_fan_from__gt=models.F("frequency_returning_from")),
                name="analytics_settings_frequency_order",
            ),
            models.CheckConstraint(
                condition=models.Q(abc_b_share__gt=models.F("abc_a_share")),
                name="analytics_settings_abc_order",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Analytics settings"))


class GridCellAction(BaseModel):
    """The owner's recommended action for one cell of the R×F grid (code defaults otherwise)."""

    recency_band = models.CharField(_("recency"), max_length=16, choices=RecencyBand.choices)
    frequency_band = models.CharField(_("frequency"), max_length=16, choices=FrequencyBand.choices)
    action_en = models.CharField(_("action (English)"), max_length=300)
    action_zh_hans = models.CharField(_("action (simplified Chinese)"), max_length=300, blank=True)
    action_zh_hant = models.CharField(_("action (traditional Chinese)"), max_length=300, blank=True)

    class Meta:
        ordering = ["recency_band", "frequency_band"]
        verbose_name = _("grid cell action")
        verbose_name_plural = _("grid cell actions")
        constraints = [
            models.UniqueConstraint(
                fields=["recency_band", "frequency_band"], name="analytics_grid_action_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recency_band}_{self.frequency_band}"

    def action(self, language: str | None = None) -> str:
        return localized(
            self.action_en,
            self.action_zh_hans,
            self.action_zh_hant,
            language or translation.get_language(),
        )


class CustomerMetrics(models.Model):
    """One buyer's (or prospect's) figures, as of the last refresh of the engine."""

    store_scope = "customer__home_store"

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="metrics",
    )
    first_purchase_at = models.DateField(_("first purchase"), null=True, blank=True)
    last_purchase_at = models.DateField(_("last purchase"), null=True, blank=True)
    purchases = models.PositiveIntegerField(_("purchases"), default=0)
    repeat_purchases = models.PositiveIntegerField(_("repeat purchases"), default=0)
    recency_days = models.PositiveIntegerField(_("days since last purchase"), null=True, blank=True)
    tenure_days = models.PositiveIntegerField(_("days since first purchase"), null=True, blank=True)
    total_spend = MoneyField(_("total spend"), default=0)
    average_spend = MoneyField(_("average ticket"), default=0)
    margin = MoneyField(_("margin"), null=True, blank=True)
    discount_share = models.FloatField(_("discount share"), null=True, blank=True)
    average_cycle_days = models.FloatField(
        _("average purchase cycle (days)"), null=True, blank=True
    )
    favourite_category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("favourite category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    favourite_brand = models.ForeignKey(
        "catalog.Brand",
        verbose_name=_("favourite brand"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    r_score = models.PositiveSmallIntegerField(_("R score"), null=True, blank=True)
    f_score = models.PositiveSmallIntegerField(_("F score"), null=True, blank=True)
    m_score = models.PositiveSmallIntegerField(_("M score"), null=True, blank=True)
    rfm_segment = models.CharField(
        _("segment"), max_length=24, choices=RfmSegment.choices, blank=True
    )
    recency_band = models.CharField(
        _("recency"), max_length=16, choices=RecencyBand.choices, blank=True
    )
    frequency_band = models.CharField(
        _("frequency"), max_length=16, choices=FrequencyBand.choices, blank=True
    )
    monetary_decile = models.PositiveSmallIntegerField(_("spend decile"), null=True, blank=True)
    purchase_decile = models.PositiveSmallIntegerField(_("purchase decile"), null=True, blank=True)
    abc_class = models.CharField(_("ABC class"), max_length=1, choices=AbcClass.choices, blank=True)
    pyramid_level = models.CharField(
        _("pyramid level"), max_length=16, choices=PyramidLevel.choices, blank=True
    )
    deal_customer = models.BooleanField(_("deal customer"), default=False)
    p_alive = models.FloatField(_("probability still active"), null=True, blank=True)
    expected_purchases_90d = models.FloatField(
        _("expected purchases in 90 days"), null=True, blank=True
    )
    clv_12m = MoneyField(_("lifetime value (12 months)"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("customer metrics")
        verbose_name_plural = _("customer metrics")
        indexes = [
            models.Index(fields=["rfm_segment"], name="analytics_metrics_segment"),
            models.Index(fields=["recency_band", "frequency_band"], name="analytics_metrics_cell"),
            models.Index(fields=["monetary_decile"], name="analytics_metrics_mdecile"),
            models.Index(fields=["purchase_decile"], name="analytics_metrics_pdecile"),
            models.Index(fields=["pyramid_level"], name="analytics_metrics_pyramid"),
            models.Index(fields=["abc_class"], name="analytics_metrics_abc"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}"

    @property
    def cell(self) -> str:
        """The R×F grid cell key, e.g. ``active_fan`` (empty for prospects)."""
        if not self.recency_band or not self.frequency_band:
            return ""
        return f"{self.recency_band}_{self.frequency_band}"


class AnalyticsRun(models.Model):
    """One run of the engine: when, on how much data, how fast, and its aggregate tables."""

    job = models.ForeignKey(
        "core.Job",
        verbose_name=_("job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    as_of = models.DateField(_("as of"), null=True, blank=True)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    order_lines = models.PositiveIntegerField(_("order lines"), default=0)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    peak_memory_mib = models.FloatField(_("peak memory (MiB)"), null=True, blank=True)
    thresholds = models.JSONField(_("thresholds"), default=dict, blank=True)
    results = models.JSONField(_("results"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("analytics run")
        verbose_name_plural = _("analytics runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"


class AssociationRule(models.Model):
    """A rule of the last run: bought together (basket) or bought next (sequence)."""

    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=RuleLevel.choices)
    antecedent = models.JSONField(_("if bought"), help_text=_("Product or category ids."))
    consequent = models.BigIntegerField(_("then"), db_index=True)
    support = models.FloatField(_("support"), default=0)
    confidence = models.FloatField(_("confidence"), default=0)
    lift = models.FloatField(_("lift"), default=0)
    probability = models.FloatField(_("probability"), default=0)
    window_days = models.PositiveIntegerField(_("window (days)"), null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    antecedent_key = models.CharField(
        max_length=200,
        db_index=True,
        editable=False,
        help_text=_("The antecedent ids sorted and joined by commas, for look-ups."),
    )

    class Meta:
        ordering = ["kind", "level", "-lift", "pk"]
        verbose_name = _("association rule")
        verbose_name_plural = _("association rules")
        indexes = [
            models.Index(fields=["kind", "level", "antecedent_key"], name="analytics_rule_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.antecedent_key} -> {self.consequent}"


class Audience(BaseModel):
    """A saved list of customers (a snapshot), for staff and, later, campaigns."""

    store_scope = "store"

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    definition = models.JSONField(
        _("definition"),
        default=dict,
        help_text=_('The filter it was saved from, e.g. {"segment": "at_risk"}.'),
    )
    store = models.ForeignKey(
        "staff.Store",
        verbose_name=_("store"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: every store the creator may see."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    customers = models.PositiveIntegerField(_("customers"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self) -> str:
        return self.name


class AudienceMember(models.Model):
    audience = models.ForeignKey(
        Audience, verbose_name=_("audience"), on_delete=models.CASCADE, related_name="members"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        ordering = ["audience", "customer"]
        verbose_name = _("audience member")
        verbose_name_plural = _("audience members")
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "customer"], name="analytics_audience_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.audience_id}: {self.customer_id}"
