"""Cards of the lifecycle page: new vs repeat customers and sales per period and store, and the
two KPI trees (sales = new-customer sales + repeat sales; sales = transactions × average ticket,
average ticket = unit price × items per basket) with the change on the period before and a
drill-down by store and by period."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from guanxi.analytics.forms import LifecycleFilterForm
from guanxi.analytics.selectors_pages import rows_of_stores, run_results, sees_every_store
from guanxi.analytics.views.base import AnalyticsView
from guanxi.analytics.views.cards import Card, PageContext, card
from guanxi.analytics.views.tables import (
    CHANGE,
    DATE,
    INT,
    LINK,
    MONEY,
    NUMBER,
    Column,
    Table,
    display,
)
from guanxi.core.htmx import render_page_or_partial
from guanxi.staff.selectors import store_list

PERIODS = ("month", "week")


def _value(row: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if row.get(name) is not None:
            return row[name]
    return None


def kpi_rows(context: PageContext) -> list[Mapping[str, Any]]:
    """The KPI rows of the chosen period kind and store (or of all stores for who sees every
    store), oldest period first."""
    period = context.params.get("period") if context.params.get("period") in PERIODS else "month"
    tables = run_results(context.run, "kpi")
    rows = tables.get(period, []) if isinstance(tables, Mapping) else []
    rows = rows_of_stores(rows, context.user)
    if context.store_id is not None:
        wanted: int | None = context.store_id
    elif sees_every_store(context.user):
        wanted = None
    else:  # a store manager without a chosen store: their first store
        first = store_list(user=context.user, include_inactive=False).order_by("name").first()
        wanted = first.pk if first else -1
    kept = [r for r in rows if r.get("store_id") == wanted]
    return sorted(kept, key=lambda r: str(r.get("period")))


def _at(context: PageContext, rows: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The period the trees show: ``at`` if it is one, else the last one."""
    wanted = context.params.get("at", "")
    for row in rows:
        if str(row.get("period")) == wanted:
            return row
    return rows[-1] if rows else None


def _page_url(context: PageContext, **params: Any) -> str:
    return reverse("analytics:lifecycle") + "?" + context.query(**params)


@card("lifecycle")
def lifecycle_card(context: PageContext) -> Card:
    rows = kpi_rows(context)
    table_rows = [
        {
            "period": (
                display(r.get("period"), Column("p", "", DATE)),
                _page_url(context, at=r.get("period")),
            ),
            "new_customers": r.get("new_customers"),
            "repeat_customers": r.get("repeat_customers"),
            "new_sales": _value(r, "new_sales", "new_customer_sales"),
            "repeat_sales": r.get("repeat_sales"),
            "walk_in_sales": r.get("walk_in_sales"),
            "sales": r.get("sales"),
            "sales_change": r.get("sales_change"),
        }
        for r in rows
    ]
    table = Table(
        key="lifecycle",
        title=_("New and repeat customers"),
        columns=[
            Column("period", gettext_lazy("Period"), LINK),
            Column("new_customers", gettext_lazy("New customers"), INT),
            Column("repeat_customers", gettext_lazy("Repeat customers"), INT),
            Column("new_sales", gettext_lazy("New-customer sales"), MONEY),
            Column("repeat_sales", gettext_lazy("Repeat sales"), MONEY),
            Column("walk_in_sales", gettext_lazy("Walk-in sales"), MONEY),
            Column("sales", gettext_lazy("Sales"), MONEY),
            Column("sales_change", gettext_lazy("Change"), CHANGE),
        ],
        rows=table_rows,
    )
    labels = [str(r.get("period")) for r in rows]

    def numbers(name: str, *fallback: str) -> list[float]:
        return [float(_value(r, name, *fallback) or 0) for r in rows]

    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": [{"type": "value"}, {"type": "value", "minInterval": 1}],
        "series": [
            {
                "name": _("New-customer sales"),
                "type": "bar",
                "stack": "sales",
                "data": numbers("new_sales", "new_customer_sales"),
            },
            {
                "name": _("Repeat sales"),
                "type": "bar",
                "stack": "sales",
                "data": numbers("repeat_sales"),
            },
            {
                "name": _("New customers"),
                "type": "line",
                "yAxisIndex": 1,
                "data": numbers("new_customers"),
            },
            {
                "name": _("Repeat customers"),
                "type": "line",
                "yAxisIndex": 1,
                "data": numbers("repeat_customers"),
            },
        ],
        "links": [_page_url(context, at=r.get("period")) for r in rows],
    }
    return Card(
        key="lifecycle",
        table=table,
        chart=chart,
        description=_("Click a period to see its KPI trees."),
    )


TREE_MEASURES = [
    ("sales", gettext_lazy("Sales"), MONEY, ()),
    ("new_sales", gettext_lazy("New-customer sales"), MONEY, ("new_customer_sales",)),
    ("repeat_sales", gettext_lazy("Repeat sales"), MONEY, ()),
    ("walk_in_sales", gettext_lazy("Walk-in sales"), MONEY, ()),
    ("transactions", gettext_lazy("Transactions"), INT, ()),
    ("average_ticket", gettext_lazy("Average ticket"), MONEY, ()),
    ("average_unit_price", gettext_lazy("Unit price"), MONEY, ()),
    ("items_per_basket", gettext_lazy("Items per basket"), NUMBER, ()),
    ("customers", gettext_lazy("Customers"), INT, ()),
    ("new_customers", gettext_lazy("New customers"), INT, ()),
    ("repeat_customers", gettext_lazy("Repeat customers"), INT, ()),
]


def tree_nodes(row: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Each measure of the trees for one period: its value, the previous one and the change,
    formatted."""
    nodes: dict[str, dict[str, Any]] = {}
    for key, label, kind, fallback in TREE_MEASURES:
        value = _value(row, key, *fallback) if row else None
        if kind == MONEY and value is not None:
            value = Decimal(str(value)).quantize(Decimal("0.01"))
        previous = (
            _value(row, f"{key}_previous", *(f"{f}_previous" for f in fallback)) if row else None
        )
        change = _value(row, f"{key}_change", *(f"{f}_change" for f in fallback)) if row else None
        column = Column(key, label, kind)
        nodes[key] = {
            "label": label,
            "value": value,
            "text": display(value, column),
            "previous": display(previous, column),
            "change": change,
            "change_text": display(change, Column("c", "", CHANGE)),
        }
    return nodes


@card("kpi-tree")
def kpi_tree_card(context: PageContext) -> Card:
    rows = kpi_rows(context)
    row = _at(context, rows)
    nodes = tree_nodes(row)
    table = Table(
        key="kpi-tree",
        title=_("KPI trees"),
        columns=[
            Column("measure", gettext_lazy("Measure")),
            Column("value", gettext_lazy("This period")),
            Column("previous", gettext_lazy("Period before")),
            Column("change", gettext_lazy("Change"), CHANGE),
        ],
        rows=[
            {
                "measure": node["label"],
                "value": node["text"],
                "previous": node["previous"],
                "change": node["change"],
            }
            for node in nodes.values()
        ],
    )
    return Card(key="kpi-tree", table=table)


@card("kpi-stores")
def kpi_stores_card(context: PageContext) -> Card:
    """The chosen period in each of the user's stores: the drill-down by store."""
    period = context.params.get("period") if context.params.get("period") in PERIODS else "month"
    tables = run_results(context.run, "kpi")
    rows = rows_of_stores(
        tables.get(period, []) if isinstance(tables, Mapping) else [], context.user
    )
    mine = kpi_rows(context)
    at_row = _at(context, mine)
    at = str(at_row.get("period")) if at_row else ""
    names = dict(store_list(user=context.user).values_list("pk", "name"))
    table_rows = []
    for r in rows:
        if r.get("store_id") is None or str(r.get("period")) != at:
            continue
        store = r["store_id"]
        url = (
            reverse("analytics:lifecycle")
            + "?"
            + PageContext(
                user=context.user, run=context.run, store_id=store, params=context.params
            ).query(at=at)
        )
        table_rows.append(
            {
                "store": (names.get(store, str(store)), url),
                "sales": r.get("sales"),
                "sales_change": r.get("sales_change"),
                "new_sales": _value(r, "new_sales", "new_customer_sales"),
                "repeat_sales": r.get("repeat_sales"),
                "transactions": r.get("transactions"),
                "average_ticket": r.get("average_ticket"),
                "items_per_basket": r.get("items_per_basket"),
            }
        )
    table_rows.sort(key=lambda r: r["store"][0])
    table = Table(
        key="kpi-stores",
        title=_("Stores in this period"),
        columns=[
            Column("store", gettext_lazy("Store"), LINK),
            Column("sales", gettext_lazy("Sales"), MONEY),
            Column("sales_change", gettext_lazy("Change"), CHANGE),
            Column("new_sales", gettext_lazy("New-customer sales"), MONEY),
            Column("repeat_sales", gettext_lazy("Repeat sales"), MONEY),
            Column("transactions", gettext_lazy("Transactions"), INT),
            Column("average_ticket", gettext_lazy("Average ticket"), MONEY),
            Column("items_per_basket", gettext_lazy("Items per basket"), NUMBER),
        ],
        rows=table_rows,
    )
    return Card(key="kpi-stores", table=table)


class LifecycleView(AnalyticsView, View):
    """New vs repeat customers and the KPI trees, per week or month and per store."""

    params = ("period", "at")

    def get(self, request: HttpRequest) -> HttpResponse:
        form = LifecycleFilterForm(request.GET or None, user=request.user)
        context = self.page_context(request, form)
        rows = kpi_rows(context)
        at_row = _at(context, rows)
        data = {
            **self.base_context(request, context),
            "filter_form": form,
            "page_title": _("Lifecycle and KPI trees"),
            "page_key": "lifecycle",
            "nodes": tree_nodes(at_row),
            "at": at_row.get("period") if at_row else None,
            "periods": [r.get("period") for r in rows],
            "cards": [lifecycle_card(context), kpi_tree_card(context), kpi_stores_card(context)],
        }
        return render_page_or_partial(
            request, "analytics/lifecycle.html", "analytics/partials/_lifecycle.html", data
        )
