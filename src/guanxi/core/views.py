from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from guanxi.core import selectors, services_audit
from guanxi.core.filters import DENIAL_ACTIONS, audit_filter_data
from guanxi.core.history import history_entries
from guanxi.core.htmx import hx_redirect, is_htmx_partial, render_page_or_partial
from guanxi.core.permissions import require_capability
from guanxi.core.registry import HISTORY_SOURCES, JOB_DOWNLOAD_CAPABILITIES, panels_for

AUDIT_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 25


class HomeView(LoginRequiredMixin, TemplateView):
    """The dashboard: each role sees the panels that matter to it."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        panels = []
        for panel in panels_for(self.request.user):
            panels.append({"template": panel.template, **panel.context(self.request)})
        context["panels"] = panels
        return context


class JobDetailView(LoginRequiredMixin, View):
    """A job's progress; the htmx partial polls itself until the job has finished."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(selectors.job_list(user=request.user), pk=pk)
        return render_page_or_partial(
            request, "core/job_detail.html", "core/partials/_job_progress.html", {"job": job}
        )


class JobDownloadView(LoginRequiredMixin, View):
    """The file a finished job produced, for whoever may see the job."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        job = get_object_or_404(selectors.job_list(user=request.user), pk=pk)
        capability = JOB_DOWNLOAD_CAPABILITIES.get(job.kind)
        if capability is not None:
            require_capability(request.user, capability)
        path = selectors.job_file(job=job)
        if path is None:
            raise Http404(_("The file is not ready or no longer kept."))
        filename = job.result.get("filename") or path.name
        return FileResponse(path.open("rb"), as_attachment=True, filename=filename)


class ObjectHistoryView(LoginRequiredMixin, View):
    """The "History" tab of an object: who changed what, when and from where."""

    def get(self, request: HttpRequest, object_type: str, pk: str) -> HttpResponse:
        # Another store's object is not found (404) before anyone is told they may not read
        # histories (403), so that its existence does not leak.
        obj = selectors.history_object_get(user=request.user, object_type=object_type, pk=pk)
        require_capability(request.user, "audit.view_object")
        page = Paginator(selectors.object_history_list(obj=obj), HISTORY_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context = {
            "object": obj,
            "object_type": object_type,
            "object_verbose_name": obj._meta.verbose_name,
            "page": page,
            "entries": history_entries(page.object_list, type(obj)),
            "history_url": reverse(
                "core:object-history", kwargs={"object_type": object_type, "pk": obj.pk}
            ),
        }
        return render_page_or_partial(
            request, "core/object_history.html", "core/partials/_history.html", context
        )


class AuditLogView(LoginRequiredMixin, View):
    """The searchable audit log, for owners."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_capability(request.user, "audit.view")
        filterset = selectors.audit_event_filter(user=request.user, filters=request.GET)
        page = Paginator(filterset.qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        filters = audit_filter_data(request.GET)
        stores = selectors.store_names(store_ids=[event.store_id for event in page])
        rows = [
            {
                "event": event,
                "store": stores.get(event.store_id, "") if event.store_id else "",
                "is_denial": event.action in DENIAL_ACTIONS,
                "has_history": event.object_type in HISTORY_SOURCES and bool(event.object_pk),
            }
            for event in page
        ]
        context = {
            "filter_form": filterset.form,
            "filters": filters,
            "filter_query": urlencode(filters),
            "page": page,
            "rows": rows,
        }
        return render_page_or_partial(
            request, "core/audit_log.html", "core/partials/_audit_rows.html", context
        )


class AuditExportView(LoginRequiredMixin, View):
    """Start a CSV export of the filtered audit log and show its progress."""

    def post(self, request: HttpRequest) -> HttpResponse:
        require_capability(request.user, "audit.view")
        try:
            job = services_audit.audit_export_start(actor=request.user, filters=request.POST)
        except ValidationError:
            messages.error(request, _("Correct the filters before exporting."))
            url = reverse("core:audit-log")
            return hx_redirect(url) if is_htmx_partial(request) else redirect(url)
        url = reverse("core:job-detail", kwargs={"pk": job.pk})
        return hx_redirect(url) if is_htmx_partial(request) else redirect(url)


class HealthView(View):
    """``GET /healthz``: the state of the database and the job queue, for load balancers."""

    def get(self, request: HttpRequest) -> JsonResponse:
        checks = {"database": selectors.database_health(), "queue": selectors.queue_health()}
        healthy = all(c["ok"] for c in checks.values())
        return JsonResponse(
            {
                "status": "ok" if healthy else "error",
                "database_vendor": connection.vendor,
                **checks,
            },
            status=200 if healthy else 503,
        )
