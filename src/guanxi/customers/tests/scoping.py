"""The customers domain's declarations for the central permission-matrix test
(tests/test_permission_matrix.py): every URL that takes a customer, and every URL that lists,
searches or exports customers."""

from guanxi.customers.tests.factories import CustomerFactory


def make_customer(store):
    """A customer of ``store`` with a name no other test object has."""
    return CustomerFactory(home_store=store, full_name=f"Outofscope Lam {store.code}")


SCOPED_URLS = {
    "customers:customer-detail": make_customer,
    "customers:customer-update": make_customer,
    "customers:customer-delete": make_customer,
    "api-customer-detail": make_customer,
}

LIST_URLS = {
    "customers:customer-list": make_customer,
    "customers:customer-export": make_customer,
    "customers:customer-autocomplete": make_customer,
    "customers:customer-quick-search": make_customer,
    "api-customer-list": make_customer,
}
