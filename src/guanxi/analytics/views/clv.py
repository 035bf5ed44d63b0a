"""Cards of the lifetime-value page: the fitted BG/NBD and Gamma-Gamma parameters, calibration
(repeat purchases, actual vs expected) and holdout (cumulative repeat purchases) plots, the
user's customers by probability of still being active, and the most valuable ones slipping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.analytics.selectors_pages import (
    P_ALIVE_BANDS,
    customers_slipping,
    p_alive_groups,
    run_results,
    sees_every_store,
)
from guanxi.analytics.views.cards import Card, PageContext, card
from guanxi.analytics.views.tables import (
    INT,
    LINK,
    MONEY,
    NUMBER,
    SHARE,
    SIGNIFICANT,
    TEXT,
    Column,
    Table,
)

SLIPPING_LIMIT = 20


def _clv(context: PageContext) -> Mapping[str, Any]:
    if not sees_every_store(context.user):
        return {}
    clv = run_results(context.run, "clv")
    return clv if isinstance(clv, Mapping) else {}


def _note(context: PageContext) -> str:
    if not sees_every_store(context.user):
        return _("The model is fitted on the whole business; it is shown to staff of every store.")
    return ""


PARAMETERS = {
    "bgnbd": ("r", "alpha", "a", "b", "log_likelihood"),
    "gamma_gamma": ("p", "q", "gamma", "log_likelihood"),
}


@card("clv-parameters")
def parameters_card(context: PageContext) -> Card:
    clv = _clv(context)
    rows = []
    warnings = []
    for model, label in (
        ("bgnbd", _("BG/NBD (repeat purchases)")),
        ("gamma_gamma", _("Gamma-Gamma (spend)")),
    ):
        params = clv.get(model) or {}
        for name in PARAMETERS[model]:
            if isinstance(params.get(name), int | float):
                rows.append({"model": label, "parameter": name, "value": params[name]})
        if params and params.get("converged") is False:
            warnings.append(
                _("%(model)s did not converge: %(message)s.")
                % {"model": label, "message": params.get("message") or _("too little data")}
            )
    for key, label in (
        ("horizon_months", _("Horizon (months)")),
        ("annual_discount_rate", _("Annual discount rate")),
        ("mean_p_alive", _("Average probability still active")),
        ("expected_purchases_90d", _("Expected purchases in 90 days")),
    ):
        if isinstance(clv.get(key), int | float):
            rows.append({"model": _("Lifetime value"), "parameter": label, "value": clv[key]})
    note = _note(context) or " ".join(warnings)
    if not rows and not note:
        note = _("No figures yet: refresh the analysis first.")
    table = Table(
        key="clv-parameters",
        title=_("Model parameters"),
        columns=[
            Column("model", gettext_lazy("Model"), TEXT),
            Column("parameter", gettext_lazy("Parameter"), TEXT),
            Column("value", gettext_lazy("Value"), SIGNIFICANT, digits=4),
        ],
        rows=rows,
        note=note,
    )
    return Card(
        key="clv-parameters",
        table=table,
        wide=False,
        description=_(
            "Fitted by maximum likelihood on every customer's purchases: BG/NBD for how often "
            "they buy and when they stop, Gamma-Gamma for how much they spend."
        ),
    )


@card("clv-calibration")
def calibration_card(context: PageContext) -> Card:
    points = _clv(context).get("calibration") or []
    table = Table(
        key="clv-calibration",
        title=_("Calibration: customers by repeat purchases"),
        columns=[
            Column("purchases", gettext_lazy("Repeat purchases"), INT),
            Column("actual_customers", gettext_lazy("Actual customers"), INT),
            Column("expected_customers", gettext_lazy("Expected by the model"), NUMBER, digits=1),
        ],
        rows=[dict(p) for p in points],
        note=_note(context),
    )
    chart = None
    if points:
        chart = {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
            "xAxis": {
                "type": "category",
                "name": _("Repeat purchases"),
                "data": [str(p.get("purchases")) for p in points],
            },
            "yAxis": {"type": "value"},
            "series": [
                {
                    "name": _("Actual customers"),
                    "type": "bar",
                    "data": [p.get("actual_customers") for p in points],
                },
                {
                    "name": _("Expected by the model"),
                    "type": "bar",
                    "data": [round(float(p.get("expected_customers") or 0), 1) for p in points],
                },
            ],
        }
    return Card(key="clv-calibration", table=table, chart=chart, wide=False)


@card("clv-holdout")
def holdout_card(context: PageContext) -> Card:
    points = _clv(context).get("holdout") or []
    table = Table(
        key="clv-holdout",
        title=_("Holdout: cumulative repeat purchases"),
        columns=[
            Column("period", gettext_lazy("Week"), "date"),
            Column("actual", gettext_lazy("Actual"), NUMBER, digits=0),
            Column("expected", gettext_lazy("Expected by the model"), NUMBER, digits=1),
        ],
        rows=[dict(p) for p in points],
        note=_note(context),
    )
    chart = None
    if points:
        chart = {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "category", "data": [str(p.get("period")) for p in points]},
            "yAxis": {"type": "value"},
            "series": [
                {"name": _("Actual"), "type": "line", "data": [p.get("actual") for p in points]},
                {
                    "name": _("Expected by the model"),
                    "type": "line",
                    "lineStyle": {"type": "dashed"},
                    "data": [round(float(p.get("expected") or 0), 1) for p in points],
                },
            ],
        }
    return Card(
        key="clv-holdout",
        table=table,
        chart=chart,
        description=_(
            "The model is fitted on the purchases before the holdout weeks and predicts them: "
            "the closer the two lines, the better it forecasts."
        ),
    )


@card("clv-p-alive")
def p_alive_card(context: PageContext) -> Card:
    groups = p_alive_groups(user=context.user, store_id=context.store_id)
    labels = dict(p_alive_labels())
    table = Table(
        key="clv-p-alive",
        title=_("Customers by probability of still being active"),
        columns=[
            Column("band", gettext_lazy("Probability still active"), TEXT),
            Column("customers", gettext_lazy("Customers"), INT),
            Column("customer_share", gettext_lazy("Share of customers"), SHARE),
            Column("clv", gettext_lazy("Lifetime value (12 months)"), MONEY),
        ],
        rows=[
            {
                "band": labels[g.key],
                "customers": g.customers,
                "customer_share": g.customer_share,
                "clv": g.revenue,
            }
            for g in groups
        ],
    )
    chart = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 8, "top": 16, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [labels[g.key] for g in groups]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": _("Customers"), "type": "bar", "data": [g.customers for g in groups]}],
    }
    return Card(key="clv-p-alive", table=table, chart=chart, wide=False)


def p_alive_labels() -> list[tuple[str, str]]:
    return [(key, f"{low * 100:g}–{high * 100:g}%") for key, low, high in P_ALIVE_BANDS]


@card("clv-slipping")
def slipping_card(context: PageContext) -> Card:
    customers = customers_slipping(
        user=context.user, store_id=context.store_id, limit=SLIPPING_LIMIT
    )
    rows = [
        {
            "customer": (c.full_name, reverse("customers:customer-detail", args=[c.pk])),
            "store": c.home_store.name,
            "last_purchase": c.metrics.last_purchase_at,
            "p_alive": c.metrics.p_alive,
            "clv": c.metrics.clv_12m,
            "total_spend": c.metrics.total_spend,
        }
        for c in customers
    ]
    table = Table(
        key="clv-slipping",
        title=_("Valuable customers slipping away"),
        columns=[
            Column("customer", gettext_lazy("Customer"), LINK),
            Column("store", gettext_lazy("Store"), TEXT),
            Column("last_purchase", gettext_lazy("Last purchase"), "date"),
            Column("p_alive", gettext_lazy("Probability still active"), SHARE),
            Column("clv", gettext_lazy("Lifetime value (12 months)"), MONEY),
            Column("total_spend", gettext_lazy("Total spend"), MONEY),
        ],
        rows=rows,
    )
    return Card(
        key="clv-slipping",
        table=table,
        personal=True,
        description=_(
            "The customers with the highest spend so far whose probability of still being "
            "active has fallen below 50%: call them first."
        ),
    )


CLV_CARDS = ("clv-parameters", "clv-calibration", "clv-holdout", "clv-p-alive", "clv-slipping")
