"""Household pages: list, create, the household page with its members, rename, dissolve, and
adding or removing a member."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.htmx import render_page_or_partial
from guanxi.core.permissions import has_capability, require_capability
from guanxi.customers.forms.households import HouseholdForm, HouseholdMemberForm
from guanxi.customers.models import Household
from guanxi.customers.selectors import customer_get
from guanxi.customers.selectors.households import (
    household_get,
    household_list,
    household_members,
    household_purchases,
)
from guanxi.customers.services.households import (
    household_create,
    household_dissolve,
    household_member_add,
    household_member_remove,
    household_update,
)
from guanxi.customers.views.customer import CapabilityRequiredMixin, _apply_errors

LIST_LIMIT = 100


def household_or_404(request: HttpRequest, pk: int, capability: str) -> Household:
    """The household if the user may see it, else 404; only then the capability (403)."""
    household = household_get(user=request.user, pk=pk)
    if household is None:
        raise Http404
    require_capability(request.user, capability)
    return household


class HouseholdListView(CapabilityRequiredMixin, View):
    capability = "customers.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        term = request.GET.get("q", "").strip()[:100]
        found = list(household_list(user=request.user, search=term)[: LIST_LIMIT + 1])
        context = {
            "households": found[:LIST_LIMIT],
            "more": len(found) > LIST_LIMIT,
            "term": term,
            "can_create": has_capability(request.user, "customers.change"),
        }
        return render_page_or_partial(
            request,
            "customers/household_list.html",
            "customers/partials/_household_rows.html",
            context,
        )


class HouseholdCreateView(CapabilityRequiredMixin, View):
    """A new household; ``?customer=<pk>`` makes that customer its first member."""

    capability = "customers.change"
    template_name = "customers/household_form.html"

    def _first_member(self, request: HttpRequest) -> Any:
        pk = request.GET.get("customer") or request.POST.get("customer")
        if not pk:
            return None
        customer = customer_get(user=request.user, pk=pk)
        if customer is None:
            raise Http404
        return customer

    def get(self, request: HttpRequest) -> HttpResponse:
        first = self._first_member(request)
        initial = {}
        if first is not None:
            initial = {"store": first.home_store_id, "name": first.full_name}
        form = HouseholdForm(initial=initial, user=request.user)
        return render(request, self.template_name, {"form": form, "first_member": first})

    def post(self, request: HttpRequest) -> HttpResponse:
        first = self._first_member(request)
        form = HouseholdForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                household = household_create(
                    name=form.cleaned_data["name"],
                    store=form.cleaned_data["store"],
                    notes=form.cleaned_data["notes"],
                    members=[first] if first is not None else [],
                    actor=request.user,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Household %(name)s created.") % {"name": household})
                return redirect("customers:household-detail", pk=household.pk)
        context = {"form": form, "first_member": first}
        return render(request, self.template_name, context, status=400)


def _detail_context(request: HttpRequest, household: Household, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "household": household,
        "members": list(household_members(household=household)),
        "purchases": household_purchases(household=household),
        "member_form": extra.pop("member_form", None) or HouseholdMemberForm(user=user),
        "can_change": has_capability(user, "customers.change"),
        "can_dissolve": has_capability(user, "customers.delete"),
        "can_view_history": has_capability(user, "audit.view_object"),
        **extra,
    }


class HouseholdDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = household_or_404(request, pk, "customers.view")
        return render(
            request, "customers/household_detail.html", _detail_context(request, household)
        )


class HouseholdUpdateView(LoginRequiredMixin, View):
    """Rename a household or change its notes."""

    template_name = "customers/household_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = household_or_404(request, pk, "customers.change")
        form = HouseholdForm(
            initial={"name": household.name, "notes": household.notes},
            user=request.user,
            household=household,
        )
        return render(request, self.template_name, {"form": form, "household": household})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = household_or_404(request, pk, "customers.change")
        form = HouseholdForm(request.POST, user=request.user, household=household)
        if form.is_valid():
            try:
                household_update(household=household, data=form.cleaned_data, actor=request.user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Household %(name)s saved.") % {"name": household})
                return redirect("customers:household-detail", pk=household.pk)
        context = {"form": form, "household": household}
        return render(request, self.template_name, context, status=400)


class HouseholdDeleteView(LoginRequiredMixin, View):
    """Dissolve a household: its members stay customers, in no household."""

    template_name = "customers/household_confirm_delete.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = household_or_404(request, pk, "customers.delete")
        members = list(household_members(household=household))
        return render(request, self.template_name, {"household": household, "members": members})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = household_or_404(request, pk, "customers.delete")
        name = str(household)
        household_dissolve(household=household, actor=request.user)
        messages.success(request, _("Household %(name)s dissolved.") % {"name": name})
        return redirect("customers:household-list")


class HouseholdMemberAddView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = household_or_404(request, pk, "customers.change")
        form = HouseholdMemberForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                customer = household_member_add(
                    household=household, customer=form.cleaned_data["customer"], actor=request.user
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s joined the household.") % {"name": customer},
                )
                return redirect("customers:household-detail", pk=household.pk)
        context = _detail_context(request, household, member_form=form)
        return render(request, "customers/household_detail.html", context, status=400)


class HouseholdMemberRemoveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = household_or_404(request, pk, "customers.change")
        pk_posted = request.POST.get("customer", "")
        members = household_members(household=household)
        customer = members.filter(pk=pk_posted).first() if pk_posted.isdigit() else None
        if customer is None:
            messages.error(request, _("This customer is not in the household."))
            return redirect("customers:household-detail", pk=household.pk)
        household_member_remove(household=household, customer=customer, actor=request.user)
        messages.success(request, _("%(name)s left the household.") % {"name": customer})
        return redirect("customers:household-detail", pk=household.pk)
