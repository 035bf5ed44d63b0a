"""Cards of the value page: deciles and the Pareto curve, margin concentration, ABC classes,
the customer pyramid, deal customers and the whale curve, the ideal customer profile."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.analytics.choices import AbcClass, PyramidLevel
from guanxi.analytics.selectors_pages import (
    abc_groups,
    cumulative,
    deal_summary,
    decile_groups,
    pyramid_groups,
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
    TEXT,
    Column,
    Table,
)
from guanxi.core.money import format_money
from guanxi.staff.selectors import store_list

GROUP_COLUMNS = [
    Column("customers", gettext_lazy("Customers"), INT),
    Column("customer_share", gettext_lazy("Share of customers"), SHARE),
    Column("revenue", gettext_lazy("Revenue"), MONEY),
    Column("revenue_share", gettext_lazy("Share of revenue"), SHARE),
]


def _percent(value: float) -> float:
    return round(value * 100, 2)


def _decile_card(context: PageContext, field: str, key: str, title: Any) -> Card:
    groups = decile_groups(user=context.user, field=field, store_id=context.store_id)
    running = cumulative(groups)
    rows = []
    for group, (customers_c, revenue_c, margin_c) in zip(groups, running, strict=True):
        rows.append(
            {
                "decile": (group.key, context.customers_url(**{field: group.key})),
                "customers": group.customers,
                "customer_share": group.customer_share,
                "revenue": group.revenue,
                "revenue_share": group.revenue_share,
                "margin": group.margin,
                "cumulative_customer_share": customers_c,
                "cumulative_revenue_share": revenue_c,
                "cumulative_margin_share": margin_c,
            }
        )
    table = Table(
        key=key,
        title=title,
        columns=[
            Column("decile", gettext_lazy("Decile"), LINK),
            *GROUP_COLUMNS,
            Column("margin", gettext_lazy("Margin"), MONEY),
            Column("cumulative_customer_share", gettext_lazy("Cumulative customers"), SHARE),
            Column("cumulative_revenue_share", gettext_lazy("Cumulative revenue"), SHARE),
            Column("cumulative_margin_share", gettext_lazy("Cumulative margin"), SHARE),
        ],
        rows=rows,
    )
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [g.key for g in groups], "name": _("Decile")},
        "yAxis": [
            {"type": "value", "axisLabel": {"formatter": "{value}%"}, "max": 100},
        ],
        "series": [
            {
                "name": _("Share of revenue"),
                "type": "bar",
                "data": [_percent(g.revenue_share) for g in groups],
            },
            {
                "name": _("Cumulative revenue"),
                "type": "line",
                "data": [_percent(r[1]) for r in running],
            },
            {
                "name": _("Cumulative margin"),
                "type": "line",
                "data": [_percent(r[2]) for r in running],
            },
        ],
        "links": [context.customers_url(**{field: g.key}) for g in groups],
    }
    return Card(
        key=key,
        table=table,
        chart=chart,
        description=_(
            "Decile 1 is the top tenth of all your buyers. The lines are the Pareto curve: "
            "the share of revenue and of margin made by the deciles up to each one."
        ),
    )


@card("deciles-monetary")
def monetary_deciles_card(context: PageContext) -> Card:
    return _decile_card(context, "monetary_decile", "deciles-monetary", _("Spend deciles"))


@card("deciles-purchases")
def purchase_deciles_card(context: PageContext) -> Card:
    return _decile_card(context, "purchase_decile", "deciles-purchases", _("Purchase deciles"))


def _level_card(
    context: PageContext,
    key: str,
    title: Any,
    groups: list[Any],
    labels: dict[str, Any],
    field: str,
) -> Card:
    rows = [
        {
            "level": (str(labels[g.key]), context.customers_url(**{field: g.key})),
            "customers": g.customers,
            "customer_share": g.customer_share,
            "revenue": g.revenue,
            "revenue_share": g.revenue_share,
        }
        for g in groups
    ]
    table = Table(
        key=key,
        title=title,
        columns=[Column("level", gettext_lazy("Group"), LINK), *GROUP_COLUMNS],
        rows=rows,
    )
    return Card(key=key, table=table)


@card("abc")
def abc_card(context: PageContext) -> Card:
    groups = abc_groups(user=context.user, store_id=context.store_id)
    built = _level_card(
        context, "abc", _("ABC classes"), groups, dict(AbcClass.choices), "abc_class"
    )
    built.chart = {
        "tooltip": {"trigger": "item"},
        "legend": {"top": 0},
        "series": [
            {
                "name": _("Revenue"),
                "type": "pie",
                "radius": ["35%", "65%"],
                "data": [
                    {"name": str(dict(AbcClass.choices)[g.key]), "value": float(g.revenue)}
                    for g in groups
                ],
            }
        ],
        "links": [context.customers_url(abc_class=g.key) for g in groups],
    }
    built.description = _(
        "Class A makes the first 80% of revenue, B the next 15% and C the rest (the thresholds "
        "are in the settings)."
    )
    return built


@card("pyramid")
def pyramid_card(context: PageContext) -> Card:
    groups = pyramid_groups(user=context.user, store_id=context.store_id)
    labels = dict(PyramidLevel.choices)
    built = _level_card(context, "pyramid", _("Customer pyramid"), groups, labels, "pyramid_level")
    built.chart = {
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "name": _("Customers"),
                "type": "funnel",
                "sort": "none",
                "left": "10%",
                "width": "80%",
                "minSize": "15%",
                "label": {"show": True, "position": "inside"},
                "data": [{"name": str(labels[g.key]), "value": g.customers} for g in groups],
            }
        ],
        "links": [context.customers_url(pyramid_level=g.key) for g in groups],
    }
    built.description = _(
        "Active buyers ranked by spend: top 1%, large up to 5%, medium up to 20%, small the "
        "rest; inactive buyers have not bought for a year; prospects have never bought."
    )
    return built


@card("deal-customers")
def deal_card(context: PageContext) -> Card:
    summary = deal_summary(user=context.user, store_id=context.store_id)
    rows = [
        {
            "measure": (_("Deal customers"), context.customers_url(deal_customer="on")),
            "value": summary.customers,
        },
        {"measure": _("Buyers"), "value": summary.buyers},
    ]
    table = Table(
        key="deal-customers",
        title=_("Deal customers"),
        columns=[
            Column("measure", gettext_lazy("Measure"), LINK),
            Column("value", gettext_lazy("Customers"), INT),
        ],
        rows=rows,
        note=_("Their revenue: %(amount)s.") % {"amount": _money(summary.revenue)},
    )
    chart = None
    whale = run_results(context.run, "profitability") if sees_every_store(context.user) else None
    if isinstance(whale, dict) and whale.get("whale_curve") and whale.get("customers_with_margin"):
        points = whale["whale_curve"]
        chart = {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 8, "right": 16, "top": 24, "bottom": 8, "containLabel": True},
            "xAxis": {
                "type": "value",
                "max": 100,
                "name": _("Customers by margin"),
                "axisLabel": {"formatter": "{value}%"},
            },
            "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
            "series": [
                {
                    "name": _("Cumulative margin"),
                    "type": "line",
                    "showSymbol": False,
                    "data": [
                        [_percent(p["customer_share"]), _percent(p["margin_share"])] for p in points
                    ],
                }
            ],
        }
    return Card(
        key="deal-customers",
        table=table,
        chart=chart,
        description=_(
            "Deal customers buy mostly on discount and leave little margin. The curve (the "
            "whale curve, for the whole business) shows the margin made by the customers ranked "
            "from the most profitable: above 100% the best ones pay for the loss-makers."
        ),
    )


def _money(amount: Decimal) -> str:
    return format_money(amount)


@card("margin-concentration")
def margin_concentration_card(context: PageContext) -> Card:
    rows = _business_rows(context, "margin_concentration")
    table = Table(
        key="margin-concentration",
        title=_("Margin concentration"),
        columns=[
            Column("margin_share", gettext_lazy("Share of margin"), SHARE),
            Column("customers", gettext_lazy("Fewest customers"), INT),
            Column("customer_share", gettext_lazy("Share of customers"), SHARE),
        ],
        rows=rows,
        note=_business_note(context) or _margin_note(rows),
    )
    chart = None
    if any(r.get("customers") is not None for r in rows):
        chart = {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 8, "right": 16, "top": 24, "bottom": 8, "containLabel": True},
            "xAxis": {
                "type": "category",
                "data": [f"{_percent(r['margin_share']):g}%" for r in rows],
                "name": _("Margin"),
            },
            "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
            "series": [
                {
                    "name": _("Share of customers"),
                    "type": "bar",
                    "data": [_percent(r.get("customer_share") or 0) for r in rows],
                }
            ],
        }
    return Card(
        key="margin-concentration",
        table=table,
        chart=chart,
        # xgettext:no-python-format
        description=_("How few customers make each 10% of the margin."),
    )


ICP_ATTRIBUTES = {
    "gender": gettext_lazy("Gender"),
    "age_band": gettext_lazy("Age"),
    "city": gettext_lazy("City"),
    "preferred_channel": gettext_lazy("Preferred channel"),
    "has_membership": gettext_lazy("Member card"),
    "tier_rank": gettext_lazy("Tier (rank)"),
    "store_id": gettext_lazy("Home store"),
}


def _icp_rows(context: PageContext) -> list[dict[str, Any]]:
    """The profile's rows with its attributes and values in words."""
    stores = dict(store_list(user=context.user).values_list("pk", "name"))
    words = {"true": _("Yes"), "false": _("No")}
    rows = []
    for row in _business_rows(context, "icp"):
        attribute, value = str(row.get("attribute")), str(row.get("value"))
        if attribute == "store_id" and value.isdigit():
            value = stores.get(int(value), value)
        rows.append(
            {
                **row,
                "attribute": str(ICP_ATTRIBUTES.get(attribute, attribute)),
                "value": words.get(value, value),
            }
        )
    return rows


@card("icp")
def icp_card(context: PageContext) -> Card:
    rows = _icp_rows(context)
    table = Table(
        key="icp",
        title=_("Ideal customer profile"),
        columns=[
            Column("attribute", gettext_lazy("Attribute"), TEXT),
            Column("value", gettext_lazy("Value"), TEXT),
            Column("top_customers", gettext_lazy("Top customers"), INT),
            Column("top_share", gettext_lazy("Share of the top 20%"), SHARE),
            Column("customers", gettext_lazy("Customers"), INT),
            Column("share", gettext_lazy("Share of all buyers"), SHARE),
            Column("lift", gettext_lazy("Lift"), NUMBER),
        ],
        rows=rows,
        note=_business_note(context),
    )
    chart = None
    if rows:
        top = rows[:15]
        chart = {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 8, "right": 16, "top": 8, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "value"},
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [f"{r.get('attribute')}: {r.get('value')}" for r in top],
            },
            "series": [{"name": _("Lift"), "type": "bar", "data": [r.get("lift") for r in top]}],
        }
    return Card(
        key="icp",
        table=table,
        chart=chart,
        # xgettext:no-python-format
        description=_(
            "What the top 20% of buyers by spend share: a lift above 1 means the attribute is "
            "more common among them than among all buyers."
        ),
    )


def _margin_note(rows: list[dict[str, Any]]) -> str:
    if rows and all(r.get("customers") is None for r in rows):
        return _("No margin is known yet: enter the products' costs in the catalogue.")
    return ""


def _business_rows(context: PageContext, key: str) -> list[dict[str, Any]]:
    """A business-wide table of the last run, for who sees every store (else nothing)."""
    if not sees_every_store(context.user):
        return []
    rows = run_results(context.run, key)
    return [dict(r) for r in rows] if isinstance(rows, list) else []


def _business_note(context: PageContext) -> str:
    if not sees_every_store(context.user):
        return _("This table covers the whole business; it is shown to staff of every store.")
    if context.run is None:
        return _("No figures yet: refresh the analysis first.")
    return ""


VALUE_CARDS = (
    "deciles-monetary",
    "deciles-purchases",
    "margin-concentration",
    "abc",
    "pyramid",
    "deal-customers",
    "icp",
)
