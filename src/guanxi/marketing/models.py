"""Models of the marketing domain: member events, their registrations and lottery draws.

A **member event** (a skin-care workshop, a VIP tea afternoon) has a date, a place, a capacity
and eligibility rules: a minimum tier, a minimum spend in a period, and holding a live treatment
package. An event of one store is seen by that store's staff; an event without a store is for
every store.

A **registration** puts a customer on an event once (one live registration per customer and
event); cancelling frees the seat. A **lottery draw** picks winners among the registrants from a
recorded seed and the recorded list of entrants, so anyone can replay it later and get the same
winners. Draws are append-only (migration 0002).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import BaseModel
from guanxi.core.money import MoneyField
from guanxi.marketing.choices import RegistrationChannel, RegistrationStatus

DRAW_ALGORITHM = "python-random-sample"


class MemberEvent(BaseModel):
    """A member event with its place, capacity and eligibility rules."""

    store_scope = "store"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    store = models.ForeignKey(
        "staff.Store",
        verbose_name=_("store"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for an event of every store."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        validators=[MinValueValidator(1)],
        help_text=_("How many customers may register."),
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    minimum_tier = models.ForeignKey(
        "loyalty.TierLevel",
        verbose_name=_("minimum tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for members of any tier, and for customers without a card."),
    )
    minimum_spend = MoneyField(
        _("minimum spend"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave empty for no spend rule."),
    )
    spend_since = models.DateField(
        _("spend counted from"),
        null=True,
        blank=True,
        help_text=_("The spend rule counts purchases from this day on."),
    )
    spend_days = models.PositiveIntegerField(
        _("spend counted over the last days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Or: the spend rule counts purchases of the last so many days. Neither: all purchases."
        ),
    )
    requires_package = models.BooleanField(
        _("requires a treatment package"),
        default=False,
        help_text=_("Only members holding a package with sessions left, valid on the event day."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("member event")
        verbose_name_plural = _("member events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="marketing_event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="marketing_event_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(spend_since__isnull=True) | models.Q(spend_days__isnull=True),
                name="marketing_event_one_spend_period",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_spend__isnull=True) | models.Q(minimum_spend__gte=0),
                name="marketing_event_spend_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("The event cannot end before it starts.")
        if self.spend_since and self.spend_days:
            errors["spend_days"] = _("Count the spend from a day or over some days, not both.")
        if self.minimum_spend is None and (self.spend_since or self.spend_days):
            errors["minimum_spend"] = _("A spend period needs a minimum spend.")
        if errors:
            raise ValidationError(errors)

    def audit_store_id(self) -> int | None:
        return self.store_id


class EventRegistration(BaseModel):
    """A customer's place on an event. One live registration per customer and event."""

    store_scope = "customer__home_store"

    event = models.ForeignKey(
        MemberEvent,
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=RegistrationChannel.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "customer"],
                condition=models.Q(status=RegistrationStatus.REGISTERED),
                name="marketing_one_live_registration",
            )
        ]
        indexes = [models.Index(fields=["event", "status"], name="marketing_reg_event_status")]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.customer_id}"

    def audit_store_id(self) -> int | None:
        return self.event.store_id


class LotteryDraw(models.Model):
    """One lottery among an event's registrants. Append-only (migration 0002).

    ``entrants`` is the ordered list of the registration ids in the draw; ``winners`` the ids
    drawn, in the order drawn: ``random.Random(seed).sample(entrants, winners_count)``.
    """

    store_scope = "event__store"

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    event = models.ForeignKey(
        MemberEvent, verbose_name=_("event"), on_delete=models.PROTECT, related_name="draws"
    )
    prize = models.CharField(_("prize"), max_length=200)
    seed = models.BigIntegerField(_("seed"))
    algorithm = models.CharField(_("algorithm"), max_length=40, default=DRAW_ALGORITHM)
    winners_count = models.PositiveIntegerField(_("number of winners"))
    entrants = models.JSONField(_("entrants"), default=list)
    winners = models.JSONField(_("winners"), default=list)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lottery draw")
        verbose_name_plural = _("lottery draws")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(winners_count__gte=1), name="marketing_draw_has_winners"
            ),
            models.CheckConstraint(
                condition=models.Q(seed__gte=0), name="marketing_draw_seed_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.prize}"

    def audit_store_id(self) -> int | None:
        return self.event.store_id
