"""The money pages of a member card: declarations for the central permission-matrix test."""

from guanxi.loyalty.tests.scoping import make_card_of

SCOPED_URLS = {
    "loyalty:card-topup": make_card_of,
    "loyalty:card-principal-refund": make_card_of,
    "loyalty:card-package-session": make_card_of,
}
