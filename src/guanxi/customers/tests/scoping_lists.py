"""The permission-matrix declarations of the customer list, the customer page's timeline and
tags, households, tags and saved views (see tests/test_permission_matrix.py)."""

from guanxi.core.permissions import Role
from guanxi.customers.models import SavedView
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory
from guanxi.staff.tests.factories import UserFactory


def make_customer(store):
    return CustomerFactory(home_store=store, full_name=f"Outofscope Lam {store.code}")


def make_household(store):
    return HouseholdFactory(store=store, name=f"Outofscope family {store.code}")


def make_saved_view(store):
    """Another staff member's saved view: personal, so not found for anyone else."""
    someone = UserFactory(role=Role.SALES, stores=[store])
    return SavedView.objects.create(owner=someone, name="Their view", query="birthday_month=5")


SCOPED_URLS = {
    "customers:customer-timeline": make_customer,
    "customers:customer-tag-add": make_customer,
    "customers:customer-tag-remove": make_customer,
    "customers:household-detail": make_household,
    "customers:household-update": make_household,
    "customers:household-delete": make_household,
    "customers:household-member-add": make_household,
    "customers:household-member-remove": make_household,
    "customers:saved-view-delete": make_saved_view,
}

UNSCOPED_URLS = {
    "customers:tag-update": "Tags are shared by every store (no store owns one); only owners and "
    "store managers may edit them, checked by the customers.manage_tags capability.",
    "customers:tag-delete": "Tags are shared by every store (no store owns one); only owners and "
    "store managers may delete them, checked by the customers.manage_tags capability.",
}

LIST_URLS = {
    "customers:household-list": make_household,
}
