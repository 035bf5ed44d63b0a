"""Owner pages of the stored-value bonus rules: the list, a new rule, a rule's form, and
deactivation (``GET`` asks for confirmation, ``POST`` does it).

A rule is looked up in the user's scope first (another store's rule is "not found", 404), then
the ``loyalty.settings`` capability is checked (403), as on the card pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.permissions import require_capability
from guanxi.loyalty.forms_settings import BonusRuleForm
from guanxi.loyalty.models import BonusRule
from guanxi.loyalty.selectors import SETTINGS_CAPABILITY, bonus_rule_get, bonus_rule_list
from guanxi.loyalty.services.settings import (
    BONUS_RULE_FIELDS,
    bonus_rule_create,
    bonus_rule_deactivate,
    bonus_rule_update,
)
from guanxi.loyalty.views.settings import SettingsCapabilityMixin, apply_errors
from guanxi.staff.selectors import store_list

FORM_TEMPLATE = "loyalty/bonus_rules/bonus_rule_form.html"


def rule_or_404(request: HttpRequest, pk: int) -> BonusRule:
    rule = bonus_rule_get(user=request.user, pk=pk)
    if rule is None:
        raise Http404
    require_capability(request.user, SETTINGS_CAPABILITY)
    return rule


def _form(request: HttpRequest, rule: BonusRule | None = None) -> BonusRuleForm:
    initial = {name: getattr(rule, name) for name in BONUS_RULE_FIELDS} if rule else None
    return BonusRuleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        stores=store_list(user=request.user),
    )


def _render_form(
    request: HttpRequest, form: BonusRuleForm, rule: BonusRule | None, status: int = 200
) -> HttpResponse:
    return render(request, FORM_TEMPLATE, {"form": form, "rule": rule}, status=status)


def _save(request: HttpRequest, rule: BonusRule | None) -> HttpResponse:
    form = _form(request, rule)
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in BONUS_RULE_FIELDS}
        try:
            if rule is None:
                bonus_rule_create(**data, actor=request.user)
            else:
                bonus_rule_update(rule=rule, data=data, actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Bonus rule saved."))
            return redirect("loyalty:bonus-rule-list")
    return _render_form(request, form, rule, status=400)


class BonusRuleListView(SettingsCapabilityMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        rules = list(bonus_rule_list(user=request.user))
        return render(request, "loyalty/bonus_rules/bonus_rule_list.html", {"rules": rules})


class BonusRuleCreateView(SettingsCapabilityMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _render_form(request, _form(request), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        return _save(request, None)


class BonusRuleUpdateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = rule_or_404(request, pk)
        return _render_form(request, _form(request, rule), rule)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _save(request, rule_or_404(request, pk))


class BonusRuleDeactivateView(LoginRequiredMixin, View):
    template_name = "loyalty/bonus_rules/bonus_rule_deactivate.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = rule_or_404(request, pk)
        return render(request, self.template_name, {"rule": rule})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = rule_or_404(request, pk)
        bonus_rule_deactivate(rule=rule, actor=request.user)
        messages.success(request, _("The bonus rule no longer applies to new top-ups."))
        return redirect("loyalty:bonus-rule-list")
