"""The hub, the report pages built from cards, the CSV of any card, the refresh and the
settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from guanxi.analytics.forms import (
    AnalyticsSettingsForm,
    BusinessFilterForm,
    ForecastFilterForm,
    StoreFilterForm,
)
from guanxi.analytics.selectors import analytics_settings_get
from guanxi.analytics.selectors_pages import grid_groups, refresh_job_running, segment_groups
from guanxi.analytics.services import analytics_refresh_start, analytics_settings_update
from guanxi.analytics.services_pages import table_export_record
from guanxi.analytics.views import clv, grid, lifecycle, patterns, value  # noqa: F401 - cards
from guanxi.analytics.views.base import AnalyticsView
from guanxi.analytics.views.cards import CARDS, Card, PageContext
from guanxi.core.errors import ApplicationError
from guanxi.core.htmx import hx_redirect, is_htmx_partial, render_page_or_partial
from guanxi.core.permissions import require_capability

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


class HubView(AnalyticsView, View):
    """The overview: when the figures were computed, "Refresh now", the pages."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = StoreFilterForm(request.GET or None, user=request.user)
        context = self.page_context(request, form)
        cells = {g.key: g for g in grid_groups(user=request.user, store_id=context.store_id)}
        segments = {g.key: g for g in segment_groups(user=request.user, store_id=context.store_id)}
        buyers = sum(g.customers for g in cells.values())
        data = {
            **self.base_context(request, context),
            "filter_form": form,
            "job": refresh_job_running(),
            "buyers": buyers,
            "revenue": sum((g.revenue for g in cells.values()), start=0),
            "highlights": [
                {
                    "label": _("Champions"),
                    "group": segments["champions"],
                    "url": context.customers_url(segment="champions"),
                },
                {
                    "label": _("At risk"),
                    "group": segments["at_risk"],
                    "url": context.customers_url(segment="at_risk"),
                },
                {
                    "label": _("Can't lose"),
                    "group": segments["cant_lose"],
                    "url": context.customers_url(segment="cant_lose"),
                },
                {
                    "label": _("Sleeping fans"),
                    "group": cells["sleeping_fan"],
                    "url": context.customers_url(recency_band="sleeping", frequency_band="fan"),
                },
            ],
        }
        return render(request, "analytics/hub.html", data)


class ReportView(AnalyticsView, View):
    """A page of cards: each a chart with its table one click away and a CSV."""

    title: Any = ""
    page_key = ""
    cards: tuple[str, ...] = ()
    filter_form_class = StoreFilterForm

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self.filter_form_class(request.GET or None, user=request.user)
        context = self.page_context(request, form)
        data = {
            **self.base_context(request, context),
            "filter_form": form,
            "page_title": self.title,
            "page_key": self.page_key,
            "cards": [CARDS[key](context) for key in self.cards],
            **self.page_extra(context),
        }
        return render_page_or_partial(
            request, "analytics/report.html", "analytics/partials/_cards.html", data
        )

    def page_extra(self, context: PageContext) -> dict[str, Any]:
        return {}


class ValueView(ReportView):
    title = gettext_lazy("Customer value")
    page_key = "value"
    cards = value.VALUE_CARDS


class ClvView(ReportView):
    title = gettext_lazy("Lifetime value and churn")
    page_key = "clv"
    cards = clv.CLV_CARDS


class RulesView(ReportView):
    title = gettext_lazy("Bought together and bought next")
    page_key = "rules"
    cards = patterns.RULES_CARDS
    filter_form_class = BusinessFilterForm


class CohortsView(ReportView):
    title = gettext_lazy("Cohorts")
    page_key = "cohorts"
    cards = patterns.COHORT_CARDS
    filter_form_class = BusinessFilterForm


class ForecastView(ReportView):
    title = gettext_lazy("Sales forecast")
    page_key = "forecast"
    cards = patterns.FORECAST_CARDS
    params = ("series", "period")
    filter_form_class = ForecastFilterForm

    def page_extra(self, context: PageContext) -> dict[str, Any]:
        series = patterns.forecast_series(context)
        chosen = patterns.chosen_series(context, series)
        return {
            "series_choices": [
                {
                    "value": s.get("series"),
                    "label": patterns.series_label(s),
                    "selected": s is chosen,
                }
                for s in series
            ]
        }


class TableCsvView(AnalyticsView, View):
    """The table of any card as CSV, with the same filters as the page (audited)."""

    params = ("period", "at", "series")

    def get(self, request: HttpRequest, table: str) -> StreamingHttpResponse:
        builder = CARDS.get(table)
        if builder is None:
            raise Http404
        context = self.page_context(request)
        built: Card = builder(context)
        if built.personal:
            require_capability(request.user, "customers.export")
        table_export_record(
            actor=request.user,
            table=table,
            rows=len(built.table.rows),
            path=request.get_full_path(),
        )
        response = StreamingHttpResponse(built.table.csv_lines(), content_type=CSV_CONTENT_TYPE)
        filename = f"{table}-{timezone.localdate():%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class RefreshView(AnalyticsView, View):
    """Start a refresh of every figure in the background; its progress shows on the hub."""

    capability = "analytics.manage"

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            job = analytics_refresh_start(actor=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc))
            url = reverse("analytics:hub")
            return hx_redirect(url) if is_htmx_partial(request) else redirect(url)
        messages.info(request, _("The figures are being refreshed."))
        if is_htmx_partial(request):
            return render(request, "core/partials/_job_progress.html", {"job": job})
        return redirect("analytics:hub")


class SettingsView(AnalyticsView, View):
    """The owner's settings of the engine; they apply from the next refresh."""

    capability = "analytics.manage"
    template_name = "analytics/settings.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AnalyticsSettingsForm(instance=analytics_settings_get())
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        instance = analytics_settings_get()
        form = AnalyticsSettingsForm(request.POST, instance=instance)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            analytics_settings_update(actor=request.user, data=form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, str(exc))
            return render(request, self.template_name, {"form": form}, status=400)
        messages.success(
            request, _("Settings saved. They apply from the next refresh of the figures.")
        )
        return redirect("analytics:settings")
