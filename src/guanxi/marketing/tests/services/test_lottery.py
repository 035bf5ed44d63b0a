"""The lottery: recorded seed and entrants, replay, audit, append-only."""

import random

import pytest
from django.db import DatabaseError, transaction

from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.marketing.models import LotteryDraw
from guanxi.marketing.services import (
    draw_winners,
    event_register,
    lottery_draw,
    lottery_replay,
    lottery_verify,
    registration_cancel,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrations(event, sales_a, store_a):
    """Ten live registrations and one cancelled one."""
    made = [
        event_register(event=event, customer=CustomerFactory(home_store=store_a), actor=sales_a)[0]
        for _ in range(11)
    ]
    registration_cancel(registration=made[3], actor=sales_a)
    return [r for i, r in enumerate(made) if i != 3]


def test_the_winners_of_a_seed_are_fixed():
    # the one rule, pinned: the same seed and entrants give these winners on every machine
    assert draw_winners(seed=42, entrants=list(range(1, 11)), count=3) == [2, 1, 5]
    assert draw_winners(seed=7, entrants=list(range(1, 11)), count=3) == [6, 3, 7]


def test_a_draw_records_seed_entrants_and_winners(event, registrations, marketer_a):
    # when 3 winners are drawn with a known seed
    draw = lottery_draw(
        event=event, prize="Gift box", winners_count=3, actor=marketer_a, seed=123456789
    )

    # then the entrants are the live registrations in id order, and the winners come from them
    entrants = [r.pk for r in registrations]
    assert draw.entrants == entrants
    assert draw.winners == random.Random(123456789).sample(entrants, 3)
    assert (draw.seed, draw.winners_count, draw.drawn_by_id) == (123456789, 3, marketer_a.pk)


def test_replay_gives_the_same_winners(event, registrations, marketer_a):
    draw = lottery_draw(event=event, prize="Gift box", winners_count=4, actor=marketer_a)
    stored = LotteryDraw.objects.get(pk=draw.pk)

    assert lottery_replay(draw=stored) == stored.winners
    assert lottery_verify(draw=stored).matches is True


def test_a_different_seed_gives_a_different_order(event, registrations, marketer_a):
    first = lottery_draw(event=event, prize="A", winners_count=5, actor=marketer_a, seed=1)
    entrants = first.entrants
    other = draw_winners(seed=2, entrants=entrants, count=5)

    assert first.winners == draw_winners(seed=1, entrants=entrants, count=5)
    assert other != first.winners


def test_verify_notices_winners_that_do_not_follow_from_the_seed(event, registrations, marketer_a):
    draw = lottery_draw(event=event, prize="A", winners_count=2, actor=marketer_a, seed=99)
    forged = LotteryDraw(
        event=event,
        prize="A",
        seed=draw.seed,
        winners_count=2,
        entrants=draw.entrants,
        winners=list(reversed(draw.winners)),
    )

    result = lottery_verify(draw=forged)

    assert result.matches is False
    assert result.replayed == draw.winners


def test_the_draw_is_audited_and_winners_hear_of_it(event, registrations, marketer_a):
    draw = lottery_draw(event=event, prize="Gift box", winners_count=2, actor=marketer_a, seed=5)

    audit = AuditEvent.objects.get(object_type="marketing.lotterydraw", object_pk=str(draw.pk))
    assert audit.action == "create"
    assert audit.actor_id == marketer_a.pk
    assert audit.changes["seed"] == [None, "5"]
    assert audit.changes["winners"] == [None, draw.winners]
    assert audit.message == "Lottery drawn: 2 of 10 registrants win Gift box."
    winners = {r.pk: r.customer_id for r in registrations if r.pk in draw.winners}
    titles = TimelineEvent.objects.filter(kind="lottery_won").values_list("customer_id", "title")
    assert sorted(titles) == sorted(
        (customer, "Won Gift box in the lottery of Spring skin-care workshop")
        for customer in winners.values()
    )


def test_earlier_winners_take_no_part_in_the_next_draw(event, registrations, marketer_a):
    first = lottery_draw(event=event, prize="First", winners_count=3, actor=marketer_a, seed=1)

    second = lottery_draw(event=event, prize="Second", winners_count=7, actor=marketer_a, seed=2)

    assert set(second.entrants) == {r.pk for r in registrations} - set(first.winners)
    assert set(second.winners).isdisjoint(first.winners)
    with pytest.raises(ApplicationError) as caught:
        lottery_draw(event=event, prize="Third", winners_count=1, actor=marketer_a)
    assert caught.value.code == "no_entrants"


def test_more_winners_than_entrants_is_refused(event, registrations, marketer_a):
    with pytest.raises(ApplicationError) as caught:
        lottery_draw(event=event, prize="A", winners_count=11, actor=marketer_a)

    assert caught.value.message == "Draw between 1 and 10 winners."
    assert LotteryDraw.objects.count() == 0


def test_the_database_refuses_to_change_or_delete_a_draw(event, registrations, marketer_a):
    draw = lottery_draw(event=event, prize="A", winners_count=1, actor=marketer_a, seed=3)

    with pytest.raises(DatabaseError), transaction.atomic():
        LotteryDraw.objects.filter(pk=draw.pk).update(winners=[registrations[0].pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        LotteryDraw.objects.filter(pk=draw.pk).delete()
    assert LotteryDraw.objects.get(pk=draw.pk).winners == draw.winners


def test_sales_staff_cannot_draw(event, registrations, sales_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        lottery_draw(event=event, prize="A", winners_count=1, actor=sales_a)
