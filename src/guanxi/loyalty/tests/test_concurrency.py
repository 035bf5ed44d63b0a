"""Balances under concurrent requests, each on its own database connection (PostgreSQL row locks
in a fixed order; SQLite's BEGIN IMMEDIATE with the busy timeout)."""

import datetime

import pytest
from django.utils import timezone

from guanxi.core.errors import ApplicationError
from guanxi.loyalty.choices import AccountKind
from guanxi.loyalty.models import LedgerAccount, PackageSessionUse
from guanxi.loyalty.selectors import card_balances
from guanxi.loyalty.services import (
    ledger_reconcile,
    package_sell,
    package_session_consume,
    points_award,
    points_redeem,
)
from guanxi.loyalty.tests.factories import make_card
from guanxi.loyalty.tests.threads import in_thread, run_concurrently, separate_connections

# The project's transactional_db (root conftest) lifts the append-only triggers for the flush.
pytestmark = pytest.mark.usefixtures("transactional_db")


def _outcome(call):
    try:
        call()
    except ApplicationError as error:
        return error.code
    return "ok"


def test_200_concurrent_redemptions_of_1000_points(store_a, owner):
    # given a card with 1,000 points
    card = make_card(store_a, actor=owner)
    points_award(card=card, points=1000, reason="opening balance", actor=owner)
    with separate_connections():
        # when 200 tills redeem 10 points each at the same moment
        outcomes = run_concurrently(
            lambda _i: _outcome(lambda: points_redeem(card=card, points=10, actor=owner)), 200
        )
        # then exactly 100 succeed, 100 are refused clearly, nothing errs, 0 points are left
        balance, drift, locked = in_thread(
            lambda: (card_balances(card)[AccountKind.POINTS], ledger_reconcile(), None)
        )
    assert sorted(set(map(str, outcomes))) == ["insufficient_points", "ok"]
    assert outcomes.count("ok") == 100
    assert outcomes.count("insufficient_points") == 100
    assert balance == 0
    assert drift == []


def test_30_concurrent_consumptions_of_a_10_session_package(store_a, owner):
    # given a package of 10 sessions
    card = make_card(store_a, actor=owner)
    package = package_sell(
        card=card,
        service_name="Massage",
        sessions=10,
        valid_until=timezone.localdate() + datetime.timedelta(days=90),
        actor=owner,
    )
    with separate_connections():
        # when 30 visits consume a session at once
        outcomes = run_concurrently(
            lambda i: _outcome(
                lambda: package_session_consume(
                    package=package, beautician=owner, visit=f"v{i}", actor=owner
                )
            ),
            30,
        )
        left, uses = in_thread(
            lambda: (
                LedgerAccount.objects.get(pk=package.account_id).balance,
                PackageSessionUse.objects.filter(package=package).count(),
            )
        )
    # then exactly 10 succeed and the rest are told none are left
    assert outcomes.count("ok") == 10
    assert outcomes.count("package_used_up") == 20
    assert (left, uses) == (0, 10)
