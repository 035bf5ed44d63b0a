"""Saved views of the customer list: save the current filters under a name, delete one."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from guanxi.customers.forms.tags import SavedViewForm
from guanxi.customers.selectors.saved_views import saved_view_get
from guanxi.customers.services.saved_views import saved_view_create, saved_view_delete
from guanxi.customers.views.customer import CapabilityRequiredMixin


class SavedViewCreateView(CapabilityRequiredMixin, View):
    """Posted from the list with the list's query string in ``query``."""

    capability = "customers.view"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SavedViewForm(request.POST)
        query = request.POST.get("query", "")[:1000]
        back = reverse("customers:customer-list")
        if not form.is_valid():
            messages.error(request, _("Give the view a name."))
            return redirect(f"{back}?{query}" if query else back)
        try:
            view = saved_view_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                query_string=query,
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{back}?{query}" if query else back)
        messages.success(request, _("View %(name)s saved.") % {"name": view})
        return redirect(f"{back}?{view.query}&{urlencode({'view': view.pk})}")


class SavedViewDeleteView(LoginRequiredMixin, View):
    """Only the staff member who saved a view can delete it; anyone else gets 404."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = saved_view_get(user=request.user, pk=pk)
        if view is None:
            raise Http404
        name = str(view)
        saved_view_delete(saved_view=view, actor=request.user)
        messages.success(request, _("View %(name)s deleted.") % {"name": name})
        return redirect("customers:customer-list")
