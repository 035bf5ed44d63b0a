"""Pages of the member events: list, detail with registrants, create and edit, register a
customer, cancel a registration, draw the lottery, the draw's result and its verification.

Every object is looked up in the user's scope first (another store's event is "not found",
404), and only then is the capability checked (403): reading needs ``marketing.view``,
registering ``marketing.register``, changing an event and drawing ``marketing.events`` for an
event the user may manage.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.errors import ApplicationError
from guanxi.core.htmx import render_page_or_partial
from guanxi.core.permissions import has_capability, require_capability, store_ids
from guanxi.marketing import selectors, services
from guanxi.marketing.forms import DrawForm, EventForm, RegisterForm
from guanxi.marketing.models import EventRegistration, LotteryDraw, MemberEvent
from guanxi.marketing.services.events import EVENT_FIELDS

EVENTS_PAGE_SIZE = 25
REGISTRANTS_PAGE_SIZE = 50


def _apply_errors(form: Any, error: ValidationError | ApplicationError) -> None:
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def event_or_404(request: HttpRequest, pk: int, capability: str = "marketing.view") -> MemberEvent:
    """The event if the user may see it (else 404), then the capability (else 403)."""
    event = selectors.event_get(user=request.user, pk=pk)
    if event is None:
        raise Http404
    require_capability(request.user, capability)
    return event


def event_to_manage(request: HttpRequest, pk: int) -> MemberEvent:
    event = event_or_404(request, pk, "marketing.events")
    if not services.can_manage_event(request.user, event.store_id):
        raise PermissionDenied("marketing.events")
    return event


def registrant_rows(event: MemberEvent, registrations: Any) -> list[dict[str, Any]]:
    """Each registration with its customer's eligibility now."""
    return [
        {
            "registration": registration,
            "eligibility": services.event_eligibility(event=event, customer=registration.customer),
        }
        for registration in registrations
    ]


def event_context(request: HttpRequest, event: MemberEvent) -> dict[str, Any]:
    user = request.user
    registrations = selectors.registration_list(event=event, user=user).filter(status="registered")
    page = Paginator(registrations, REGISTRANTS_PAGE_SIZE).get_page(request.GET.get("page"))
    registered = selectors.registration_live_count(event=event)
    return {
        "event": event,
        "registered": registered,
        "places_left": max(event.capacity - registered, 0),
        "page": page,
        "rows": registrant_rows(event, page.object_list),
        "hidden_registrants": store_ids(user) is not None and registered > registrations.count(),
        "draws": list(selectors.draw_list(event=event)),
        "can_manage": services.can_manage_event(user, event.store_id),
        "can_register": has_capability(user, "marketing.register"),
        "can_view_history": has_capability(user, "audit.view_object"),
        "register_form": RegisterForm(user=user),
    }


class EventListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_capability(request.user, "marketing.view")
        term = request.GET.get("q", "").strip()[:100]
        events = selectors.event_list(user=request.user, search=term)
        page = Paginator(events, EVENTS_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "term": term,
            "can_create": has_capability(request.user, services.events.CAPABILITY),
        }
        return render_page_or_partial(
            request, "marketing/event_list.html", "marketing/partials/_event_rows.html", context
        )


class EventFormView(LoginRequiredMixin, View):
    """Create (no ``pk``) or change an event."""

    def _event(self, request: HttpRequest, pk: int | None) -> MemberEvent | None:
        if pk is None:
            require_capability(request.user, services.events.CAPABILITY)
            return None
        return event_to_manage(request, pk)

    def _render(self, request: HttpRequest, form: Any, event: Any, status: int = 200) -> Any:
        return render(
            request, "marketing/event_form.html", {"form": form, "event": event}, status=status
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        event = self._event(request, pk)
        return self._render(request, EventForm(instance=event, user=request.user), event)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        event = self._event(request, pk)
        # The form validates a copy, so the service still sees the event as stored.
        copy = MemberEvent.objects.get(pk=event.pk) if event is not None else None
        form = EventForm(request.POST, instance=copy, user=request.user)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in EVENT_FIELDS}
            try:
                if event is None:
                    event = services.event_create(actor=request.user, **data)
                else:
                    event = services.event_update(event=event, data=data, actor=request.user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("%(event)s saved.") % {"event": event.title})
                return redirect("marketing:event-detail", pk=event.pk)
        return self._render(request, form, event, status=400)


class EventDetailView(LoginRequiredMixin, View):
    """The event, its registrants with their eligibility (htmx swaps the page of rows), the
    registration form and the draws."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = event_or_404(request, pk)
        return render_page_or_partial(
            request,
            "marketing/event_detail.html",
            "marketing/partials/_registrants.html",
            event_context(request, event),
        )


class EventRegisterView(LoginRequiredMixin, View):
    """Register a customer, picked by phone (the customer picker suggests as you type)."""

    def _render(self, request: HttpRequest, event: MemberEvent, form: Any, status: int) -> Any:
        context = {**event_context(request, event), "register_form": form}
        return render(request, "marketing/event_register.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = event_or_404(request, pk, "marketing.register")
        return self._render(request, event, RegisterForm(user=request.user), 200)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = event_or_404(request, pk, "marketing.register")
        form = RegisterForm(request.POST, user=request.user)
        if form.is_valid():
            customer = form.cleaned_data["customer"]
            try:
                _registration, created = services.event_register(
                    event=event, customer=customer, actor=request.user
                )
            except ApplicationError as error:
                _apply_errors(form, error)
            else:
                if created:
                    text = _("%(name)s is registered for %(event)s.")
                else:
                    text = _("%(name)s was already registered for %(event)s.")
                messages.success(request, text % {"name": customer.full_name, "event": event})
                return redirect("marketing:event-detail", pk=event.pk)
        return self._render(request, event, form, 400)


def registration_or_404(request: HttpRequest, pk: int) -> EventRegistration:
    registration = selectors.registration_get(user=request.user, pk=pk)
    if registration is None:
        raise Http404
    require_capability(request.user, "marketing.register")
    return registration


class RegistrationCancelView(LoginRequiredMixin, View):
    """GET asks for confirmation; POST cancels."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        registration = registration_or_404(request, pk)
        return render(request, "marketing/registration_cancel.html", {"registration": registration})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        registration = registration_or_404(request, pk)
        try:
            services.registration_cancel(registration=registration, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The registration of %(name)s is cancelled.")
                % {"name": registration.customer.full_name},
            )
        return redirect("marketing:event-detail", pk=registration.event_id)


class EventDrawView(LoginRequiredMixin, View):
    """The lottery form; POST draws and shows the result."""

    def _render(self, request: HttpRequest, event: MemberEvent, form: Any, status: int) -> Any:
        context = {
            "event": event,
            "form": form,
            "registered": selectors.registration_live_count(event=event),
            "draws": list(selectors.draw_list(event=event)),
        }
        return render(request, "marketing/event_draw.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = event_to_manage(request, pk)
        return self._render(request, event, DrawForm(), 200)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        event = event_to_manage(request, pk)
        form = DrawForm(request.POST)
        if form.is_valid():
            try:
                draw = services.lottery_draw(event=event, actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The lottery is drawn."))
                return redirect("marketing:draw-detail", pk=draw.pk)
        return self._render(request, event, form, 400)


def draw_or_404(request: HttpRequest, pk: int) -> LotteryDraw:
    draw = selectors.draw_get(user=request.user, pk=pk)
    if draw is None:
        raise Http404
    require_capability(request.user, "marketing.view")
    return draw


def draw_context(request: HttpRequest, draw: LotteryDraw) -> dict[str, Any]:
    """The winners in the order drawn; a winner the user may not see is shown without a name."""
    visible = {
        r.pk: r
        for r in selectors.registration_list(event=draw.event, user=request.user).filter(
            pk__in=draw.winners
        )
    }
    return {
        "draw": draw,
        "event": draw.event,
        "winners": [
            {"position": i, "registration_pk": pk, "registration": visible.get(pk)}
            for i, pk in enumerate(draw.winners, start=1)
        ],
        "entrant_count": len(draw.entrants),
    }


class DrawDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        draw = draw_or_404(request, pk)
        return render(request, "marketing/draw_detail.html", draw_context(request, draw))


class DrawVerifyView(LoginRequiredMixin, View):
    """Draw again from the recorded seed and entrants, and say whether the winners match."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        draw = draw_or_404(request, pk)
        try:
            verification = services.lottery_verify(draw=draw)
            error = ""
        except ApplicationError as exc:
            verification, error = None, exc.message
        context = {
            **draw_context(request, draw),
            "verification": verification,
            "verify_error": error,
        }
        return render_page_or_partial(
            request,
            "marketing/draw_detail.html",
            "marketing/partials/_draw_verify.html",
            context,
        )
