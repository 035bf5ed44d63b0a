"""Owner pages of the points rules: the earn and redeem rates, category multipliers and
promotions (``loyalty.earning``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from guanxi.catalog.selectors import category_get
from guanxi.core.errors import ApplicationError
from guanxi.core.permissions import require_capability
from guanxi.loyalty.forms_earning import (
    PROMOTION_FIELDS,
    CategoryMultiplierForm,
    EarningRatesForm,
    PromotionForm,
)
from guanxi.loyalty.selectors import loyalty_settings_get
from guanxi.loyalty.selectors_earning import (
    EARNING_CAPABILITY,
    category_multiplier_get,
    category_multiplier_list,
    promotion_get,
    promotion_is_running,
    promotion_list,
)
from guanxi.loyalty.services.earning import (
    category_multiplier_delete,
    category_multiplier_set,
    earning_rates_update,
    points_value,
    promotion_create,
    promotion_delete,
    promotion_update,
)
from guanxi.staff.selectors import store_list


class CapabilityMixin(LoginRequiredMixin):
    """Sign-in first, then the page's capability (403, audited)."""

    capability = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_capability(request.user, self.capability)
        return super().dispatch(request, *args, **kwargs)


class EarningCapabilityMixin(CapabilityMixin):
    capability = EARNING_CAPABILITY


def apply_errors(form: Any, error: ValidationError | ApplicationError) -> None:
    """Put a service's refusal on the form: per field when it names fields, else on top."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class EarningRulesView(EarningCapabilityMixin, View):
    """The rates, the category multipliers and the promotions on one page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        when = request.GET.get("when", "")
        config = loyalty_settings_get()
        today = timezone.localdate()
        promotions = [
            {"promotion": p, "running": promotion_is_running(p, today)}
            for p in promotion_list(when=when if when in {"current", "upcoming", "past"} else "")
        ]
        context = {
            "config": config,
            "hundred_points_value": points_value(100),
            "rules": list(category_multiplier_list()),
            "promotions": promotions,
            "when": when,
        }
        return render(request, "loyalty/earning/rules.html", context)


class EarningRatesUpdateView(EarningCapabilityMixin, View):
    def _render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(request, "loyalty/earning/rates_form.html", {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, EarningRatesForm(instance=loyalty_settings_get()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EarningRatesForm(request.POST, instance=loyalty_settings_get())
        if form.is_valid():
            try:
                earning_rates_update(data=form.cleaned_data, actor=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Points rates saved."))
                return redirect("loyalty:earning-rules")
        return self._render(request, form, status=400)


class CategoryMultiplierFormView(EarningCapabilityMixin, View):
    """Set a category's multiplier (a new one, or the category's existing one changed)."""

    def _render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request, "loyalty/earning/category_multiplier_form.html", {"form": form}, status=status
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {}
        rule = category_multiplier_get(pk=request.GET.get("rule"))
        if rule is not None:
            initial = {"category": rule.category_id, "multiplier": rule.multiplier}
        return self._render(request, CategoryMultiplierForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CategoryMultiplierForm(request.POST)
        if form.is_valid():
            category = category_get(pk=form.cleaned_data["category"])
            if category is None:
                raise Http404
            try:
                category_multiplier_set(
                    category=category,
                    multiplier=form.cleaned_data["multiplier"],
                    actor=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Points multiplier of %(category)s saved.") % {"category": category.name},
                )
                return redirect("loyalty:earning-rules")
        return self._render(request, form, status=400)


class CategoryMultiplierDeleteView(EarningCapabilityMixin, View):
    def _rule(self, pk: int) -> Any:
        rule = category_multiplier_get(pk=pk)
        if rule is None:
            raise Http404
        return rule

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = self._rule(pk)
        context = {
            "title": _("Remove multiplier"),
            "question": _(
                "Remove the points multiplier of %(category)s? Its products earn like their "
                "parent category again."
            )
            % {"category": rule.category.name},
            "back_url_name": "loyalty:earning-rules",
        }
        return render(request, "loyalty/earning/confirm.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = self._rule(pk)
        category_multiplier_delete(rule=rule, actor=request.user)
        messages.success(
            request, _("Multiplier of %(category)s removed.") % {"category": rule.category.name}
        )
        return redirect("loyalty:earning-rules")


class PromotionFormView(EarningCapabilityMixin, View):
    """Create (no ``pk``) or update a promotion."""

    def _promotion(self, pk: int | None) -> Any:
        if pk is None:
            return None
        promotion = promotion_get(pk=pk)
        if promotion is None:
            raise Http404
        return promotion

    def _form(self, request: HttpRequest, *args: Any, **kwargs: Any) -> PromotionForm:
        return PromotionForm(*args, stores=store_list(user=request.user), **kwargs)

    def _render(
        self, request: HttpRequest, form: Any, promotion: Any, status: int = 200
    ) -> HttpResponse:
        context = {"form": form, "promotion": promotion}
        return render(request, "loyalty/earning/promotion_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        promotion = self._promotion(pk)
        return self._render(request, self._form(request, instance=promotion), promotion)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        promotion = self._promotion(pk)
        # The form validates a copy, so the service still sees the promotion as stored.
        form = self._form(request, request.POST, instance=self._promotion(pk))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in PROMOTION_FIELDS}
            try:
                if promotion is None:
                    promotion = promotion_create(actor=request.user, **data)
                else:
                    promotion = promotion_update(promotion=promotion, data=data, actor=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": promotion.name})
                return redirect("loyalty:earning-rules")
        return self._render(request, form, promotion, status=400)


class PromotionDeleteView(EarningCapabilityMixin, View):
    def _promotion(self, pk: int) -> Any:
        promotion = promotion_get(pk=pk)
        if promotion is None:
            raise Http404
        return promotion

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        promotion = self._promotion(pk)
        context = {
            "title": _("Delete promotion"),
            "question": _(
                "Delete the promotion %(name)s? Points already earned stay; new purchases no "
                "longer get its multiplier."
            )
            % {"name": promotion.name},
            "back_url_name": "loyalty:earning-rules",
        }
        return render(request, "loyalty/earning/confirm.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        promotion = self._promotion(pk)
        promotion_delete(promotion=promotion, actor=request.user)
        messages.success(request, _("Promotion %(name)s deleted.") % {"name": promotion.name})
        return redirect("loyalty:earning-rules")
