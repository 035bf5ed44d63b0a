"""Fixtures shared by the whole suite."""

from collections.abc import Callable, Iterator

import pytest
from django.db import connection

from guanxi.core.permissions import Role
from guanxi.staff.tests.factories import StoreFactory, UserFactory


@pytest.fixture(autouse=True)
def orders_seeded_in_bulk(monkeypatch):
    """Seeders register once per process, so a test that seeds also runs the orders seeder of
    any earlier test's import: in bulk that takes a second, through the services minutes. The
    tests of the services path set the threshold themselves."""
    monkeypatch.setenv("GUANXI_SEED_BULK_THRESHOLD", "0")


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


def _suspend_triggers() -> Callable[[], None]:
    """Take the database's own triggers off the tables and return the function that puts them back.

    The audit log (and every ledger after it) is append-only: the database refuses DELETE and
    TRUNCATE on it (``guanxi.core.db``). A test on ``live_server`` runs on a transactional
    database, which Django empties after each test with exactly such a statement.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')

            def restore() -> None:
                with connection.cursor() as cursor:
                    for _name, sql in triggers:
                        cursor.execute(sql)

            return restore
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")

    def enable() -> None:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")

    return enable


@pytest.fixture
def _triggers_restored(django_db_setup, django_db_blocker) -> Iterator[list[Callable[[], None]]]:
    """Set up before the test database and torn down after it has been emptied: puts back the
    triggers that ``transactional_db`` took away for the flush."""
    restores: list[Callable[[], None]] = []
    yield restores
    with django_db_blocker.unblock():
        for restore in restores:
            restore()


@pytest.fixture
def transactional_db(_triggers_restored, transactional_db) -> Iterator[None]:
    """pytest-django's ``transactional_db`` (which ``live_server`` uses), able to empty the
    append-only tables after the test; the append-only rule holds for the whole test."""
    yield
    _triggers_restored.append(_suspend_triggers())
