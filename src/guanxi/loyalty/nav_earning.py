"""What the points rules, coupons and gift catalogue add to the shell: capabilities, navigation
and history sources. Gift redemption at the front desk uses ``loyalty.redeem`` (``nav.py``)."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import Role, register_capability
from guanxi.core.registry import NavItem, history_register, nav_register
from guanxi.loyalty import data_handlers_earning  # noqa: F401 - coupons in merge, export, erase
from guanxi.loyalty.selectors_earning import (
    COUPONS_CAPABILITY,
    EARNING_CAPABILITY,
    GIFTS_CAPABILITY,
    history_sources,
)

# Earn and redeem rates, category multipliers and promotions.
register_capability(EARNING_CAPABILITY, {Role.OWNER})
# Create, change and deactivate coupons; see their uses.
register_capability(COUPONS_CAPABILITY, {Role.OWNER})
# The gift catalogue and its stock.
register_capability(GIFTS_CAPABILITY, {Role.OWNER})

nav_register(
    NavItem(
        key="loyalty-earning",
        label=_("Points rules"),
        url_name="loyalty:earning-rules",
        icon="stars",
        capability=EARNING_CAPABILITY,
        order=64,
        group="member-card",
    )
)
nav_register(
    NavItem(
        key="loyalty-coupons",
        label=_("Coupons"),
        url_name="loyalty:coupon-list",
        icon="ticket-perforated",
        capability=COUPONS_CAPABILITY,
        order=65,
        group="member-card",
    )
)
nav_register(
    NavItem(
        key="loyalty-gifts",
        label=_("Gift catalogue"),
        url_name="loyalty:gift-list",
        icon="gift",
        capability=GIFTS_CAPABILITY,
        order=66,
        group="member-card",
    )
)

for object_type, visible_to in history_sources().items():
    history_register(object_type, visible_to)
