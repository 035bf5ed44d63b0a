"""Points: award, redeem, FIFO expiry by lots."""

import datetime
import zoneinfo

import pytest
from django.conf import settings

from guanxi.core.errors import ApplicationError
from guanxi.loyalty.choices import AccountKind, PointsValidity, TransactionKind
from guanxi.loyalty.models import LedgerTransaction, PointLot
from guanxi.loyalty.selectors import card_balances, loyalty_settings_get
from guanxi.loyalty.services import ledger_reconcile, points_award, points_expire, points_redeem
from guanxi.loyalty.services.points import points_expiry_for

pytestmark = pytest.mark.django_db
ZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def at(year, month, day):
    return datetime.datetime(year, month, day, 12, tzinfo=ZONE)


def test_default_expiry_is_the_end_of_the_following_year():
    assert points_expiry_for(at(2026, 3, 5)) == datetime.datetime(2028, 1, 1, tzinfo=ZONE)


def test_expiry_in_months_and_never():
    config = loyalty_settings_get()
    config.points_validity, config.points_validity_months = PointsValidity.MONTHS, 1
    config.save()
    assert points_expiry_for(at(2026, 1, 31)) == datetime.datetime(2026, 2, 28, 12, tzinfo=ZONE)
    config.points_validity = PointsValidity.NEVER
    config.save()
    assert points_expiry_for(at(2026, 1, 31)) is None


@pytest.mark.parametrize("points", [0, -5, True])
def test_award_of_no_points_is_refused(card, owner, points):
    with pytest.raises(ApplicationError) as error:
        points_award(card=card, points=points, reason="x", actor=owner)
    assert error.value.code == "invalid_points"
    assert LedgerTransaction.objects.count() == 0


def test_expiry_takes_the_oldest_lots_first(card, owner):
    # given 100 points expiring early, 50 later; 30 redeemed (from the early lot)
    early = points_award(card=card, points=100, reason="2025", actor=owner)
    late = points_award(card=card, points=50, reason="2026", actor=owner)
    PointLot.objects.filter(transaction=early).update(expires_at=at(2027, 1, 1))
    PointLot.objects.filter(transaction=late).update(expires_at=at(2028, 1, 1))
    points_redeem(card=card, points=30, actor=owner)
    # when the expiry runs between the two dates
    expired = points_expire(now=at(2027, 6, 1))
    # then the 70 left of the early lot expire, the later 50 stay
    assert expired == 70
    assert card_balances(card)[AccountKind.POINTS] == 50
    assert LedgerTransaction.objects.filter(kind=TransactionKind.EXPIRY).count() == 1
    assert points_expire(now=at(2027, 6, 1)) == 0
    assert ledger_reconcile() == []
