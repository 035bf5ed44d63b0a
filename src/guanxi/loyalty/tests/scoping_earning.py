"""Declarations of the points rules, coupons and gift pages for the central permission-matrix
test. Rules, promotions, coupons and gifts are organisation-wide and managed by the owner only;
gift redemption works on a member card, which belongs to a store."""

from guanxi.loyalty.tests.scoping import make_card_of

SCOPED_URLS = {
    "loyalty:card-gift-redeem": make_card_of,
    "api-loyalty-card-gift-redeem": make_card_of,
}
UNSCOPED_URLS = {
    "loyalty:category-multiplier-delete": "organisation-wide points rules, owner only",
    "loyalty:promotion-update": "organisation-wide promotions, owner only",
    "loyalty:promotion-delete": "organisation-wide promotions, owner only",
    "loyalty:coupon-detail": "organisation-wide coupons, owner only",
    "loyalty:coupon-update": "organisation-wide coupons, owner only",
    "loyalty:coupon-deactivate": "organisation-wide coupons, owner only",
    "loyalty:gift-update": "organisation-wide gift catalogue, owner only",
    "loyalty:gift-restock": "organisation-wide gift catalogue, owner only",
}
