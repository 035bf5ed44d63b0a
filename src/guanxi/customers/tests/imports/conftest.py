"""Fixtures of the import tests."""

import pytest

from guanxi.staff.tests.factories import StoreFactory


@pytest.fixture
def store_c(db):
    return StoreFactory(name="Store C", code="c01")
