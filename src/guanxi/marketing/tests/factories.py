"""Factories of the marketing tests."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from guanxi.marketing.choices import RegistrationChannel
from guanxi.marketing.models import EventRegistration, LotteryDraw, MemberEvent


def _in_days(days: int, hour: int = 14) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class MemberEventFactory(factory.django.DjangoModelFactory):
    """An open event a week from now, 14:00–17:00, for 30 people, with no eligibility rule."""

    class Meta:
        model = MemberEvent

    title = factory.Sequence(lambda n: f"Skin-care workshop {n}")
    place = "Tea room, 2nd floor"
    starts_at = factory.LazyFunction(lambda: _in_days(7))
    ends_at = factory.LazyFunction(lambda: _in_days(7, hour=17))
    capacity = 30
    registration_open = True


class EventRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventRegistration

    event = factory.SubFactory(MemberEventFactory)
    channel = RegistrationChannel.STAFF


def make_draw(event: MemberEvent, registrations: list[Any], **fields: Any) -> LotteryDraw:
    """A recorded draw among ``registrations`` (the first one wins), written directly."""
    pks = [r.pk for r in registrations]
    return LotteryDraw.objects.create(
        event=event,
        prize=fields.pop("prize", "Gift box"),
        seed=fields.pop("seed", 42),
        winners_count=1,
        entrants=pks,
        winners=pks[:1],
        **fields,
    )
