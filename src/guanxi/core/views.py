from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import TemplateView

from guanxi.core import selectors
from guanxi.core.htmx import render_page_or_partial
from guanxi.core.registry import panels_for


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
