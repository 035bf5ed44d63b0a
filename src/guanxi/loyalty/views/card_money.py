"""The money pages of a member card: top up stored value, pay paid value back, use a package
session. Every balance moves through the loyalty services.

Each page is looked up in the user's scope first (another store's card: 404), then the
capability is checked (403): ``loyalty.topup``, ``loyalty.refund``, ``loyalty.redeem``.

A form that moves a balance carries a key made when the page was opened (a hidden ``key``).
``submit_once`` records it in the table of the API's idempotency keys
(``guanxi.core.idempotency``) in the same transaction as the write: a second submission of the
same page (a double click, the browser resending the form) finds the first result and writes
nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from guanxi.core.errors import ApplicationError
from guanxi.core.forms import BootstrapFormMixin
from guanxi.core.htmx import is_htmx_partial
from guanxi.core.idempotency import form_fingerprint, new_form_key, submit_once
from guanxi.core.money import format_money
from guanxi.loyalty import selectors, services
from guanxi.loyalty.choices import AccountKind, CardStatus
from guanxi.loyalty.services.stored_value import bonus_for
from guanxi.loyalty.views.cards import card_or_404
from guanxi.staff.selectors import staff_list

# --- Submitting a form once ---------------------------------------------------------------------


# --- Forms ---------------------------------------------------------------------------------------

# How the member paid for the top-up (recorded as the memo of the ledger posting).
TOPUP_METHODS = [
    ("cash", gettext_lazy("Cash")),
    ("bank_card", gettext_lazy("Bank card")),
    ("mobile", gettext_lazy("Mobile payment")),
]
MONEY = {"max_digits": 14, "decimal_places": 2}


class KeyedForm(BootstrapFormMixin, forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput)

    def clean_key(self) -> str:
        return str(self.cleaned_data["key"])


class TopupForm(KeyedForm):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        min_value=Decimal("0.01"),
        **MONEY,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    payment = forms.ChoiceField(label=gettext_lazy("Paid by"), choices=TOPUP_METHODS)


class PrincipalRefundForm(KeyedForm):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        min_value=Decimal("0.01"),
        **MONEY,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class PackageSessionForm(KeyedForm):
    package = forms.TypedChoiceField(label=gettext_lazy("Package"), coerce=int)
    beautician = forms.TypedChoiceField(label=gettext_lazy("Beautician"), coerce=int)

    def __init__(self, *args: Any, packages: list[Any], staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["package"].choices = [
            (
                item["package"].pk,
                _("%(service)s — %(left)s of %(total)s left, valid until %(date)s")
                % {
                    "service": item["package"].service_name,
                    "left": item["sessions_left"],
                    "total": item["package"].sessions_total,
                    "date": item["package"].valid_until.isoformat(),
                },
            )
            for item in packages
        ]
        self.fields["beautician"].choices = [
            (person.pk, person.full_name or person.username) for person in staff
        ]


# --- Reads the pages share -------------------------------------------------------------------------


def _balances(card: Any) -> dict[str, Any]:
    balances = selectors.card_balances(card)
    principal = balances[AccountKind.STORED_VALUE_PRINCIPAL]
    bonus = balances[AccountKind.STORED_VALUE_BONUS]
    return {
        "points": int(balances[AccountKind.POINTS]),
        "stored_value_principal": principal,
        "stored_value_bonus": bonus,
        "stored_value_total": principal + bonus,
    }


def usable_packages(card: Any) -> list[dict[str, Any]]:
    """The card's packages that still have a session to use and have not expired."""
    today = timezone.localdate()
    return [
        {"package": package, "sessions_left": int(package.account.balance)}
        for package in selectors.package_list(card=card)
        if package.account.balance > 0 and package.valid_until >= today
    ]


def _bonus_of(card: Any, raw: str) -> Decimal | None:
    try:
        amount = Decimal(raw.strip())
    except (ArithmeticError, ValueError):
        return None
    if not amount.is_finite() or amount <= 0:
        return None
    return bonus_for(store_id=card.membership.store_id, amount=amount)


def _done(request: HttpRequest, card: Any, message: str, replayed: bool) -> HttpResponse:
    if replayed:
        messages.info(request, _("This was already recorded; nothing was done twice."))
    else:
        messages.success(request, message)
    return redirect("loyalty:card-detail", pk=card.pk)


# --- Pages ---------------------------------------------------------------------------------------


class CardTopupView(LoginRequiredMixin, View):
    """``GET``: the top-up form (with ``?amount=`` and htmx: the bonus the rules give);
    ``POST``: load the amount through ``stored_value_topup``."""

    template = "loyalty/card_money/topup.html"

    def _render(self, request: HttpRequest, card: Any, form: Any, status: int = 200) -> Any:
        context = {"card": card, "form": form, **_balances(card)}
        amount = form["amount"].value() if form.is_bound else None
        context["bonus"] = _bonus_of(card, str(amount)) if amount else None
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.topup")
        if "amount" in request.GET and is_htmx_partial(request):
            context = {"bonus": _bonus_of(card, request.GET["amount"])}
            return render(request, "loyalty/card_money/_topup_bonus.html", context)
        return self._render(request, card, TopupForm(initial={"key": new_form_key()}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.topup")
        form = TopupForm(request.POST)
        if not form.is_valid():
            return self._render(request, card, form, status=400)
        data = form.cleaned_data
        method = dict(TOPUP_METHODS)[data["payment"]]
        try:
            _pk, replayed = submit_once(
                user=request.user,
                key=data["key"],
                path=request.path,
                fingerprint=form_fingerprint(data),
                run=lambda: services.stored_value_topup(
                    card=card,
                    amount=data["amount"],
                    payment=str(method),
                    actor=request.user,
                    reference=f"topup:{data['key']}",
                ),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self._render(request, card, form, status=400)
        bonus = bonus_for(store_id=card.membership.store_id, amount=data["amount"])
        message = (
            _("%(amount)s loaded on the card, with a bonus of %(bonus)s.")
            if bonus
            else _("%(amount)s loaded on the card.")
        ) % {"amount": format_money(data["amount"]), "bonus": format_money(bonus)}
        return _done(request, card, message, replayed)


class CardPrincipalRefundView(LoginRequiredMixin, View):
    """Pay paid stored value back to the member (``stored_value_refund_principal``); the bonus
    is never paid back."""

    template = "loyalty/card_money/refund.html"

    def _render(self, request: HttpRequest, card: Any, form: Any, status: int = 200) -> Any:
        context = {"card": card, "form": form, **_balances(card)}
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.refund")
        return self._render(request, card, PrincipalRefundForm(initial={"key": new_form_key()}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.refund")
        form = PrincipalRefundForm(request.POST)
        if not form.is_valid():
            return self._render(request, card, form, status=400)
        data = form.cleaned_data
        principal = _balances(card)["stored_value_principal"]
        if data["amount"] > principal:
            form.add_error(
                "amount",
                _("At most %(amount)s of paid value is on the card.")
                % {"amount": format_money(principal)},
            )
            return self._render(request, card, form, status=400)
        try:
            _pk, replayed = submit_once(
                user=request.user,
                key=data["key"],
                path=request.path,
                fingerprint=form_fingerprint(data),
                run=lambda: services.stored_value_refund_principal(
                    card=card,
                    amount=data["amount"],
                    actor=request.user,
                    memo=data["reason"],
                    reference=f"refund:{data['key']}",
                ),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self._render(request, card, form, status=400)
        message = _("%(amount)s of paid value was paid back.") % {
            "amount": format_money(data["amount"])
        }
        return _done(request, card, message, replayed)


class CardPackageSessionView(LoginRequiredMixin, View):
    """Use one session of a package on the card (``package_session_consume``), recording the
    beautician: a staff member of the user's stores."""

    template = "loyalty/card_money/package_session.html"

    @staticmethod
    def _staff(request: HttpRequest) -> list[Any]:
        """Who may be recorded as the beautician: the active staff of the user's stores (and the
        user, an owner belonging to no store say)."""
        staff = list(staff_list(user=request.user, is_active=True))
        if request.user.pk not in {person.pk for person in staff}:
            staff.insert(0, request.user)
        return staff

    def _form(self, request: HttpRequest, card: Any, data: Any = None) -> PackageSessionForm:
        initial = {"key": new_form_key(), "beautician": request.user.pk}
        return PackageSessionForm(
            data,
            initial=initial if data is None else None,
            packages=usable_packages(card),
            staff=self._staff(request),
        )

    def _render(self, request: HttpRequest, card: Any, form: Any, status: int = 200) -> Any:
        context = {
            "card": card,
            "form": form,
            "packages": usable_packages(card),
            "card_active": card.status == CardStatus.ACTIVE,
        }
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.redeem")
        return self._render(request, card, self._form(request, card))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.redeem")
        form = self._form(request, card, request.POST)
        if not form.is_valid():
            return self._render(request, card, form, status=400)
        data = form.cleaned_data
        package = selectors.package_list(card=card).get(pk=data["package"])
        beautician = {person.pk: person for person in self._staff(request)}[data["beautician"]]
        try:
            _pk, replayed = submit_once(
                user=request.user,
                key=data["key"],
                path=request.path,
                fingerprint=form_fingerprint(data),
                run=lambda: services.package_session_consume(
                    package=package,
                    beautician=beautician,
                    visit=f"visit:{data['key']}",
                    actor=request.user,
                ),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self._render(request, card, form, status=400)
        message = _("One session of %(service)s was used.") % {"service": package.service_name}
        return _done(request, card, message, replayed)


__all__ = [
    "CardPackageSessionView",
    "CardPrincipalRefundView",
    "CardTopupView",
    "form_fingerprint",
    "new_form_key",
    "submit_once",
]
