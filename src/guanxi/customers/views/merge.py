"""The merge page: pick the duplicate, compare side by side, choose values, confirm.

The customer in the URL is the one kept; the ``other`` one is folded into it and deleted.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.htmx import render_page_or_partial
from guanxi.core.permissions import require_capability
from guanxi.customers.forms.quality import CustomerMergeForm
from guanxi.customers.models import Customer
from guanxi.customers.selectors import CustomerFilters, customer_get, customer_list
from guanxi.customers.services.duplicates import duplicate_candidates
from guanxi.customers.services.merge import customer_merge

SEARCH_LIMIT = 20


def _visible_or_404(request: HttpRequest, pk: object) -> Customer:
    customer = customer_get(user=request.user, pk=pk)
    if customer is None:
        raise Http404
    return customer


def _merge_customers(
    request: HttpRequest, pk: int, other: object
) -> tuple[Customer, Customer | None]:
    """The kept customer and the other one: another store's is "not found" (404) before the
    capability is checked (403), as everywhere."""
    target = _visible_or_404(request, pk)
    source = _visible_or_404(request, other) if other not in (None, "") else None
    require_capability(request.user, "customers.merge")
    if source is not None and source.pk == target.pk:
        raise Http404
    return target, source


class CustomerMergeView(LoginRequiredMixin, View):
    template_name = "customers/customer_merge.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        target, source = _merge_customers(request, pk, request.GET.get("other"))
        if source is None:
            return self._pick(request, target)
        form = CustomerMergeForm(source=source, target=target)
        return render(request, self.template_name, self._context(target, source, form))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        target, source = _merge_customers(request, pk, request.POST.get("other"))
        if source is None:
            raise Http404
        form = CustomerMergeForm(request.POST, source=source, target=target)
        if form.is_valid():
            source_name = str(source)
            try:
                customer_merge(
                    source=source,
                    target=target,
                    actor=request.user,
                    field_choices=form.field_choices(),
                )
            except Customer.DoesNotExist as exc:
                raise Http404 from exc
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            except ProtectedError:
                form.add_error(
                    None,
                    _("Some records of the duplicate cannot be moved; nothing was changed."),
                )
            else:
                messages.success(
                    request,
                    _("%(other)s was merged into %(name)s.")
                    % {"other": source_name, "name": target},
                )
                return redirect("customers:customer-detail", pk=target.pk)
        return render(request, self.template_name, self._context(target, source, form), status=400)

    def _context(self, target: Customer, source: Customer, form: CustomerMergeForm) -> dict:
        return {
            "customer": target,
            "other": source,
            "form": form,
            "rows": form.comparison(),
            "other_tags": list(source.tags.all()),
            "customer_tags": list(target.tags.all()),
        }

    def _pick(self, request: HttpRequest, target: Customer) -> HttpResponse:
        """Step one: the likely duplicates, and a search for any other customer."""
        term = request.GET.get("q", "").strip()[:100]
        results: list[Customer] = []
        if term:
            found = customer_list(user=request.user, filters=CustomerFilters(search=term))
            results = list(found.exclude(pk=target.pk)[:SEARCH_LIMIT])
        candidates = duplicate_candidates(
            full_name=target.full_name,
            phone=target.phone,
            birthday=target.birthday,
            user=request.user,
            exclude_pk=target.pk,
        )
        context = {
            "customer": target,
            "term": term,
            "results": results,
            "candidates": [c.customer for c in candidates],
        }
        return render_page_or_partial(
            request,
            "customers/customer_merge_pick.html",
            "customers/partials/_merge_search_results.html",
            context,
        )
