"""Pages for stores, staff members and the organisation settings.

Every page names the capability it needs; a staff member without it gets 403 (audited by the
middleware). A page of one store or staff member first looks the object up among those the user
may see: another store's object is "not found" (404) whatever the user's role, so that a 403 never
tells them it exists. Only then is the capability checked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.errors import ApplicationError
from guanxi.core.htmx import render_page_or_partial
from guanxi.core.permissions import has_capability, require_capability
from guanxi.staff import selectors
from guanxi.staff.forms.directory import (
    OrganisationForm,
    StaffCreateForm,
    StaffFilterForm,
    StaffUpdateForm,
    StoreForm,
)
from guanxi.staff.models import Store, User
from guanxi.staff.services import account as account_services
from guanxi.staff.services import directory as services

PAGE_SIZE = 50


class CapabilityRequiredMixin(LoginRequiredMixin):
    """Sign-in first, then the capability: 403 for a staff member who lacks it."""

    capability: str = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require_capability(request.user, self.capability)
        return super().dispatch(request, *args, **kwargs)


class ObjectCapabilityMixin(LoginRequiredMixin):
    """Pages of one object: sign-in first, then the object among those the user may see (404
    otherwise), and only then the capability (403). The handlers find it in ``self.object``."""

    capability: str = ""
    object: Any

    def get_object(self, pk: int) -> Any:
        raise NotImplementedError

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object(kwargs["pk"])
        require_capability(request.user, self.capability)
        return super().dispatch(request, *args, **kwargs)


class StoreObjectMixin(ObjectCapabilityMixin):
    object: Store

    def get_object(self, pk: int) -> Store:
        return selectors.store_get(user=self.request.user, pk=pk)


class StaffObjectMixin(ObjectCapabilityMixin):
    object: User

    def get_object(self, pk: int) -> User:
        return selectors.staff_get(user=self.request.user, pk=pk)


def _paginate(request: HttpRequest, items: Any) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _show_errors(form: Form, error: ValidationError | ApplicationError) -> None:
    """Put a service's refusal next to the field it concerns, or above the form."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- Stores ---------------------------------------------------------------------------------------


class StoreListView(CapabilityRequiredMixin, View):
    capability = "stores.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        search = request.GET.get("q", "").strip()
        stores = selectors.store_list(user=request.user, search=search, with_staff_count=True)
        context = {
            "page_obj": _paginate(request, stores),
            "search": search,
            "can_manage_stores": has_capability(request.user, "stores.manage"),
            "can_manage_organisation": has_capability(request.user, "organisation.manage"),
        }
        return render_page_or_partial(
            request, "staff/store_list.html", "staff/partials/_store_table.html", context
        )


class StoreDetailView(StoreObjectMixin, View):
    capability = "stores.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        store = self.object
        context = {
            "store": store,
            "can_view_staff": has_capability(request.user, "staff.view"),
            "store_staff": selectors.store_staff_list(user=request.user, store=store),
            "can_manage_stores": has_capability(request.user, "stores.manage"),
            "can_view_history": has_capability(request.user, "audit.view_object"),
        }
        return render(request, "staff/store_detail.html", context)


class StoreCreateView(CapabilityRequiredMixin, View):
    capability = "stores.manage"
    template_name = "staff/store_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": StoreForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StoreForm(request.POST)
        if form.is_valid():
            try:
                store = services.store_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, _("Store %(name)s was added.") % {"name": store})
                return redirect("staff:store-detail", pk=store.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class StoreUpdateView(StoreObjectMixin, View):
    capability = "stores.manage"
    template_name = "staff/store_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        store = self.object
        form = StoreForm(initial=StoreForm.initial_for(store))
        return render(request, self.template_name, {"form": form, "store": store})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        store = self.object
        form = StoreForm(request.POST)
        if form.is_valid():
            try:
                services.store_update(store=store, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                store.refresh_from_db()
                _show_errors(form, exc)
            else:
                messages.success(request, _("Store %(name)s was saved.") % {"name": store})
                return redirect("staff:store-detail", pk=store.pk)
        return render(request, self.template_name, {"form": form, "store": store}, status=400)


class StoreDeactivateView(StoreObjectMixin, View):
    """Asks for confirmation, then closes the store."""

    capability = "stores.manage"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        store = self.object
        return render(request, "staff/store_deactivate.html", {"store": store})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        store = self.object
        services.store_deactivate(store=store, actor=request.user)
        messages.success(request, _("Store %(name)s was deactivated.") % {"name": store})
        return redirect("staff:store-detail", pk=store.pk)


class StoreActivateView(StoreObjectMixin, View):
    capability = "stores.manage"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        store = self.object
        services.store_activate(store=store, actor=request.user)
        messages.success(request, _("Store %(name)s was reactivated.") % {"name": store})
        return redirect("staff:store-detail", pk=store.pk)


# --- Staff members --------------------------------------------------------------------------------


class StaffListView(CapabilityRequiredMixin, View):
    capability = "staff.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        filter_form = StaffFilterForm(
            request.GET, stores=selectors.store_list(user=request.user, include_inactive=False)
        )
        staff = selectors.staff_list(user=request.user, **filter_form.filters())
        context = {
            "filter_form": filter_form,
            "page_obj": _paginate(request, staff),
            "can_manage_staff": has_capability(request.user, "staff.manage"),
        }
        return render_page_or_partial(
            request, "staff/staff_list.html", "staff/partials/_staff_table.html", context
        )


class StaffDetailView(StaffObjectMixin, View):
    capability = "staff.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        staff_member = self.object
        context = {
            "staff_member": staff_member,
            "two_factor_on": selectors.two_factor_device(user=staff_member) is not None,
            "can_manage_staff": has_capability(request.user, "staff.manage"),
            "can_view_history": has_capability(request.user, "audit.view_object"),
        }
        return render(request, "staff/staff_detail.html", context)


class StaffCreateView(CapabilityRequiredMixin, View):
    capability = "staff.manage"
    template_name = "staff/staff_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = StaffCreateForm(initial={"language": request.LANGUAGE_CODE})
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StaffCreateForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("password_confirm")
            try:
                staff_member = services.staff_create(
                    **data,
                    actor=request.user,
                    domain=request.get_host(),
                    use_https=request.is_secure(),
                )
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                if data["password"]:
                    message = _("%(name)s was added and can sign in now.")
                else:
                    message = _(
                        "%(name)s was added; a link to set a password was sent to %(email)s."
                    )
                messages.success(
                    request, message % {"name": staff_member, "email": staff_member.email}
                )
                return redirect("staff:staff-detail", pk=staff_member.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class StaffUpdateView(StaffObjectMixin, View):
    capability = "staff.manage"
    template_name = "staff/staff_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        staff_member = self.object
        form = StaffUpdateForm(staff_member=staff_member)
        return render(request, self.template_name, {"form": form, "staff_member": staff_member})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        staff_member = self.object
        form = StaffUpdateForm(request.POST, staff_member=staff_member)
        if form.is_valid():
            try:
                services.staff_update(user=staff_member, actor=request.user, **form.cleaned_data)
            except (ValidationError, ApplicationError) as exc:
                staff_member.refresh_from_db()
                _show_errors(form, exc)
            else:
                messages.success(request, _("%(name)s was saved.") % {"name": staff_member})
                return redirect("staff:staff-detail", pk=staff_member.pk)
        context = {"form": form, "staff_member": staff_member}
        return render(request, self.template_name, context, status=400)


class StaffDeactivateView(StaffObjectMixin, View):
    """Asks for confirmation, then stops the staff member from signing in."""

    capability = "staff.manage"
    template_name = "staff/staff_deactivate.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        staff_member = self.object
        return render(request, self.template_name, {"staff_member": staff_member})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        staff_member = self.object
        try:
            services.staff_deactivate(user=staff_member, actor=request.user)
        except ApplicationError as exc:
            context = {"staff_member": staff_member, "error": exc.message}
            return render(request, self.template_name, context, status=400)
        messages.success(request, _("%(name)s was deactivated.") % {"name": staff_member})
        return redirect("staff:staff-detail", pk=staff_member.pk)


class StaffTwoFactorResetView(StaffObjectMixin, View):
    """The staff detail page's button, confirmed in a dialog: removes the staff member's
    authenticator and backup codes (a lost phone)."""

    capability = "staff.manage"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        staff_member = self.object
        try:
            account_services.staff_two_factor_reset(staff=staff_member, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Two-factor sign-in of %(name)s was reset; they sign in with their password.")
                % {"name": staff_member},
            )
        return redirect("staff:staff-detail", pk=staff_member.pk)


# --- The organisation -----------------------------------------------------------------------------


class OrganisationUpdateView(CapabilityRequiredMixin, View):
    capability = "organisation.manage"
    template_name = "staff/organisation_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        organisation = selectors.organisation_get()
        form = OrganisationForm(
            initial={
                "name": organisation.name,
                "require_two_factor": organisation.require_two_factor,
            }
        )
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                services.organisation_update(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, _("The organisation settings were saved."))
                return redirect("staff:organisation-update")
        return render(request, self.template_name, {"form": form}, status=400)
