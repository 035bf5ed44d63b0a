"""Permission-matrix declarations of consent, skin and health data and the customer's rights."""

from guanxi.customers.tests.scoping import make_customer


def make_consenting_customer(store):
    """A customer of ``store`` whose skin and health data may be read (the owner gets a 200)."""
    customer = make_customer(store)
    customer.consent_sensitive = True
    customer.save(update_fields=["consent_sensitive"])
    return customer


SCOPED_URLS = {
    "customers:customer-consent": make_customer,
    "customers:customer-opt-out": make_customer,
    "customers:customer-sensitive": make_consenting_customer,
    "customers:customer-sensitive-delete": make_consenting_customer,
    "customers:customer-rights": make_customer,
    "customers:customer-data-export": make_customer,
    "customers:customer-erase": make_customer,
    "api-customer-sensitive": make_consenting_customer,
}

UNSCOPED_URLS = {
    "customers:opt-out": (
        "A signed opt-out token for one customer and channel, public by design: it can only "
        "withdraw consent, and a forged token is refused."
    ),
}
