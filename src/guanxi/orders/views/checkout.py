"""The till: find the member, scan the items, take the payments, record the sale.

The whole basket lives in the page (hidden fields and the line formset), so the page survives
any number of htmx round trips and works without a server-side cart. Every button posts the
whole form with an ``action`` (``find``, ``scan``, ``add_product:<pk>``, ``remove:<i>``, ``pay``
…); a change of a quantity, a staff member, the store or the points to pay posts it without
one, which re-prices the basket through ``checkout_quote``. The server trusts nothing it gets
back: the store, the member, the card and the staff are looked up again in the user's scope on
every request, and prices come from the quote.

``pay`` runs ``checkout`` once per page: the key made when the page was opened goes through
``submit_once`` (the idempotency keys of ``guanxi.core.idempotency``), so a double click or a
resent form records one order and shows its receipt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from guanxi.catalog.selectors import (
    product_find_by_code,
    product_get,
    product_list,
    service_get,
    service_list,
)
from guanxi.core.errors import ApplicationError
from guanxi.core.htmx import hx_redirect, is_htmx_partial
from guanxi.core.idempotency import form_fingerprint, new_form_key, submit_once
from guanxi.core.money import currency
from guanxi.core.permissions import require_capability
from guanxi.customers.selectors.customer import CustomerFilters, customer_get, customer_list
from guanxi.loyalty.choices import AccountKind, CardStatus
from guanxi.loyalty.selectors import (
    card_balances,
    card_for_customer,
    card_history,
    card_list,
    loyalty_settings_get,
    package_list,
    tier_level_list,
)
from guanxi.loyalty.services.earning import points_for_amount, points_value
from guanxi.orders.choices import LineKind, PaymentMethod
from guanxi.orders.forms import CheckoutForm, CheckoutLineFormSet
from guanxi.orders.services import CheckoutLine, CheckoutPayment, Quote, checkout, checkout_quote
from guanxi.staff.selectors import staff_list, store_list

LINES_PREFIX = "lines"
CANDIDATES = 8  # members or catalogue items offered when a search finds several
CARD_NUMBER = re.compile(r"[A-Z0-9]{6,40}")
LINE_FIELDS = (
    "kind",
    "product",
    "service",
    "package",
    "unit_price",
    "package_sessions",
    "package_valid_days",
    "quantity",
    "staff",
)
# What the page keeps as it is from one request to the next (the rest it rewrites).
KEPT_FIELDS = (
    "member_q",
    "item_q",
    "package_service",
    "package_sessions",
    "package_valid_days",
    "package_price",
    "coupon",
    *CheckoutForm.PAYMENT_FIELDS.values(),
)


@dataclass
class Basket:
    """The till's state as the page sent it, checked against the user's scope."""

    key: str
    store: Any
    customer: Any = None
    card: Any = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    coupon: str = ""
    payments: dict[str, Decimal] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)  # KEPT_FIELDS as the page sent them

    def checkout_lines(self) -> list[CheckoutLine]:
        return [
            CheckoutLine(
                kind=line["kind"],
                quantity=line["quantity"],
                product_id=line.get("product"),
                service_id=line.get("service"),
                package_id=line.get("package"),
                unit_price=line.get("unit_price"),
                staff_id=line.get("staff"),
                package_sessions=line.get("package_sessions") or 0,
                package_valid_days=line.get("package_valid_days") or 0,
            )
            for line in self.lines
        ]

    def checkout_payments(self) -> list[CheckoutPayment]:
        return [
            CheckoutPayment(method=method, amount=amount)
            for method, amount in self.payments.items()
            if amount
        ]

    def fingerprint(self) -> str:
        return form_fingerprint(
            {
                "store": self.store.pk,
                "customer": getattr(self.customer, "pk", None),
                "card": getattr(self.card, "pk", None),
                "lines": self.lines,
                "coupon": self.coupon,
                "payments": {m: str(a) for m, a in self.payments.items() if a},
            }
        )


@dataclass
class Outcome:
    """What an action leaves for the page to show."""

    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    member_candidates: list[Any] = field(default_factory=list)
    products: list[Any] = field(default_factory=list)
    services: list[Any] = field(default_factory=list)
    focus: str = "member_q"


# --- Reading the page -----------------------------------------------------------------------------


def _stores(user: Any) -> Any:
    return store_list(user=user, include_inactive=False)


def _staff_choices(user: Any, store: Any) -> list[tuple[int, str]]:
    """Who may be named as having served a line: the store's active staff, and the user."""
    people = list(staff_list(user=user, store=store, is_active=True)) if store else []
    if user.pk not in {person.pk for person in people}:
        people.insert(0, user)
    return [(person.pk, person.full_name or person.username) for person in people]


def _services() -> list[Any]:
    return list(service_list(is_active=True))


def _store_of(data: QueryDict, stores: Any) -> Any:
    raw = data.get("store", "")
    found = stores.filter(pk=raw).first() if raw.isdigit() else None
    return found or stores.first()


def _card_visible(user: Any, pk: int | None) -> Any:
    if not pk:
        return None
    return card_list(user=user).select_related("membership__tier").filter(pk=pk).first()


def _lines_data(lines: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{LINES_PREFIX}-TOTAL_FORMS": str(len(lines)),
        f"{LINES_PREFIX}-INITIAL_FORMS": "0",
        f"{LINES_PREFIX}-MIN_NUM_FORMS": "0",
        f"{LINES_PREFIX}-MAX_NUM_FORMS": "200",
    }
    for index, line in enumerate(lines):
        for name in LINE_FIELDS:
            value = line.get(name)
            data[f"{LINES_PREFIX}-{index}-{name}"] = "" if value is None else str(value)
    return data


def _page_data(basket: Basket) -> QueryDict:
    """The form data that shows ``basket``: what the page is rendered from."""
    data = QueryDict(mutable=True)
    values: dict[str, Any] = {
        "key": basket.key,
        "store": basket.store.pk if basket.store else "",
        "customer": getattr(basket.customer, "pk", "") or "",
        "card": getattr(basket.card, "pk", "") or "",
        **{name: basket.fields.get(name, "") for name in KEPT_FIELDS},
        **_lines_data(basket.lines),
    }
    for name, value in values.items():
        data[name] = "" if value is None else str(value)
    return data


def _bind(
    request: HttpRequest, data: QueryDict, stores: Any, store: Any
) -> tuple[CheckoutForm, Any]:
    form = CheckoutForm(data, stores=stores, services=_services())
    formset = CheckoutLineFormSet(
        data,
        prefix=LINES_PREFIX,
        form_kwargs={"staff_choices": _staff_choices(request.user, store)},
    )
    return form, formset


# --- The actions ------------------------------------------------------------------------------


def _card_number(term: str) -> str | None:
    number = re.sub(r"[\s-]", "", term).upper()
    if CARD_NUMBER.fullmatch(number) and any(c.isdigit() for c in number):
        return number
    return None


def _set_member(basket: Basket, customer: Any, card: Any, outcome: Outcome) -> None:
    if card is not None and card.status == CardStatus.REPLACED:
        live = card_history(card).exclude(status=CardStatus.REPLACED).first()
        if live is not None:
            outcome.notices.append(
                _("Card %(old)s was replaced by card %(new)s, which is used instead.")
                % {"old": card.number, "new": live.number}
            )
        card = live
    changed = getattr(basket.customer, "pk", None) != getattr(customer, "pk", None)
    basket.customer, basket.card = customer, card
    if changed:
        # Package sessions belong to the previous member's card.
        basket.lines = [line for line in basket.lines if line["kind"] != LineKind.PACKAGE_SESSION]
    basket.fields["member_q"] = ""
    outcome.focus = "item_q"


def _find_member(request: HttpRequest, basket: Basket, outcome: Outcome) -> None:
    """A phone number, a card number (typed or scanned) or a name: one member is taken at once,
    several are offered."""
    term = (basket.fields.get("member_q") or "").strip()
    if not term:
        outcome.errors.append(_("Type a phone number, a card number or a name, or scan the card."))
        return
    number = _card_number(term)
    card = card_list(user=request.user).filter(number=number).first() if number else None
    if card is not None:
        membership = card.membership
        holders = customer_list(user=request.user).filter(erased_at__isnull=True)
        if membership.customer_id:
            holders = holders.filter(pk=membership.customer_id)
        else:
            holders = holders.filter(household_id=membership.household_id)
        found = list(holders[:CANDIDATES])
        if len(found) == 1:
            _set_member(basket, found[0], card, outcome)
            return
        if not found:
            _set_member(basket, None, card, outcome)
            return
        outcome.member_candidates = [(customer, card) for customer in found]
        return
    customers = list(
        customer_list(user=request.user, filters=CustomerFilters(search=term)).filter(
            erased_at__isnull=True
        )[:CANDIDATES]
    )
    if not customers:
        outcome.errors.append(_("No member matches “%(term)s”.") % {"term": term})
    elif len(customers) == 1:
        _set_member(basket, customers[0], card_for_customer(customers[0]), outcome)
    else:
        outcome.member_candidates = [(c, card_for_customer(c)) for c in customers]


def _pick_member(request: HttpRequest, basket: Basket, argument: str, outcome: Outcome) -> None:
    customer = customer_get(user=request.user, pk=argument)
    if customer is None or customer.erased_at is not None:
        outcome.errors.append(_("This member was not found."))
        return
    _set_member(basket, customer, card_for_customer(customer), outcome)


def _add_line(basket: Basket, request: HttpRequest, line: dict[str, Any]) -> None:
    """Add a line served by the user; the same product or service again adds one to its line."""
    line = {"quantity": 1, "staff": request.user.pk, **line}
    if line["kind"] in (LineKind.PRODUCT, LineKind.SERVICE):
        for existing in basket.lines:
            same_item = all(existing.get(k) == line.get(k) for k in ("kind", "product", "service"))
            if same_item and existing.get("staff") == line["staff"]:
                existing["quantity"] += 1
                return
    basket.lines.append(line)


def _add_product(basket: Basket, request: HttpRequest, product: Any) -> None:
    _add_line(basket, request, {"kind": LineKind.PRODUCT, "product": product.pk})


def _add_service(basket: Basket, request: HttpRequest, service: Any) -> None:
    _add_line(basket, request, {"kind": LineKind.SERVICE, "service": service.pk})


def _scan(request: HttpRequest, basket: Basket, outcome: Outcome) -> None:
    """A barcode or SKU adds its product; a name adds the one match or offers several."""
    term = (basket.fields.get("item_q") or "").strip()
    outcome.focus = "item_q"
    if not term:
        return
    product = product_find_by_code(code=term)
    if product is not None:
        _add_product(basket, request, product)
        basket.fields["item_q"] = ""
        return
    products = list(product_list(search=term, is_active=True)[:CANDIDATES])
    services = list(service_list(search=term, is_active=True)[:CANDIDATES])
    if len(products) + len(services) == 1:
        if products:
            _add_product(basket, request, products[0])
        else:
            _add_service(basket, request, services[0])
        basket.fields["item_q"] = ""
    elif not products and not services:
        outcome.errors.append(_("Nothing in the catalogue matches “%(term)s”.") % {"term": term})
    else:
        outcome.products, outcome.services = products, services


def _add_package(request: HttpRequest, basket: Basket, outcome: Outcome) -> None:
    fields = basket.fields
    outcome.focus = "package_service"
    if not fields.get("package_service"):
        outcome.errors.append(_("Choose the service of the package."))
        return
    if not fields.get("package_sessions"):
        outcome.errors.append(_("Enter the number of sessions of the package."))
        return
    _add_line(
        basket,
        request,
        {
            "kind": LineKind.PACKAGE,
            "service": fields["package_service"],
            "package_sessions": fields["package_sessions"],
            "package_valid_days": fields.get("package_valid_days") or 0,
            "unit_price": fields.get("package_price"),
        },
    )
    for name in ("package_service", "package_price"):
        fields[name] = ""


def _use_session(request: HttpRequest, basket: Basket, argument: str, outcome: Outcome) -> None:
    if basket.card is None or not argument.isdigit():
        outcome.errors.append(_("This package is not on the member's card."))
        return
    package = package_list(card=basket.card).filter(pk=int(argument)).first()
    if package is None:
        outcome.errors.append(_("This package is not on the member's card."))
        return
    for line in basket.lines:
        if line["kind"] == LineKind.PACKAGE_SESSION and line.get("package") == package.pk:
            line["quantity"] += 1
            return
    _add_line(
        basket,
        request,
        {"kind": LineKind.PACKAGE_SESSION, "package": package.pk, "service": package.service_id},
    )


def _remove(basket: Basket, argument: str) -> None:
    if argument.isdigit() and int(argument) < len(basket.lines):
        del basket.lines[int(argument)]


def _apply(request: HttpRequest, basket: Basket, action: str, outcome: Outcome) -> None:
    verb, _sep, argument = action.partition(":")
    if verb == "find":
        _find_member(request, basket, outcome)
    elif verb == "member":
        _pick_member(request, basket, argument, outcome)
    elif verb == "member_clear":
        _set_member(basket, None, None, outcome)
        outcome.focus = "member_q"
    elif verb == "card_drop":
        basket.card = None
        basket.lines = [line for line in basket.lines if line["kind"] != LineKind.PACKAGE_SESSION]
    elif verb == "scan":
        _scan(request, basket, outcome)
    elif verb == "add_product":
        product = product_get(pk=argument) if argument.isdigit() else None
        if product is not None:
            _add_product(basket, request, product)
            basket.fields["item_q"] = ""
        outcome.focus = "item_q"
    elif verb == "add_service":
        service = service_get(pk=argument) if argument.isdigit() else None
        if service is not None:
            _add_service(basket, request, service)
            basket.fields["item_q"] = ""
        outcome.focus = "item_q"
    elif verb == "add_package":
        _add_package(request, basket, outcome)
    elif verb == "use_session":
        _use_session(request, basket, argument, outcome)
    elif verb == "remove":
        _remove(basket, argument)
        outcome.focus = "item_q"
    elif verb == "coupon":
        outcome.focus = "coupon"
    else:
        outcome.focus = ""


# --- What the page shows ----------------------------------------------------------------------------


def _quote(basket: Basket, outcome: Outcome) -> Quote | None:
    """The basket priced now; a refused coupon is reported and the rest priced without it."""
    if not basket.lines:
        return None
    arguments = {
        "store": basket.store,
        "lines": basket.checkout_lines(),
        "customer": basket.customer,
        "card": basket.card,
    }
    try:
        return checkout_quote(**arguments, coupon_code=basket.coupon)
    except ApplicationError as error:
        outcome.errors.append(error.message)
        if not basket.coupon:
            return None
    try:
        return checkout_quote(**arguments)
    except ApplicationError:
        return None


def _member_context(basket: Basket) -> dict[str, Any]:
    card = basket.card
    own_card = card_for_customer(basket.customer) if basket.customer is not None else None
    context: dict[str, Any] = {
        "member": basket.customer,
        "card": card,
        "card_usable": card is not None and card.status == CardStatus.ACTIVE,
        "card_left_out": card is None and own_card is not None,
    }
    if card is None:
        return context
    membership = card.membership
    level = membership.tier if membership.tier_id else tier_level_list().first()
    balances = card_balances(card)
    points = int(balances[AccountKind.POINTS])
    today = timezone.localdate()
    rate = loyalty_settings_get().points_redeem_rate
    context.update(
        {
            "tier": level,
            "points": points,
            "points_worth": points_value(points),
            "points_rate": rate,
            "points_rate_value": points_value(int(rate)),
            "stored_value_principal": balances[AccountKind.STORED_VALUE_PRINCIPAL],
            "stored_value_bonus": balances[AccountKind.STORED_VALUE_BONUS],
            "stored_value": balances[AccountKind.STORED_VALUE_PRINCIPAL]
            + balances[AccountKind.STORED_VALUE_BONUS],
            "packages": [
                {"package": package, "sessions_left": int(package.account.balance)}
                for package in package_list(card=card)
                if package.account.balance > 0 and package.valid_until >= today
            ],
        }
    )
    return context


def _line_rows(formset: Any, basket: Basket, quote: Quote | None) -> list[dict[str, Any]]:
    """Each line's form with what the quote says of it (or, without a quote, its name)."""
    rows = []
    for index, form in enumerate(formset.forms):
        line = basket.lines[index] if index < len(basket.lines) else {}
        priced = quote.lines[index] if quote is not None and index < len(quote.lines) else None
        rows.append(
            {
                "index": index,
                "form": form,
                "kind": line.get("kind", ""),
                "kind_label": LineKind(line["kind"]).label if line.get("kind") else "",
                "quote": priced,
                "description": priced.description if priced else _describe(line, basket),
                "sessions": line.get("package_sessions"),
                # a package without a number of days is valid for the default the quote applies
                "valid_days": priced.package_valid_days
                if priced
                else line.get("package_valid_days"),
            }
        )
    return rows


def _describe(line: dict[str, Any], basket: Basket) -> str:
    if line.get("product"):
        product = product_get(pk=line["product"])
        return product.name if product else ""
    if line.get("package") and basket.card is not None:
        package = package_list(card=basket.card).filter(pk=line["package"]).first()
        return package.service_name if package else ""
    if line.get("service"):
        service = service_get(pk=line["service"])
        return service.name if service else ""
    return ""


def _render(
    request: HttpRequest,
    basket: Basket,
    stores: Any,
    outcome: Outcome,
    bound: tuple[CheckoutForm, Any, Quote | None] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page (or, for htmx, the form) showing ``basket``; ``bound``: the forms as sent, with
    their errors, when they were not valid."""
    if bound is None:
        form, formset = _bind(request, _page_data(basket), stores, basket.store)
        form.is_valid()
        formset.is_valid()
        quote = _quote(basket, outcome)
    else:
        form, formset, quote = bound
    outcome.errors = list(dict.fromkeys(outcome.errors))  # a refusal the quote repeats, once
    if outcome.focus in form.fields:
        form.fields[outcome.focus].widget.attrs["autofocus"] = True
    points_paid = basket.payments.get(PaymentMethod.POINTS) or Decimal(0)
    paid = sum((amount for amount in basket.payments.values() if amount), Decimal("0.00"))
    context = {
        "form": form,
        "formset": formset,
        "store": basket.store,
        "several_stores": stores.count() > 1,
        "basket": basket,
        "rows": _line_rows(formset, basket, quote),
        "quote": quote,
        "outcome": outcome,
        "paid": paid,
        "left_to_pay": (quote.total - paid) if quote is not None else None,
        "points_to_pay": points_for_amount(points_paid) if points_paid > 0 else 0,
        "payment_fields": [
            (method, form[name]) for method, name in CheckoutForm.PAYMENT_FIELDS.items()
        ],
        "card_methods": (PaymentMethod.STORED_VALUE, PaymentMethod.POINTS),
        "currency": currency(),
        **_member_context(basket),
    }
    if is_htmx_partial(request):
        return render(request, "orders/partials/_checkout_form.html", context, status=status)
    return render(request, "orders/checkout.html", context, status=status)


# --- The page ----------------------------------------------------------------------------------------


class CheckoutView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_capability(request.user, "orders.checkout")
        stores = _stores(request.user)
        store = _store_of(request.GET, stores)
        if store is None:
            return render(request, "orders/checkout_no_store.html", status=403)
        basket = Basket(key=new_form_key(), store=store)
        basket.fields.update({"package_sessions": 10, "package_valid_days": 365})
        outcome = Outcome()
        customer_pk = request.GET.get("customer", "")
        if customer_pk:
            customer = customer_get(user=request.user, pk=customer_pk)
            if customer is None or customer.erased_at is not None:
                raise Http404
            _set_member(basket, customer, card_for_customer(customer), outcome)
        return _render(request, basket, stores, outcome)

    def post(self, request: HttpRequest) -> HttpResponse:
        require_capability(request.user, "orders.checkout")
        stores = _stores(request.user)
        store = _store_of(request.POST, stores)
        if store is None:
            return render(request, "orders/checkout_no_store.html", status=403)
        data = request.POST.copy()
        # A line's staff member who does not work in the (newly chosen) store: the user served.
        allowed = {str(pk) for pk, _name in _staff_choices(request.user, store)}
        for name in list(data):
            if name.startswith(f"{LINES_PREFIX}-") and name.endswith("-staff"):
                if data[name] not in allowed:
                    data[name] = str(request.user.pk)
        form, formset = _bind(request, data, stores, store)
        outcome = Outcome()
        htmx = is_htmx_partial(request)
        form_valid, lines_valid = form.is_valid(), formset.is_valid()
        if "key" in form.errors:
            raise Http404  # not a page this server made
        basket = self._basket(request, form, formset, store, outcome)
        if not (form_valid and lines_valid):
            outcome.errors.append(_("Correct the fields marked below."))
            quote = _quote(basket, outcome) if lines_valid else None
            return _render(
                request,
                basket,
                stores,
                outcome,
                (form, formset, quote),
                status=200 if htmx else 400,
            )
        action = request.POST.get("action", "")
        if action == "pay":
            done = self._pay(request, basket, outcome)
            if done is not None:
                return done
            return _render(request, basket, stores, outcome, status=200 if htmx else 400)
        _apply(request, basket, action, outcome)
        return _render(request, basket, stores, outcome)

    @staticmethod
    def _basket(
        request: HttpRequest, form: CheckoutForm, formset: Any, store: Any, outcome: Outcome
    ) -> Basket:
        data = form.cleaned_data  # what was valid of it
        customer = None
        if data.get("customer"):
            customer = customer_get(user=request.user, pk=data["customer"])
            if customer is None or customer.erased_at is not None:
                outcome.errors.append(_("This member was not found."))
                customer = None
        card = _card_visible(request.user, data.get("card"))
        if customer is not None and card is not None:
            own = card_for_customer(customer)
            if own is None or own.membership_id != card.membership_id:
                card = own
        lines = [
            {name: line.get(name) for name in LINE_FIELDS}
            for line in (getattr(f, "cleaned_data", {}) for f in formset.forms)
        ]
        payments = {
            method: data.get(name) or Decimal("0.00")
            for method, name in CheckoutForm.PAYMENT_FIELDS.items()
        }
        return Basket(
            key=str(data.get("key", "")),
            store=store,
            customer=customer,
            card=card,
            lines=lines,
            coupon=(data.get("coupon") or "").strip(),
            payments=payments,
            fields={name: data.get(name) for name in KEPT_FIELDS},
        )

    @staticmethod
    def _pay(request: HttpRequest, basket: Basket, outcome: Outcome) -> HttpResponse | None:
        if not basket.lines:
            outcome.errors.append(_("Add at least one item."))
            return None
        try:
            pk, replayed = submit_once(
                user=request.user,
                key=basket.key,
                path=reverse("orders:checkout"),
                fingerprint=basket.fingerprint(),
                run=lambda: checkout(
                    store=basket.store,
                    actor=request.user,
                    lines=basket.checkout_lines(),
                    payments=basket.checkout_payments(),
                    customer=basket.customer,
                    card=basket.card,
                    coupon_code=basket.coupon,
                ),
            )
        except ApplicationError as error:
            outcome.errors.append(error.message)
            return None
        if replayed:
            messages.info(request, _("This sale was already recorded; here is its receipt."))
        url = reverse("orders:order-receipt", kwargs={"pk": pk})
        if is_htmx_partial(request):
            return hx_redirect(url)
        return redirect(url)


__all__ = ["CheckoutView"]
