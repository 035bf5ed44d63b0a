"""Saved audiences: a snapshot of a group's customers, saved from a customer list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from guanxi.analytics.forms import AudienceForm, CustomerDefinitionForm
from guanxi.analytics.selectors import audience_customers, audience_get, audience_list
from guanxi.analytics.services import audience_create
from guanxi.analytics.views.base import AnalyticsView
from guanxi.core.errors import ApplicationError
from guanxi.core.htmx import hx_redirect, is_htmx_partial, render_page_or_partial
from guanxi.core.permissions import require_capability

PAGE_SIZE = 50


class AudienceListView(AnalyticsView, View):
    """``GET``: the audiences the user may see; ``POST``: save the customers of the definition
    in the query string as a new audience."""

    def get(self, request: HttpRequest) -> HttpResponse:
        search = request.GET.get("q", "").strip()[:100]
        audiences = audience_list(user=request.user).order_by("-created_at", "-pk")
        if search:
            audiences = audiences.filter(name__icontains=search)
        page = Paginator(audiences, PAGE_SIZE).get_page(request.GET.get("page"))
        data = {
            **self.base_context(request, self.page_context(request)),
            "page_obj": page,
            "q": search,
        }
        return render_page_or_partial(
            request, "analytics/audience_list.html", "analytics/partials/_audiences.html", data
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        require_capability(request.user, "analytics.audience")
        form = AudienceForm(request.POST)
        definition_form = CustomerDefinitionForm(request.GET or None, user=request.user)
        back = reverse("analytics:customer-list") + "?" + request.GET.urlencode()
        if not form.is_valid() or (request.GET and not definition_form.is_valid()):
            messages.error(request, _("Give the audience a name."))
            return hx_redirect(back) if is_htmx_partial(request) else redirect(back)
        try:
            audience = audience_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                definition=definition_form.definition(),
            )
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return hx_redirect(back) if is_htmx_partial(request) else redirect(back)
        messages.success(
            request,
            _("Audience “%(name)s” saved with %(count)s customers.")
            % {"name": audience.name, "count": audience.customers},
        )
        url = reverse("analytics:audience-detail", kwargs={"pk": audience.pk})
        return hx_redirect(url) if is_htmx_partial(request) else redirect(url)


class AudienceDetailView(AnalyticsView, View):
    """One audience: its definition and the customers saved in it (those the user may see).
    Another store's audience is not found (404) before the capability is checked (403)."""

    capability = ""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        audience = audience_get(user=request.user, pk=pk)
        if audience is None:
            raise Http404
        require_capability(request.user, "analytics.reports")
        members = audience_customers(user=request.user, audience=audience).select_related("metrics")
        page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
        data = {
            **self.base_context(request, self.page_context(request)),
            "audience": audience,
            "page_obj": page,
        }
        return render_page_or_partial(
            request,
            "analytics/audience_detail.html",
            "analytics/partials/_audience_members.html",
            data,
        )
