"""The lottery among an event's registrants, and its replay.

A draw records everything needed to make it again: the **seed** (``secrets.randbits(63)`` unless
one is given) and the **entrants**, the ids of the live registrations at the moment of the draw
in ascending order (winners of the event's earlier draws left out, so nobody wins twice). The
winners are ``random.Random(seed).sample(entrants, winners_count)``, in the order drawn: Python's
Mersenne Twister seeded with an integer, and ``sample``'s selection, give the same result on
every platform. ``lottery_verify`` draws again from the record and compares.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.timeline import timeline_event_add
from guanxi.marketing.choices import RegistrationStatus
from guanxi.marketing.models import DRAW_ALGORITHM, EventRegistration, LotteryDraw, MemberEvent
from guanxi.marketing.selectors import registration_customer_ids
from guanxi.marketing.services.events import _require_manage
from guanxi.marketing.services.registrations import TIMELINE_DOMAIN

SEED_BITS = 63


def draw_winners(*, seed: int, entrants: Sequence[int], count: int) -> list[int]:
    """The winners among ``entrants`` for ``seed``: the one rule of every draw and replay."""
    return random.Random(seed).sample(list(entrants), count)  # noqa: S311 - replayable, public


@transaction.atomic
def lottery_draw(
    *,
    event: MemberEvent,
    prize: str,
    winners_count: int,
    actor: Any,
    seed: int | None = None,
) -> LotteryDraw:
    """Draw ``winners_count`` winners of ``prize`` among the event's registrants; audited."""
    locked = MemberEvent.objects.select_for_update().get(pk=event.pk)
    _require_manage(actor, locked.store_id)
    prize = prize.strip()
    if not prize:
        raise ApplicationError(_("Name the prize."), code="invalid_prize")
    earlier = {pk for draw in LotteryDraw.objects.filter(event=locked) for pk in draw.winners}
    entrants = [
        pk
        for pk in EventRegistration.objects.filter(
            event=locked, status=RegistrationStatus.REGISTERED
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        if pk not in earlier
    ]
    if not entrants:
        raise ApplicationError(
            _("Nobody is left to draw: no registrant who has not won yet."), code="no_entrants"
        )
    if winners_count < 1 or winners_count > len(entrants):
        raise ApplicationError(
            _("Draw between 1 and %(entrants)s winners.") % {"entrants": len(entrants)},
            code="invalid_winners_count",
        )
    if seed is None:
        seed = secrets.randbits(SEED_BITS)
    elif not 0 <= seed < 2**SEED_BITS:
        raise ApplicationError(
            _("The seed is a whole number from 0 to 9223372036854775807."), code="invalid_seed"
        )
    winners = draw_winners(seed=seed, entrants=entrants, count=winners_count)
    draw = LotteryDraw.objects.create(
        event=locked,
        prize=prize[:200],
        seed=seed,
        algorithm=DRAW_ALGORITHM,
        winners_count=winners_count,
        entrants=entrants,
        winners=winners,
        drawn_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=draw,
        changes={
            "event": [None, locked.pk],
            "prize": [None, draw.prize],
            "seed": [None, str(seed)],
            "entrants": [None, entrants],
            "winners": [None, winners],
        },
        message=_("Lottery drawn: %(count)s of %(entrants)s registrants win %(prize)s.")
        % {"count": winners_count, "entrants": len(entrants), "prize": draw.prize},
    )
    customers = registration_customer_ids(winners)
    for registration_pk in winners:
        timeline_event_add(
            customer_id=customers[registration_pk],
            domain=TIMELINE_DOMAIN,
            kind="lottery_won",
            title=_("Won %(prize)s in the lottery of %(event)s")
            % {"prize": draw.prize, "event": locked.title},
            store_id=locked.store_id,
            actor=actor,
            obj=draw,
        )
    return draw


@dataclass(frozen=True)
class DrawVerification:
    recorded: list[int]
    replayed: list[int]

    @property
    def matches(self) -> bool:
        return self.recorded == self.replayed


def lottery_replay(*, draw: LotteryDraw) -> list[int]:
    """The winners the draw's recorded seed and entrants give today."""
    if draw.algorithm != DRAW_ALGORITHM:
        raise ApplicationError(
            _("This draw used an algorithm this version cannot replay."), code="unknown_algorithm"
        )
    return draw_winners(seed=draw.seed, entrants=draw.entrants, count=draw.winners_count)


def lottery_verify(*, draw: LotteryDraw) -> DrawVerification:
    """Replay the draw and compare with the winners recorded."""
    return DrawVerification(recorded=list(draw.winners), replayed=lottery_replay(draw=draw))
