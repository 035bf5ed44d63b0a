"""The R×F grid (recency bands × frequency bands, 16 cells) and the RFM segments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from guanxi.analytics.choices import FrequencyBand, RecencyBand, RfmSegment
from guanxi.analytics.forms import GridActionForm, StoreFilterForm
from guanxi.analytics.selectors import grid_cell_actions
from guanxi.analytics.selectors_pages import (
    Group,
    grid_action_initial,
    grid_groups,
    segment_groups,
)
from guanxi.analytics.services import grid_action_update
from guanxi.analytics.views.base import AnalyticsView
from guanxi.analytics.views.cards import Card, PageContext, card
from guanxi.analytics.views.tables import INT, LINK, MONEY, SHARE, TEXT, Column, Table, display
from guanxi.core.htmx import hx_redirect, is_htmx_partial, render_page_or_partial

SHARE_COLUMN = Column("share", "", SHARE)
CELL_COLUMNS = [
    Column("recency", gettext_lazy("Recency"), TEXT),
    Column("frequency", gettext_lazy("Frequency"), TEXT),
    Column("customers", gettext_lazy("Customers"), LINK),
    Column("customer_count", gettext_lazy("Customers (number)"), INT),
    Column("customer_share", gettext_lazy("Share of customers"), SHARE),
    Column("revenue", gettext_lazy("Revenue"), MONEY),
    Column("revenue_share", gettext_lazy("Share of revenue"), SHARE),
    Column("action", gettext_lazy("Recommended action"), TEXT),
]


def cell_key(recency: str, frequency: str) -> str:
    return f"{recency}_{frequency}"


def cells_from_key(key: str) -> tuple[str, str]:
    """``"sleeping_second_time"`` → ``("sleeping", "second_time")``; 404 for anything else."""
    for recency in RecencyBand.values:
        prefix = recency + "_"
        if key.startswith(prefix) and key[len(prefix) :] in FrequencyBand.values:
            return recency, key[len(prefix) :]
    raise Http404


def grid_rows(context: PageContext) -> list[dict[str, Any]]:
    """The grid as rows of recency bands (active first), each with its four cells."""
    groups = {g.key: g for g in grid_groups(user=context.user, store_id=context.store_id)}
    actions = grid_cell_actions()
    largest = max((g.customer_share for g in groups.values()), default=0.0) or 1.0
    rows = []
    for recency in RecencyBand:
        cells = []
        for frequency in FrequencyBand:
            key = cell_key(recency.value, frequency.value)
            group = groups[key]
            cells.append(
                {
                    "key": key,
                    "recency": recency,
                    "frequency": frequency,
                    "group": group,
                    "action": actions.get(key, ""),
                    "customer_share": display(group.customer_share, SHARE_COLUMN),
                    "revenue_share": display(group.revenue_share, SHARE_COLUMN),
                    "url": context.customers_url(
                        recency_band=recency.value, frequency_band=frequency.value
                    ),
                    # the cell's colour: its share of customers against the largest cell
                    "intensity": round(0.08 + 0.6 * group.customer_share / largest, 3),
                }
            )
        rows.append({"band": recency, "cells": cells})
    return rows


@card("grid")
def grid_card(context: PageContext) -> Card:
    rows = []
    for row in grid_rows(context):
        for cell in row["cells"]:
            group: Group = cell["group"]
            rows.append(
                {
                    "recency": cell["recency"].label,
                    "frequency": cell["frequency"].label,
                    "customers": (str(group.customers), cell["url"]),
                    "customer_count": group.customers,
                    "customer_share": group.customer_share,
                    "revenue": group.revenue,
                    "revenue_share": group.revenue_share,
                    "action": cell["action"],
                }
            )
    table = Table(key="grid", title=_("R×F grid"), columns=CELL_COLUMNS, rows=rows)
    return Card(key="grid", table=table)


def thresholds_text(run: Any) -> dict[str, Any]:
    """The day limits of the recency bands and the purchase cuts of the frequency bands of the
    run the grid comes from."""
    thresholds = getattr(run, "thresholds", None) or {}
    cuts = thresholds.get("frequency_cuts") or [2, 3, 5]
    return {
        "active": thresholds.get("active"),
        "silent": thresholds.get("silent"),
        "sleeping": thresholds.get("sleeping"),
        "median_cycle_days": thresholds.get("median_cycle_days"),
        "derived": thresholds.get("derived"),
        "second": cuts[0],
        "returning": cuts[1],
        "returning_to": cuts[2] - 1,
        "fan": cuts[2],
    }


class GridView(AnalyticsView, View):
    """The 16 cells with customers, revenue, shares and the recommended action; a click on a
    cell lists its customers below the grid (htmx) or on their own page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = StoreFilterForm(request.GET or None, user=request.user)
        context = self.page_context(request, form)
        rows = grid_rows(context)
        totals = [cell["group"] for row in rows for cell in row["cells"]]
        data = {
            **self.base_context(request, context),
            "filter_form": form,
            "rows": rows,
            "frequencies": list(FrequencyBand),
            "thresholds": thresholds_text(context.run),
            "total_customers": sum(g.customers for g in totals),
            "total_revenue": sum((g.revenue for g in totals), start=0),
            "card": grid_card(context),
        }
        return render_page_or_partial(
            request, "analytics/grid.html", "analytics/partials/_grid.html", data
        )


@card("segments")
def segments_card(context: PageContext) -> Card:
    groups = segment_groups(user=context.user, store_id=context.store_id)
    labels = dict(RfmSegment.choices)
    rows = [
        {
            "segment": (str(labels[g.key]), context.customers_url(segment=g.key)),
            "customers": g.customers,
            "customer_share": g.customer_share,
            "revenue": g.revenue,
            "revenue_share": g.revenue_share,
        }
        for g in groups
    ]
    table = Table(
        key="segments",
        title=_("RFM segments"),
        columns=[
            Column("segment", gettext_lazy("Segment"), LINK),
            Column("customers", gettext_lazy("Customers"), INT),
            Column("customer_share", gettext_lazy("Share of customers"), SHARE),
            Column("revenue", gettext_lazy("Revenue"), MONEY),
            Column("revenue_share", gettext_lazy("Share of revenue"), SHARE),
        ],
        rows=rows,
    )
    names = [str(labels[g.key]) for g in groups]
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [
            {
                "name": _("Share of customers"),
                "type": "bar",
                "data": [round(g.customer_share * 100, 1) for g in groups],
            },
            {
                "name": _("Share of revenue"),
                "type": "bar",
                "data": [round(g.revenue_share * 100, 1) for g in groups],
            },
        ],
        "links": [context.customers_url(segment=g.key) for g in groups],
    }
    return Card(
        key="segments",
        table=table,
        chart=chart,
        description=_("Click a bar or a segment's name to list its customers."),
    )


class SegmentsView(AnalyticsView, View):
    """The eight RFM segments with their customers and revenue; each one drills down to its
    customers."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = StoreFilterForm(request.GET or None, user=request.user)
        context = self.page_context(request, form)
        data = {
            **self.base_context(request, context),
            "filter_form": form,
            "cards": [segments_card(context)],
            "page_title": _("RFM segments"),
            "page_key": "segments",
        }
        return render_page_or_partial(
            request, "analytics/report.html", "analytics/partials/_cards.html", data
        )


class GridActionUpdateView(AnalyticsView, View):
    """The owner edits a cell's recommended action (htmx: the form in place of the text)."""

    capability = "analytics.manage"

    def get(self, request: HttpRequest, cell: str) -> HttpResponse:
        recency, frequency = cells_from_key(cell)
        form = GridActionForm(
            initial=grid_action_initial(recency_band=recency, frequency_band=frequency)
        )
        return self._render(request, cell, recency, frequency, form)

    def post(self, request: HttpRequest, cell: str) -> HttpResponse:
        recency, frequency = cells_from_key(cell)
        form = GridActionForm(request.POST)
        if not form.is_valid():
            return self._render(request, cell, recency, frequency, form, status=400)
        grid_action_update(
            actor=request.user,
            recency_band=recency,
            frequency_band=frequency,
            **form.cleaned_data,
        )
        messages.success(request, _("The recommended action was saved."))
        url = request.POST.get("next") or ""
        if not url.startswith(reverse("analytics:grid")) or "//" in url:
            url = reverse("analytics:grid")
        return hx_redirect(url) if is_htmx_partial(request) else redirect(url)

    def _render(
        self,
        request: HttpRequest,
        cell: str,
        recency: str,
        frequency: str,
        form: GridActionForm,
        status: int = 200,
    ) -> HttpResponse:
        data = {
            "cell": cell,
            "recency": RecencyBand(recency),
            "frequency": FrequencyBand(frequency),
            "form": form,
            "next": request.GET.get("next") or request.POST.get("next") or "",
        }
        template = (
            "analytics/partials/_grid_action_form.html"
            if is_htmx_partial(request)
            else "analytics/grid_action_form.html"
        )
        return render(request, template, data, status=status)
