"""Fixtures of the customers tests."""

import pytest

from guanxi.core.permissions import Role


@pytest.fixture
def sales_a(make_staff, store_a):
    return make_staff(role=Role.SALES, stores=[store_a], username="sales_a", full_name="Li Na")


@pytest.fixture
def manager_a(make_staff, store_a):
    return make_staff(
        role=Role.STORE_MANAGER, stores=[store_a], username="manager_a", full_name="Chen Jie"
    )


@pytest.fixture
def marketer_a(make_staff, store_a):
    return make_staff(role=Role.MARKETER, stores=[store_a], username="marketer_a")
