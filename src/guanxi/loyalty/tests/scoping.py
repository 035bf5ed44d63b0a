"""The loyalty domain's declarations for the central permission-matrix test: every URL that
takes a member card."""

from guanxi.loyalty.tests.factories import make_card


def make_card_of(store):
    return make_card(store, full_name=f"Outofscope Card {store.code}")


SCOPED_URLS = {
    "api-loyalty-card-points-redeem": make_card_of,
    "api-loyalty-card-stored-value-topup": make_card_of,
}
