"""Permission-matrix declarations of the data-quality part (tests/test_permission_matrix.py):
the merge page takes a customer; the data-quality and duplicates pages list customers."""

import datetime

from guanxi.core.permissions import Role
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.staff.tests.factories import UserFactory


def make_customer(store):
    return CustomerFactory(home_store=store, full_name=f"Outofscope Merge {store.code}")


def make_incomplete_customer(store):
    """A customer of ``store`` on its "fill these in" list: a responsible staff member, little
    else filled in."""
    staff = UserFactory(role=Role.SALES, stores=[store])
    return CustomerFactory(
        home_store=store,
        responsible_staff=staff,
        full_name=f"Outofscope Fillin {store.code}",
        completeness=5,
    )


def make_duplicate(store):
    """Two customers of ``store`` with the same name and birthday; returns one of them."""
    birthday = datetime.date(1980, 2, 3)
    CustomerFactory(home_store=store, full_name="Outofscope Twin", birthday=birthday)
    return CustomerFactory(home_store=store, full_name="Outofscope Twin", birthday=birthday)


SCOPED_URLS = {
    "customers:customer-merge": make_customer,
}

LIST_URLS = {
    "customers:data-quality": make_incomplete_customer,
    "customers:duplicate-list": make_duplicate,
}
