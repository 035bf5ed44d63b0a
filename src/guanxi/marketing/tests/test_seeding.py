"""The demo member events: the same for the same seed, with a replayable lottery."""

import datetime
import random

import pytest

from guanxi.core.seeding import SEEDERS, SeedContext
from guanxi.customers.seeding import customers_seed
from guanxi.marketing.models import EventRegistration, LotteryDraw, MemberEvent
from guanxi.marketing.seeding import marketing_seed
from guanxi.marketing.services import lottery_verify
from guanxi.staff.seeding import staff_seed

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)


def run(seed: int) -> list[tuple]:
    context = SeedContext(
        seed=seed,
        customers=80,
        store_count=2,
        password="x",
        today=TODAY,
        random=random.Random(seed),
    )
    staff_seed(context)
    customers_seed(context)
    marketing_seed(context)
    return [
        *MemberEvent.objects.order_by("starts_at", "title").values_list(
            "title", "starts_at", "capacity", "store__code", "registration_open"
        ),
        *EventRegistration.objects.order_by("event__title", "customer__phone").values_list(
            "event__title", "customer__phone", "status"
        ),
        *LotteryDraw.objects.order_by("pk").values_list("event__title", "seed", "winners_count"),
    ]


def test_marketing_seeder_runs_after_the_others():
    assert SEEDERS["marketing"].order == 90


def test_demo_events_registrations_and_a_replayable_draw():
    run(3)

    # per store a workshop and a tea afternoon, plus the VIP evening of every store
    assert MemberEvent.objects.count() == 5
    assert MemberEvent.objects.filter(store__isnull=True, minimum_tier__rank=2).count() == 1
    assert EventRegistration.objects.count() == 5 * 12
    draws = list(LotteryDraw.objects.select_related("event"))
    assert [(d.event.registration_open, d.winners_count, len(d.entrants)) for d in draws] == [
        (False, 3, 12),
        (False, 3, 12),
    ]
    assert all(lottery_verify(draw=d).matches for d in draws)


def test_same_seed_same_events():
    from django.db import transaction

    def digest(seed):
        with transaction.atomic():
            rows = run(seed)
            transaction.set_rollback(True)
        return rows

    assert digest(5) == digest(5)
    assert digest(5) != digest(6)


def test_the_seeder_writes_no_audit_rows():
    from guanxi.core.models import AuditEvent

    run(4)

    assert not AuditEvent.objects.filter(object_type__startswith="marketing.").exists()
