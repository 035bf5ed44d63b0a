"""Fixtures of the catalogue tests."""

import pytest

from guanxi.core.permissions import Role


@pytest.fixture
def manager_a(make_staff, store_a):
    return make_staff(role=Role.STORE_MANAGER, stores=[store_a], username="manager_a")


@pytest.fixture
def sales_a(make_staff, store_a):
    return make_staff(role=Role.SALES, stores=[store_a], username="sales_a")
