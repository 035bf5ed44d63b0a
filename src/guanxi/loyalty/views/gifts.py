"""The gift catalogue (owner: ``loyalty.gifts``) and the front desk's "Redeem a gift" page of a
member card (``loyalty.redeem``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.errors import ApplicationError
from guanxi.loyalty import selectors
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.forms_earning import GIFT_FIELDS, GiftForm, GiftRedeemForm, GiftRestockForm
from guanxi.loyalty.selectors_earning import (
    GIFTS_CAPABILITY,
    gift_get,
    gift_list,
    gift_redemption_list,
)
from guanxi.loyalty.services.gifts import gift_create, gift_redeem, gift_restock, gift_update
from guanxi.loyalty.views.cards import card_or_404
from guanxi.loyalty.views.earning import CapabilityMixin, apply_errors
from guanxi.staff.selectors import store_list

RECENT_REDEMPTIONS = 20


class GiftCapabilityMixin(CapabilityMixin):
    capability = GIFTS_CAPABILITY

    def gift(self, pk: int) -> Any:
        gift = gift_get(pk=pk)
        if gift is None:
            raise Http404
        return gift


class GiftListView(GiftCapabilityMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "gifts": list(gift_list()),
            "redemptions": list(gift_redemption_list(user=request.user)[:RECENT_REDEMPTIONS]),
        }
        return render(request, "loyalty/gifts/list.html", context)


class GiftFormView(GiftCapabilityMixin, View):
    """Create (no ``pk``) or update a gift."""

    def _gift(self, pk: int | None) -> Any:
        return None if pk is None else self.gift(pk)

    def _render(self, request: HttpRequest, form: Any, gift: Any, status: int = 200) -> Any:
        return render(
            request, "loyalty/gifts/form.html", {"form": form, "gift": gift}, status=status
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        gift = self._gift(pk)
        return self._render(request, GiftForm(instance=gift), gift)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        gift = self._gift(pk)
        form = GiftForm(request.POST, instance=self._gift(pk))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in GIFT_FIELDS}
            try:
                if gift is None:
                    gift = gift_create(actor=request.user, **data)
                else:
                    gift = gift_update(gift=gift, data=data, actor=request.user)
            except (ValidationError, ApplicationError) as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": gift.name})
                return redirect("loyalty:gift-list")
        return self._render(request, form, gift, status=400)


class GiftRestockView(GiftCapabilityMixin, View):
    def _render(self, request: HttpRequest, form: Any, gift: Any, status: int = 200) -> Any:
        return render(
            request, "loyalty/gifts/restock.html", {"form": form, "gift": gift}, status=status
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, GiftRestockForm(), self.gift(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        gift = self.gift(pk)
        form = GiftRestockForm(request.POST)
        if form.is_valid():
            try:
                gift = gift_restock(
                    gift=gift, quantity=form.cleaned_data["quantity"], actor=request.user
                )
            except ApplicationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s: %(stock)s in stock.") % {"name": gift.name, "stock": gift.stock},
                )
                return redirect("loyalty:gift-list")
        return self._render(request, form, gift, status=400)


class CardGiftRedeemView(LoginRequiredMixin, View):
    """The front desk: pick a gift for the card's points. The card is looked up in the user's
    scope first (404), then ``loyalty.redeem`` is checked (403)."""

    def _form(self, request: HttpRequest, card: Any, data: Any = None) -> GiftRedeemForm:
        stores = store_list(user=request.user, include_inactive=False)
        initial = {"store": card.membership.store_id} if data is None else None
        return GiftRedeemForm(
            data,
            initial=initial,
            gifts=gift_list(active_only=True).filter(stock__gt=0),
            stores=stores,
        )

    def _render(self, request: HttpRequest, card: Any, form: Any, status: int = 200) -> Any:
        context = {
            "card": card,
            "form": form,
            "points": int(selectors.card_balances(card)[AccountKind.POINTS]),
            "redemptions": list(
                gift_redemption_list(user=request.user, card=card)[:RECENT_REDEMPTIONS]
            ),
        }
        return render(request, "loyalty/gifts/redeem.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.redeem")
        return self._render(request, card, self._form(request, card))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.redeem")
        form = self._form(request, card, request.POST)
        if form.is_valid():
            try:
                redemption = gift_redeem(
                    card=card,
                    gift=form.cleaned_data["gift"],
                    quantity=form.cleaned_data["quantity"],
                    store=form.cleaned_data["store"],
                    actor=request.user,
                )
            except ApplicationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(quantity)s × %(gift)s handed over for %(points)s points.")
                    % {
                        "quantity": redemption.quantity,
                        "gift": redemption.gift.name,
                        "points": redemption.points,
                    },
                )
                return redirect("loyalty:card-gift-redeem", pk=card.pk)
        return self._render(request, card, form, status=400)
