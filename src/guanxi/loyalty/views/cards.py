"""Pages of the member card: detail, ledger history, the card actions and the printable card.

Every card is looked up in the user's scope first (another store's card is "not found", 404),
and only then is the capability checked (403): reading needs ``loyalty.view``, the actions
``loyalty.cards``. The actions are POSTs; a GET on an action URL shows its confirmation page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from guanxi.core.errors import ApplicationError
from guanxi.core.htmx import render_page_or_partial
from guanxi.core.permissions import require_capability
from guanxi.customers.selectors.customer import customer_get
from guanxi.loyalty import selectors, services
from guanxi.loyalty.choices import UNIT_OF_KIND, AccountKind, CardStatus, Unit
from guanxi.loyalty.models import LedgerTransaction, MemberCard, ServicePackage

LEDGER_PAGE_SIZE = 25
RECENT_ENTRIES = 10


# --- reads ------------------------------------------------------------------------------------


def card_or_404(request: HttpRequest, pk: int, capability: str) -> MemberCard:
    """The card if it is in the user's scope (else 404), then the capability (else 403)."""
    card = get_object_or_404(
        selectors.card_list(user=request.user).select_related(
            "membership__customer", "membership__household", "replaced_by"
        ),
        pk=pk,
    )
    require_capability(request.user, capability)
    return card


@dataclass(frozen=True)
class Leg:
    """One movement on a member's own account, as the card pages show it."""

    label: str
    amount: Decimal
    unit: str


@dataclass(frozen=True)
class LedgerRow:
    transaction: LedgerTransaction
    legs: list[Leg]


def ledger_rows(transactions: Any, packages: dict[int, ServicePackage]) -> list[LedgerRow]:
    """The member-side legs of each transaction (counter-accounts are the store's business).
    ``transactions`` must have ``entries__account`` prefetched; package accounts are named by
    their package from ``packages`` (account pk → package), so no query runs per row."""
    rows = []
    for txn in transactions:
        legs = []
        for entry in txn.entries.all():
            account = entry.account
            if account.is_system:
                continue
            package = packages.get(account.pk)
            label = package.service_name if package else account.get_kind_display()
            legs.append(Leg(label=str(label), amount=entry.amount, unit=UNIT_OF_KIND[account.kind]))
        rows.append(LedgerRow(transaction=txn, legs=legs))
    return rows


def card_summary(card: MemberCard, *, recent: int = RECENT_ENTRIES) -> dict[str, Any]:
    """What the card panel and the card page show: the tier and the progress to the next one,
    the balances (stored value split into paid and bonus), the points expiring soon, the
    packages and the last ``recent`` ledger entries. A fixed number of queries (plus the tier
    spend sources'), however long the history."""
    balances = selectors.card_balances(card)
    packages = list(selectors.package_list(card=card))
    by_account = {package.account_id: package for package in packages}
    transactions = selectors.transaction_list(card=card)[:recent]
    today = timezone.localdate()
    principal = balances[AccountKind.STORED_VALUE_PRINCIPAL]
    bonus = balances[AccountKind.STORED_VALUE_BONUS]
    return {
        "card": card,
        "tier": selectors.tier_progress(membership=card.membership),
        "points": int(balances[AccountKind.POINTS]),
        "points_expiry": selectors.points_expiring_soon(membership_id=card.membership_id),
        "stored_value_principal": principal,
        "stored_value_bonus": bonus,
        "stored_value_total": principal + bonus,
        "packages": [
            {
                "package": package,
                "sessions_left": int(package.account.balance),
                "expired": package.valid_until < today,
                "used_up": package.account.balance <= 0,
            }
            for package in packages
        ],
        "recent_rows": ledger_rows(transactions, by_account),
        "units": {"money": Unit.MONEY, "points": Unit.POINTS, "sessions": Unit.SESSIONS},
    }


def card_holder(card: MemberCard) -> dict[str, Any]:
    """Who holds the card: the household and its members, or the customer alone."""
    household = card.membership.household
    if household is not None:
        members = list(household.members.filter(erased_at__isnull=True).order_by("pk"))
        return {"household": household, "members": members, "holder_customer": None}
    return {"household": None, "members": [], "holder_customer": card.membership.customer}


def card_barcode_svg(number: str) -> SafeString:
    """The card number as a Code 128 barcode, inline SVG (python-barcode renders it; the XML
    prolog is dropped so the ``<svg>`` element can sit in the page). Imported here: the
    package prints a notice about Pillow on import, which only this page should pay for."""
    from barcode import Code128
    from barcode.writer import SVGWriter

    rendered = Code128(number, writer=SVGWriter()).render(
        {"module_width": 0.3, "module_height": 12.0, "quiet_zone": 4.0, "write_text": False}
    )
    svg = rendered.decode("utf-8")
    # The number is letters and digits only (card numbering), so the markup holds no user text.
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308


# --- pages ------------------------------------------------------------------------------------


class CardDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.view")
        context = {
            **card_summary(card),
            **card_holder(card),
            "history": selectors.card_history(card).select_related("replaced_by"),
            "tier_history": list(selectors.tier_history(card.membership)),
            "lowest_tier": selectors.tier_level_list().first(),
            "actions": card_actions(card),
        }
        return render(request, "loyalty/card_detail.html", context)


class CardLedgerView(LoginRequiredMixin, View):
    """The membership's whole ledger, newest first, a page at a time (htmx swaps the rows)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.view")
        page: Page = Paginator(selectors.transaction_list(card=card), LEDGER_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        packages = {
            package.account_id: package
            for package in ServicePackage.objects.filter(membership_id=card.membership_id)
        }
        context = {
            "card": card,
            "page": page,
            "rows": ledger_rows(page.object_list, packages),
            "units": {"money": Unit.MONEY, "points": Unit.POINTS, "sessions": Unit.SESSIONS},
        }
        return render_page_or_partial(
            request, "loyalty/card_ledger.html", "loyalty/partials/_card_ledger_rows.html", context
        )


class CardPrintView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.view")
        if card.status == CardStatus.REPLACED:
            raise Http404
        context = {"card": card, **card_holder(card), "barcode": card_barcode_svg(card.number)}
        return render(request, "loyalty/card_print.html", context)


@dataclass(frozen=True)
class CardAction:
    key: str
    url_name: str
    title: Promise
    question: Promise
    done: Promise
    button_class: str
    service: Callable[..., MemberCard]
    allowed_from: tuple[str, ...]


CARD_ACTIONS = {
    action.key: action
    for action in (
        CardAction(
            "freeze",
            "loyalty:card-freeze",
            _("Freeze card"),
            _("Freeze this card? It cannot be used until it is unfrozen."),
            _("The card is frozen."),
            "btn-outline-warning",
            services.card_freeze,
            (CardStatus.ACTIVE,),
        ),
        CardAction(
            "unfreeze",
            "loyalty:card-unfreeze",
            _("Unfreeze card"),
            _("Unfreeze this card? It can be used again at once."),
            _("The card is active again."),
            "btn-outline-success",
            services.card_unfreeze,
            (CardStatus.FROZEN,),
        ),
        CardAction(
            "report_lost",
            "loyalty:card-report-lost",
            _("Report lost"),
            _("Report this card lost? It is blocked; the balances wait for a replacement card."),
            _("The card is reported lost."),
            "btn-outline-danger",
            services.card_report_lost,
            (CardStatus.ACTIVE, CardStatus.FROZEN),
        ),
        CardAction(
            "replace",
            "loyalty:card-replace",
            _("Replace card"),
            _(
                "Issue a new card number for this membership? This card stops working; every "
                "balance stays with the membership."
            ),
            _("A new card was issued."),
            "btn-outline-primary",
            services.card_replace,
            (CardStatus.ACTIVE, CardStatus.FROZEN, CardStatus.LOST),
        ),
    )
}


def card_actions(card: MemberCard) -> list[CardAction]:
    """The actions the card's state allows."""
    return [action for action in CARD_ACTIONS.values() if card.status in action.allowed_from]


class CardActionView(LoginRequiredMixin, View):
    """``GET``: ask for confirmation; ``POST``: do it through the card service (audited there)."""

    action_key = ""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.cards")
        return self._confirm(request, card)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = card_or_404(request, pk, "loyalty.cards")
        action = CARD_ACTIONS[self.action_key]
        try:
            result = action.service(card=card, actor=request.user)
        except ApplicationError as error:
            return self._confirm(request, card, error=error.message, status=400)
        messages.success(request, str(action.done))
        return redirect("loyalty:card-detail", pk=result.pk)

    def _confirm(
        self, request: HttpRequest, card: MemberCard, *, error: str = "", status: int = 200
    ) -> HttpResponse:
        context = {"card": card, "action": CARD_ACTIONS[self.action_key], "error": error}
        return render(request, "loyalty/card_confirm.html", context, status=status)


class CardFreezeView(CardActionView):
    action_key = "freeze"


class CardUnfreezeView(CardActionView):
    action_key = "unfreeze"


class CardReportLostView(CardActionView):
    action_key = "report_lost"


class CardReplaceView(CardActionView):
    action_key = "replace"


class CardIssueView(LoginRequiredMixin, View):
    """Issue a card to a customer (their household's card when they have a household)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_get(user=request.user, pk=pk)
        if customer is None:
            raise Http404
        require_capability(request.user, "loyalty.cards")
        try:
            card = services.card_issue(customer=customer, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, gettext("Card %(number)s was issued.") % {"number": card.number}
            )
        return redirect(reverse("customers:customer-detail", kwargs={"pk": customer.pk}))


__all__ = [
    "CardDetailView",
    "CardFreezeView",
    "CardIssueView",
    "CardLedgerView",
    "CardPrintView",
    "CardReplaceView",
    "CardReportLostView",
    "CardUnfreezeView",
    "card_summary",
]
