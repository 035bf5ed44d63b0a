"""Demo member events: per store a skin-care workshop next week and a past tea afternoon, and one
VIP evening of every store for members of the VIP tier, with registrations of the stores'
customers and a lottery drawn at the past afternoon (its seed drawn from the seed's stream, so
the same ``--seed`` draws the same winners).

Rows are inserted directly, like the other seeders' (the seed writes one audit row summing it
up): the registrants meet no rule but the VIP evening's, whose registrants are not chosen by rule
(its page shows the eligibility column flagging them); the draw uses ``draw_winners``, the one
rule of every draw, so "Verify draw" confirms it like any other.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from guanxi.core.seeding import SeedContext, explicit_timestamps, seeder_register
from guanxi.customers.selectors.customer import customer_list
from guanxi.loyalty.selectors import tier_level_list
from guanxi.marketing.choices import RegistrationChannel, RegistrationStatus
from guanxi.marketing.models import EventRegistration, LotteryDraw, MemberEvent
from guanxi.marketing.services.lottery import draw_winners

REGISTRANTS_PER_EVENT = 12


def _at(context: SeedContext, days: int, hour: int) -> datetime.datetime:
    return context.start_of_today + datetime.timedelta(days=days, hours=hour)


def _event(context: SeedContext, actor: object, **fields: object) -> MemberEvent:
    event = MemberEvent(created_by=actor, **fields)
    event.full_clean()
    event.save()
    return event


def marketing_seed(context: SeedContext) -> None:
    owner = next((u for u in context.staff if u.role == "owner"), None)
    if owner is None or not context.stores:
        return
    rng = context.rng("marketing")
    events: list[tuple[MemberEvent, list[int]]] = []
    for store in context.stores:
        customers = list(
            customer_list(user=owner)
            .filter(home_store=store, erased_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:200]
        )
        workshop = _event(
            context,
            owner,
            title=f"{store.name} · 春季护肤沙龙",
            description="美容师现场讲解春季护肤：清洁与补水。",
            starts_at=_at(context, 7, 14),
            ends_at=_at(context, 7, 16),
            place=store.address or store.name,
            store=store,
            capacity=20,
        )
        tea = _event(
            context,
            owner,
            title=f"{store.name} · 养生茶话会",
            description="会员养生茶话会，结束时抽奖。",
            starts_at=_at(context, -10, 15),
            ends_at=_at(context, -10, 17),
            place=store.address or store.name,
            store=store,
            capacity=30,
            registration_open=False,
        )
        for event in (workshop, tea):
            chosen = sorted(rng.sample(customers, min(REGISTRANTS_PER_EVENT, len(customers))))
            events.append((event, chosen))
    vip = tier_level_list().filter(rank=2).first()
    gala = _event(
        context,
        owner,
        title="VIP 健康之夜",
        description="各门店 VIP 会员专场。",
        starts_at=_at(context, 21, 19),
        ends_at=_at(context, 21, 22),
        place="总部 18 楼",
        store=None,
        capacity=80,
        minimum_tier=vip,
        minimum_spend=Decimal("3000.00"),
        spend_days=365,
    )
    everyone = list(
        customer_list(user=owner)
        .filter(erased_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    events.append((gala, sorted(rng.sample(everyone, min(REGISTRANTS_PER_EVENT, len(everyone))))))
    rows = [
        EventRegistration(
            event=event,
            customer_id=customer_pk,
            channel=RegistrationChannel.STAFF,
            status=RegistrationStatus.REGISTERED,
            registered_by=owner,
            created_at=min(event.starts_at, context.start_of_today)
            - datetime.timedelta(days=rng.randrange(1, 20), minutes=rng.randrange(600)),
            updated_at=context.start_of_today,
        )
        for event, customers in events
        for customer_pk in customers
    ]
    with explicit_timestamps(EventRegistration):
        EventRegistration.objects.bulk_create(rows)
    draws = 0
    for event, customers in events:
        if not event.registration_open and customers:
            entrants = list(
                EventRegistration.objects.filter(event=event)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            seed, count = rng.getrandbits(63), min(3, len(entrants))
            LotteryDraw.objects.create(
                event=event,
                prize="养生礼盒",
                seed=seed,
                winners_count=count,
                entrants=entrants,
                winners=draw_winners(seed=seed, entrants=entrants, count=count),
                drawn_by=owner,
            )
            draws += 1
    context.count("member events", len(events))
    context.count("event registrations", len(rows))
    context.count("lottery draws", draws)
    context.progress("member events", len(events), len(events))


seeder_register("marketing", 90, marketing_seed)
