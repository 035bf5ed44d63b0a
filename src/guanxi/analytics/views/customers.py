"""The customers of one group (an R×F cell, a segment, a decile, an ABC class, a pyramid level,
the deal customers): listed, exported as CSV, saved as an audience."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from guanxi.analytics.choices import (
    AbcClass,
    FrequencyBand,
    PyramidLevel,
    RecencyBand,
    RfmSegment,
)
from guanxi.analytics.forms import AudienceForm, CustomerDefinitionForm
from guanxi.analytics.selectors_pages import customers_of_definition
from guanxi.analytics.services_pages import customer_list_export_record
from guanxi.analytics.views.base import AnalyticsView
from guanxi.analytics.views.tables import BOM
from guanxi.core.exports import FORMULA_PREFIXES
from guanxi.core.htmx import render_page_or_partial
from guanxi.core.permissions import require_capability
from guanxi.customers.selectors import customer_search_q

PAGE_SIZE = 50
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

LABELS: dict[str, Mapping[str, Any]] = {
    "recency_band": dict(RecencyBand.choices),
    "frequency_band": dict(FrequencyBand.choices),
    "segment": dict(RfmSegment.choices),
    "abc_class": dict(AbcClass.choices),
    "pyramid_level": dict(PyramidLevel.choices),
}


def definition_parts(form: CustomerDefinitionForm, definition: Mapping[str, Any]) -> list[str]:
    """The definition in words, one part per filter: "Recency: Sleeping", "Store: 上海南京路店"."""
    parts = []
    for name, value in definition.items():
        field = form.fields[name]
        if name == "store":
            shown = str(form.cleaned_data["store"])
        elif name == "deal_customer":
            parts.append(str(field.label))
            continue
        else:
            shown = str(LABELS.get(name, {}).get(value, value))
        parts.append(f"{field.label}: {shown}")
    return parts


def customers_of(request: HttpRequest) -> tuple[CustomerDefinitionForm, dict[str, Any], Any]:
    """The definition from the query string and the user's customers that match it, the
    biggest spenders first."""
    form = CustomerDefinitionForm(request.GET or None, user=request.user)
    definition = form.definition()
    customers = customers_of_definition(user=request.user, definition=definition)
    if form.is_bound and not form.is_valid():
        # a filter that is not one of the user's choices (another store, say) lists nobody
        customers = customers.none()
    term = form.search()
    if term:
        customers = customers.filter(customer_search_q(term))
    customers = customers.select_related("home_store", "metrics").order_by(
        "-metrics__total_spend", "pk"
    )
    return form, definition, customers


class CustomerListView(AnalyticsView, View):
    """One group's customers with their figures; the htmx partial is the table (the grid page
    shows it under the grid when a cell is clicked)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form, definition, customers = customers_of(request)
        page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        data = {
            **self.base_context(request, self.page_context(request)),
            "form": form,
            "definition": definition,
            "parts": definition_parts(form, definition),
            "page_obj": page,
            "query": query.urlencode(),
            "audience_form": AudienceForm(
                initial={"name": " · ".join(definition_parts(form, definition))[:120]}
            ),
        }
        return render_page_or_partial(
            request, "analytics/customer_list.html", "analytics/partials/_customers.html", data
        )


def _text(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _number(value: Any) -> str:
    return "" if value is None else str(value)


def customer_csv_lines(customers: Iterable[Any]) -> Iterator[str]:
    """The group's customers with their figures, as CSV lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(
        [
            _("ID"),
            _("Full name"),
            _("Phone"),
            _("Home store"),
            _("First purchase"),
            _("Last purchase"),
            _("Purchases"),
            _("Total spend"),
            _("Average ticket"),
            _("Segment"),
            _("Recency"),
            _("Frequency"),
            _("Spend decile"),
            _("Probability still active"),
            _("Expected purchases in 90 days"),
            _("Lifetime value (12 months)"),
        ]
    )
    yield BOM + flush()
    for customer in customers:
        metrics = getattr(customer, "metrics", None)
        writer.writerow(
            [
                customer.pk,
                _text(customer.full_name),
                _text(customer.phone),
                _text(customer.home_store.name),
                _number(metrics and metrics.first_purchase_at),
                _number(metrics and metrics.last_purchase_at),
                _number(metrics and metrics.purchases),
                _number(metrics and metrics.total_spend),
                _number(metrics and metrics.average_spend),
                _text(metrics and metrics.get_rfm_segment_display()),
                _text(metrics and metrics.get_recency_band_display()),
                _text(metrics and metrics.get_frequency_band_display()),
                _number(metrics and metrics.monetary_decile),
                _number(metrics and metrics.p_alive),
                _number(metrics and metrics.expected_purchases_90d),
                _number(metrics and metrics.clv_12m),
            ]
        )
        yield flush()


class CustomerExportView(AnalyticsView, View):
    """The group's customers as CSV (streamed); audited with the definition and the size."""

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        require_capability(request.user, "customers.export")
        _form, definition, customers = customers_of(request)
        customer_list_export_record(
            actor=request.user,
            definition=definition,
            rows=customers.count(),
            path=request.get_full_path(),
        )
        response = StreamingHttpResponse(
            customer_csv_lines(customers.iterator(chunk_size=500)),
            content_type=CSV_CONTENT_TYPE,
        )
        filename = f"customers-{timezone.localdate():%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
