"""What this domain adds to the shell: capabilities, history sources, customer-data handlers."""

from django.utils.translation import gettext_lazy as _

import guanxi.loyalty.referral_panel  # noqa: F401 - the customer-page referrals panel
from guanxi.core.permissions import ALL_ROLES, Role, register_capability
from guanxi.core.registry import (
    NavGroup,
    NavItem,
    history_register,
    nav_group_register,
    nav_register,
)
from guanxi.loyalty import data_handlers  # noqa: F401 - registers export, erase and merge
from guanxi.loyalty.selectors import card_list

# The owner's member-card pages (tiers, settings, bonus rules, points rules, coupons, gifts) share
# one menu in the navigation bar.
MENU = "member-card"
nav_group_register(
    NavGroup(key=MENU, label=_("Member card"), icon="credit-card-2-front", namespaces=("loyalty",))
)

FRONT_DESK = {Role.OWNER, Role.STORE_MANAGER, Role.SALES, Role.SERVICE_AGENT}

register_capability("loyalty.view", ALL_ROLES)
# Issue, freeze, report lost and replace a card.
register_capability("loyalty.cards", FRONT_DESK)
# Redeem points and spend stored value or package sessions at the till.
register_capability("loyalty.redeem", FRONT_DESK)
# Take money for stored value, and pay paid value back.
register_capability("loyalty.topup", {Role.OWNER, Role.STORE_MANAGER, Role.SALES})
register_capability("loyalty.refund", {Role.OWNER, Role.STORE_MANAGER})
# Correct a balance by hand, with a reason.
register_capability("loyalty.adjust", {Role.OWNER})

history_register("loyalty.membercard", lambda user: card_list(user=user))
from guanxi.loyalty import card_panel  # noqa: E402, F401 - registers the customer-page card panel

# The member tier ladder and its policy (owner pages under /loyalty/tiers/).
register_capability("loyalty.tiers", {Role.OWNER})
nav_register(
    NavItem(
        key="loyalty-tiers",
        label=_("Member tiers"),
        url_name="loyalty:tier-list",
        icon="award",
        capability="loyalty.tiers",
        order=60,
        group=MENU,
    )
)
import guanxi.loyalty.nav_earning  # noqa: E402, F401 - points rules, coupons, gifts
import guanxi.loyalty.nav_settings  # noqa: E402, F401 - settings and bonus rule pages
from guanxi.loyalty import card_search  # noqa: E402, F401 - finds customers by card number
