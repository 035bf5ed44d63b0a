"""Fixtures of the marketing tests."""

from decimal import Decimal

import pytest

from guanxi.core.permissions import Role
from guanxi.loyalty.services import tiers
from guanxi.marketing.tests.factories import MemberEventFactory


@pytest.fixture
def marketer_a(make_staff, store_a):
    return make_staff(role=Role.MARKETER, stores=[store_a], username="marketer_a")


@pytest.fixture
def manager_a(make_staff, store_a):
    return make_staff(role=Role.STORE_MANAGER, stores=[store_a], username="manager_a")


@pytest.fixture
def sales_a(make_staff, store_a):
    return make_staff(role=Role.SALES, stores=[store_a], username="sales_a")


@pytest.fixture
def event(store_a):
    return MemberEventFactory(store=store_a, title="Spring skin-care workshop")


@pytest.fixture
def spend(monkeypatch):
    """Replace the registered spend sources with one the test controls: ``spend.amounts`` maps a
    membership pk to its spend; ``spend.calls`` records (membership pk, since)."""

    class Source:
        def __init__(self):
            self.amounts: dict[int, Decimal] = {}
            self.calls: list = []

        def __call__(self, membership, since):
            self.calls.append((membership.pk, since))
            return self.amounts.get(membership.pk, Decimal("0.00"))

    source = Source()
    monkeypatch.setattr(tiers, "_SPEND_SOURCES", [source])
    return source
