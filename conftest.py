"""Fixtures shared by the whole suite."""

import pytest

from guanxi.core.permissions import Role
from guanxi.staff.tests.factories import StoreFactory, UserFactory


@pytest.fixture
def store_a(db):
    return StoreFactory(name="Store A", code="a01")


@pytest.fixture
def store_b(db):
    return StoreFactory(name="Store B", code="b01")


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", role=Role.OWNER)


@pytest.fixture
def make_staff(db):
    def make(role=Role.SALES, stores=(), **kwargs):
        return UserFactory(role=role, stores=list(stores), **kwargs)

    return make
