"""Fixtures of the core domain's tests."""

import pytest

from guanxi.core.permissions import Role, scope
from guanxi.core.registry import HISTORY_SOURCES


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Export files go to a temporary folder, never to the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def customer_history(monkeypatch):
    """Customers as a history source, as the customers domain registers them."""
    from guanxi.customers.models import Customer

    monkeypatch.setitem(
        HISTORY_SOURCES, "customers.customer", lambda user: scope(Customer.objects.all(), user)
    )


@pytest.fixture
def manager_a(make_staff, store_a):
    return make_staff(role=Role.STORE_MANAGER, stores=[store_a], username="manager_a")


@pytest.fixture
def manager_b(make_staff, store_b):
    return make_staff(role=Role.STORE_MANAGER, stores=[store_b], username="manager_b")


@pytest.fixture
def sales_b(make_staff, store_b):
    return make_staff(role=Role.SALES, stores=[store_b], username="sales_b")
