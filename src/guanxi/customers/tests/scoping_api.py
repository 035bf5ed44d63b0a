"""Permission-matrix declarations of the customers API's households, tags and consent routes
(see tests/test_permission_matrix.py)."""

from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory, TagFactory
from guanxi.customers.tests.scoping import make_customer


def make_household(store):
    return HouseholdFactory(store=store, name=f"Outofscope family {store.code}")


def make_tagged_customer(store):
    """The URL kwargs of a tag on a customer of ``store``."""
    tag = TagFactory(name="Outofscope tag")
    customer = CustomerFactory(home_store=store, full_name=f"Outofscope Tagged {store.code}")
    customer.tags.add(tag)
    return {"pk": customer.pk, "tag_pk": tag.pk}


def make_household_member(store):
    """The URL kwargs of a member of a household of ``store``."""
    household = make_household(store)
    member = CustomerFactory(
        home_store=store, household=household, full_name=f"Outofscope Member {store.code}"
    )
    return {"pk": household.pk, "customer_pk": member.pk}


SCOPED_URLS = {
    "api-customer-consent": make_customer,
    "api-customer-opt-out": make_customer,
    "api-customer-tag-add": make_customer,
    "api-customer-tag-remove": make_tagged_customer,
    "api-household-detail": make_household,
    "api-household-member-add": make_household,
    "api-household-member-remove": make_household_member,
}

UNSCOPED_URLS = {
    "api-tag-detail": "Tags are shared by every store (no store owns one); only owners and store "
    "managers may change or delete them, checked by the customers.manage_tags capability.",
}

LIST_URLS = {
    "api-household-list": make_household,
}
