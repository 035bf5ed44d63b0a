"""Fixtures of the orders tests."""

import pytest

from guanxi.core.permissions import Role
from guanxi.loyalty.tests.factories import make_card


@pytest.fixture
def sales_a(make_staff, store_a):
    return make_staff(role=Role.SALES, stores=[store_a], username="sales_a")


@pytest.fixture
def manager_a(make_staff, store_a):
    return make_staff(role=Role.STORE_MANAGER, stores=[store_a], username="manager_a")


@pytest.fixture
def card(store_a, owner):
    return make_card(store_a, actor=owner)
