"""What every analytics page shares: the capability check, the store filter, the last run."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponseBase

from guanxi.analytics.forms import StoreFilterForm
from guanxi.analytics.selectors import run_latest
from guanxi.analytics.selectors_pages import sees_every_store
from guanxi.analytics.views.cards import PageContext, params_from
from guanxi.core.permissions import has_capability, require_capability


class AnalyticsView(LoginRequiredMixin):
    """Sign-in first, then the capability (403, audited by the handler)."""

    capability = "analytics.reports"
    #: The query parameters (besides ``store``) the page's cards read.
    params: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and self.capability:
            require_capability(request.user, self.capability)
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response

    def page_context(
        self, request: HttpRequest, form: StoreFilterForm | None = None
    ) -> PageContext:
        form = form or StoreFilterForm(request.GET or None, user=request.user)
        return PageContext(
            user=request.user,
            run=run_latest(),
            store_id=form.store_id(),
            params=params_from(request.GET, self.params),
        )

    def base_context(self, request: HttpRequest, context: PageContext) -> dict[str, Any]:
        user = request.user
        return {
            "run": context.run,
            "page": context,
            "every_store": sees_every_store(user),
            "can_configure": has_capability(user, "analytics.manage"),
            "can_refresh": has_capability(user, "analytics.manage"),
            "can_export": has_capability(user, "customers.export"),
            "can_save_audience": has_capability(user, "analytics.audience"),
        }
