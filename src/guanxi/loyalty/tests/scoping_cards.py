"""The member-card pages' declarations for the central permission-matrix test."""

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.tests.scoping import make_card_of


def make_customer_of(store):
    return CustomerFactory(home_store=store, full_name=f"Outofscope Nocard {store.code}")


SCOPED_URLS = {
    "loyalty:card-detail": make_card_of,
    "loyalty:card-ledger": make_card_of,
    "loyalty:card-freeze": make_card_of,
    "loyalty:card-unfreeze": make_card_of,
    "loyalty:card-report-lost": make_card_of,
    "loyalty:card-replace": make_card_of,
    "loyalty:card-print": make_card_of,
    "loyalty:card-issue": make_customer_of,
}
