"""The data-quality pages: completeness weights, the data-quality dashboard, the duplicates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.htmx import render_page_or_partial
from guanxi.core.permissions import has_capability
from guanxi.customers.forms.quality import CompletenessWeightsForm, QualityFilterForm
from guanxi.customers.selectors.quality import (
    completeness_by_staff,
    completeness_by_store,
    completeness_distribution,
    customer_fill_in_list,
    duplicate_group_list,
    duplicate_groups_load,
    fill_in_rows,
)
from guanxi.customers.services.completeness import (
    completeness_recalculate_start,
    completeness_weights,
    completeness_weights_set,
)
from guanxi.customers.views.customer import CapabilityRequiredMixin

FILL_IN_PAGE_SIZE = 20
DUPLICATES_PAGE_SIZE = 20


class CompletenessWeightsView(CapabilityRequiredMixin, View):
    """The owner's weights per field; saving them recomputes every score in the background."""

    capability = "customers.completeness_weights"
    template_name = "customers/completeness_weights.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CompletenessWeightsForm(weights=completeness_weights())
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CompletenessWeightsForm(request.POST, weights=completeness_weights())
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        completeness_weights_set(weights=form.weights(), actor=request.user)
        job = completeness_recalculate_start(actor=request.user)
        messages.success(
            request, _("Weights saved. Every customer's completeness is being recalculated.")
        )
        return redirect("core:job-detail", pk=job.pk)


def _chart(
    labels: list[str], values: list[Any], series: str, maximum: int | None = None
) -> dict[str, Any]:
    # ECharts reads plain numbers; the table under each chart shows the exact values.
    numbers = [float(v) if v is not None else None for v in values]
    return {"labels": labels, "values": numbers, "series": series, "max": maximum}


class DataQualityView(CapabilityRequiredMixin, View):
    """Average completeness per store and per responsible staff member, the distribution of
    scores and the "fill these in" list. The htmx partial is the part below the store filter
    (the filter and the list's pages swap it)."""

    capability = "customers.data_quality"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        filter_form = QualityFilterForm(request.GET or None, user=user)
        store_id = filter_form.store_id()
        by_store = completeness_by_store(user=user, store_id=store_id)
        by_staff = completeness_by_staff(user=user, store_id=store_id)
        bands = completeness_distribution(user=user, store_id=store_id)
        page = Paginator(
            customer_fill_in_list(user=user, store_id=store_id), FILL_IN_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        context = {
            "filter_form": filter_form,
            "by_store": by_store,
            "by_staff": by_staff,
            "bands": bands,
            "page_obj": page,
            "fill_in": fill_in_rows(page.object_list),
            "can_set_weights": has_capability(user, "customers.completeness_weights"),
            "can_merge": has_capability(user, "customers.merge"),
            "store_chart": _chart(
                [row.store_name for row in by_store],
                [row.average for row in by_store],
                _("Average completeness"),
                maximum=100,
            ),
            "staff_chart": _chart(
                [row.staff_name or _("Nobody") for row in by_staff],
                [row.average for row in by_staff],
                _("Average completeness"),
                maximum=100,
            ),
            "band_chart": _chart(
                [band.label for band in bands],
                [band.customers for band in bands],
                _("Customers"),
            ),
        }
        return render_page_or_partial(
            request,
            "customers/data_quality.html",
            "customers/partials/_data_quality.html",
            context,
        )


class DuplicateListView(CapabilityRequiredMixin, View):
    """Likely duplicates (same name and birthday) among the user's customers, by group."""

    capability = "customers.data_quality"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        filter_form = QualityFilterForm(request.GET or None, user=user)
        store_id = filter_form.store_id()
        page = Paginator(
            duplicate_group_list(user=user, store_id=store_id), DUPLICATES_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        context = {
            "filter_form": filter_form,
            "page_obj": page,
            "groups": duplicate_groups_load(user=user, groups=page.object_list, store_id=store_id),
            "can_merge": has_capability(user, "customers.merge"),
        }
        return render_page_or_partial(
            request,
            "customers/duplicate_list.html",
            "customers/partials/_duplicate_groups.html",
            context,
        )
