"""Service packages and manual adjustments."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from guanxi.core.errors import ApplicationError
from guanxi.core.permissions import Role
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import LedgerTransaction, PackageSessionUse, ServicePackage
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import ledger_adjust, package_sell, package_session_consume
from guanxi.loyalty.services.cards import member_account

pytestmark = pytest.mark.django_db


def _sell(card, owner, sessions=2, days=30):
    return package_sell(
        card=card,
        service_name="Facial",
        sessions=sessions,
        valid_until=timezone.localdate() + datetime.timedelta(days=days),
        actor=owner,
    )


def test_sessions_are_consumed_until_none_are_left(card, owner, make_staff, store_a):
    beautician = make_staff(role=Role.SERVICE_AGENT, stores=[store_a])
    package = _sell(card, owner)
    package_session_consume(package=package, beautician=beautician, visit="visit-1", actor=owner)
    use = package_session_consume(
        package=package, beautician=beautician, visit="visit-2", actor=owner
    )
    with pytest.raises(ApplicationError) as error:
        package_session_consume(
            package=package, beautician=beautician, visit="visit-3", actor=owner
        )
    assert error.value.code == "package_used_up"
    package.account.refresh_from_db()
    assert package.account.balance == 0
    assert (use.beautician, use.visit_reference) == (beautician, "visit-2")
    assert PackageSessionUse.objects.count() == 2


def test_expired_package_is_refused(card, owner):
    package = _sell(card, owner)
    ServicePackage.objects.filter(pk=package.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(ApplicationError) as error:
        package_session_consume(package=package, beautician=None, visit="v", actor=owner)
    assert error.value.code == "package_expired"
    package.account.refresh_from_db()
    assert package.account.balance == 2


def test_adjustment_by_the_owner_with_a_reason(card, owner):
    account = member_account(card, AccountKind.POINTS)
    txn = ledger_adjust(account=account, amount=25, reason="Goodwill after complaint", actor=owner)
    assert card_balances(card)[AccountKind.POINTS] == 25
    assert txn.memo == "Goodwill after complaint"


def test_adjustment_needs_a_reason(card, owner):
    with pytest.raises(ApplicationError) as error:
        ledger_adjust(
            account=member_account(card, AccountKind.POINTS), amount=5, reason="  ", actor=owner
        )
    assert error.value.code == "reason_required"
    assert LedgerTransaction.objects.count() == 0


def test_adjustment_is_refused_to_a_store_manager(card, manager_a):
    with pytest.raises(PermissionDenied):
        ledger_adjust(
            account=member_account(card, AccountKind.POINTS), amount=5, reason="x", actor=manager_a
        )
    assert LedgerTransaction.objects.count() == 0
