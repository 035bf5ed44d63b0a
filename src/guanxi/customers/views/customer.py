"""Pages of the customers domain: list, search, detail, create, edit, delete, export."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.errors import ApplicationError
from guanxi.core.htmx import is_htmx_partial, render_page_or_partial
from guanxi.core.permissions import has_capability, require_capability
from guanxi.customers import services
from guanxi.customers.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    customer_csv_lines,
    customer_xlsx_write,
)
from guanxi.customers.forms.customer import CustomerFilterForm, CustomerForm
from guanxi.customers.forms.tags import SavedViewForm
from guanxi.customers.models import Customer
from guanxi.customers.profile_panels import profile_panels_for
from guanxi.customers.selectors import (
    CustomerFilters,
    customer_get,
    customer_list,
    customer_page,
)
from guanxi.customers.selectors.profile import (
    customer_missing_fields,
    customer_timeline_domains,
    customer_timeline_page,
)
from guanxi.customers.selectors.saved_views import saved_view_list
from guanxi.customers.selectors.tags import tag_list
from guanxi.customers.services.duplicates import DuplicateCandidate, duplicate_candidates
from guanxi.customers.services.exports import customer_export_prepare
from guanxi.customers.services.saved_views import saved_view_query

PAGE_SIZE = 25
SEARCH_LIMIT = 8
AUTOCOMPLETE_LIMIT = 20


class CapabilityRequiredMixin(LoginRequiredMixin):
    """Sign-in first, then the capability; a missing capability is a 403 (audited)."""

    capability = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_capability(request.user, self.capability)
        return super().dispatch(request, *args, **kwargs)


def customer_or_404(request: HttpRequest, pk: int, capability: str) -> Customer:
    """The customer if the user may see it, else 404; only then the capability (403).

    Looking the object up first means another store's customer is "not found" for everyone,
    whatever they may do in their own store.
    """
    customer = customer_get(user=request.user, pk=pk)
    if customer is None:
        raise Http404
    require_capability(request.user, capability)
    return customer


def filters_from(request: HttpRequest) -> tuple[CustomerFilterForm, CustomerFilters]:
    form = CustomerFilterForm(request.GET or None, user=request.user)
    return form, form.filters()


class CustomerListView(CapabilityRequiredMixin, View):
    """The list: filters, sorting, saved views and keyset pages ("next" / "previous"), so that
    the thousandth page costs what the first does."""

    capability = "customers.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form, filters = filters_from(request)
        page = customer_page(
            user=request.user,
            filters=filters,
            after=request.GET.get("after", "")[:200],
            before=request.GET.get("before", "")[:200],
            page_size=PAGE_SIZE,
        )
        context = {
            "filter_form": form,
            "page": page,
            "customers": page.customers,
            "is_filtered": filters.is_filtered,
            "saved_views": saved_view_list(user=request.user),
            "current_query": saved_view_query(request.GET.urlencode()),
            "saved_view_form": SavedViewForm(),
            "can_create": has_capability(request.user, "customers.create"),
            "can_export": has_capability(request.user, "customers.export"),
            "can_import": has_capability(request.user, "customers.import"),
            "can_manage_tags": has_capability(request.user, "customers.manage_tags"),
        }
        return render_page_or_partial(
            request,
            "customers/customer_list.html",
            "customers/partials/_customer_rows.html",
            context,
        )


def _timeline_params(request: HttpRequest) -> tuple[str, int]:
    domain = request.GET.get("domain", "")[:32]
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    return domain, page


class CustomerDetailView(LoginRequiredMixin, View):
    """The customer 360 page: profile and completeness, household, tags, consent, the timeline
    and the panels other domains register."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.view")
        user = request.user
        domain, _page = _timeline_params(request)
        customer_tags = list(customer.tags.order_by("name"))
        can_change = has_capability(user, "customers.change")
        context = {
            "customer": customer,
            "missing_fields": customer_missing_fields(customer=customer),
            "customer_tags": customer_tags,
            "available_tags": [t for t in tag_list() if t not in customer_tags]
            if can_change
            else [],
            "timeline": customer_timeline_page(customer=customer, domain=domain),
            "timeline_domains": customer_timeline_domains(customer=customer),
            "panels": profile_panels_for(request, customer),
            "can_change": can_change,
            "can_delete": has_capability(user, "customers.delete"),
            "can_view_history": has_capability(user, "audit.view_object"),
        }
        return render(request, "customers/customer_detail.html", context)


class CustomerTimelineView(LoginRequiredMixin, View):
    """The timeline, filtered by domain and page by page. The "load more" button and the
    filter chips ask for the partial with htmx; without htmx it is a page of its own."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.view")
        domain, page = _timeline_params(request)
        timeline = customer_timeline_page(customer=customer, domain=domain, page=page)
        context = {
            "customer": customer,
            "timeline": timeline,
            "append": page > 1 and is_htmx_partial(request),
        }
        return render_page_or_partial(
            request,
            "customers/customer_timeline.html",
            "customers/partials/_timeline.html",
            context,
        )


def _apply_errors(form: CustomerForm, error: ValidationError | ApplicationError) -> None:
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class CustomerCreateView(CapabilityRequiredMixin, View):
    """Register a customer. ``create`` is the one place that writes: a check before saving
    (e.g. a likely duplicate) overrides it and returns ``None`` after adding form errors."""

    capability = "customers.create"
    template_name = "customers/customer_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CustomerForm(user=request.user)
        return render(request, self.template_name, {"form": form})

    def create(self, request: HttpRequest, form: CustomerForm) -> Customer | None:
        data, tags = form.service_data()
        if not request.POST.get("confirm_duplicate"):
            # Same name and birthday: warn, and create only once confirmed. (The same phone is
            # refused by the service: the phone is unique.)
            self.duplicates = [
                candidate
                for candidate in duplicate_candidates(
                    full_name=data["full_name"],
                    phone=data["phone"],
                    birthday=data.get("birthday"),
                    user=request.user,
                )
                if candidate.same_name_and_birthday
            ]
            if self.duplicates:
                return None
        return services.customer_create(**data, tags=tags, actor=request.user)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.duplicates: list[DuplicateCandidate] = []
        form = CustomerForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                customer = self.create(request, form)
            except (ValidationError, ApplicationError) as error:
                _apply_errors(form, error)
            else:
                if customer is not None:
                    messages.success(request, _("Customer %(name)s added.") % {"name": customer})
                    return redirect("customers:customer-detail", pk=customer.pk)
        context = {"form": form, "duplicates": self.duplicates}
        return render(request, self.template_name, context, status=400)


class CustomerUpdateView(LoginRequiredMixin, View):
    template_name = "customers/customer_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.change")
        form = CustomerForm(
            initial=CustomerForm.initial_for(customer), user=request.user, customer=customer
        )
        return render(request, self.template_name, {"form": form, "customer": customer})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.change")
        form = CustomerForm(request.POST, user=request.user, customer=customer)
        if form.is_valid():
            data, tags = form.service_data()
            try:
                services.customer_update(
                    customer=customer, data=data, tags=tags, actor=request.user
                )
            except (ValidationError, ApplicationError) as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Customer %(name)s saved.") % {"name": customer})
                return redirect("customers:customer-detail", pk=customer.pk)
        context = {"form": form, "customer": customer}
        return render(request, self.template_name, context, status=400)


class CustomerDeleteView(LoginRequiredMixin, View):
    template_name = "customers/customer_confirm_delete.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.delete")
        return render(request, self.template_name, {"customer": customer})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_or_404(request, pk, "customers.delete")
        name = str(customer)
        try:
            services.customer_delete(customer=customer, actor=request.user)
        except ProtectedError:
            messages.error(
                request,
                _("%(name)s cannot be deleted: other records refer to this customer.")
                % {"name": name},
            )
            return redirect("customers:customer-detail", pk=pk)
        messages.success(request, _("Customer %(name)s deleted.") % {"name": name})
        return redirect("customers:customer-list")


class CustomerExportView(CapabilityRequiredMixin, View):
    """The filtered list as CSV, or as XLSX with ``?format=xlsx``; ``sensitive=1`` adds the skin
    and health columns for roles allowed to see them. Every export is audited with its filters
    and its size; a large one runs as a background job (``services.exports``)."""

    capability = "customers.export"

    def get(self, request: HttpRequest) -> HttpResponse:
        _form, filters = filters_from(request)
        export = customer_export_prepare(
            actor=request.user,
            filters=filters,
            file_format="xlsx" if request.GET.get("format") == "xlsx" else "csv",
            include_sensitive=request.GET.get("sensitive") == "1",
            path=request.get_full_path(),
        )
        if export.job is not None:
            return redirect("core:job-detail", pk=export.job.pk)
        rows = export.customers.iterator(chunk_size=500)
        response: HttpResponse | StreamingHttpResponse
        if export.file_format == "xlsx":
            buffer = io.BytesIO()
            customer_xlsx_write(rows, buffer, include_sensitive=export.include_sensitive)
            response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
        else:
            response = StreamingHttpResponse(
                customer_csv_lines(rows, include_sensitive=export.include_sensitive),
                content_type=CSV_CONTENT_TYPE,
            )
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response


class CustomerAutocompleteView(CapabilityRequiredMixin, View):
    """JSON for select widgets (Select2/Tom Select shape): ``{"results": [{"id", "text"}]}``."""

    capability = "customers.view"

    def get(self, request: HttpRequest) -> JsonResponse:
        term = request.GET.get("q", "")[:100]
        customers = customer_list(user=request.user, filters=CustomerFilters(search=term))
        found = list(customers[: AUTOCOMPLETE_LIMIT + 1])
        results = [
            {
                "id": c.pk,
                "text": f"{c.full_name} · {c.phone}",
                "phone": c.phone,
                "store": c.home_store.name,
            }
            for c in found[:AUTOCOMPLETE_LIMIT]
        ]
        return JsonResponse(
            {"results": results, "pagination": {"more": len(found) > AUTOCOMPLETE_LIMIT}}
        )


class CustomerQuickSearchView(CapabilityRequiredMixin, View):
    """The header search: by whole phone number, its last 4 digits, or name. htmx shows the
    results as a dropdown; without htmx it is a small results page."""

    capability = "customers.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        term = request.GET.get("q", "").strip()[:100]
        customers = []
        if term:
            found = customer_list(user=request.user, filters=CustomerFilters(search=term))
            customers = list(found[:SEARCH_LIMIT])
        context = {"term": term, "results": customers, "limit": SEARCH_LIMIT}
        return render_page_or_partial(
            request,
            "customers/customer_quick_search.html",
            "customers/partials/_quick_search_results.html",
            context,
        )
