"""The owner's loyalty settings page and the stored-value bonus rules: capability, navigation and
history sources (imported from ``nav.py``)."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import Role, register_capability
from guanxi.core.registry import NavItem, history_register, nav_register
from guanxi.loyalty.selectors import (
    SETTINGS_CAPABILITY,
    bonus_rule_list,
    loyalty_settings_visible,
)

# Card numbering, points rates and validity, the stored-value spending order, referral rewards
# and the top-up bonus rules.
register_capability(SETTINGS_CAPABILITY, {Role.OWNER})

nav_register(
    NavItem(
        key="loyalty-settings",
        label=_("Loyalty settings"),
        url_name="loyalty:settings",
        icon="sliders",
        capability=SETTINGS_CAPABILITY,
        order=61,
        group="member-card",
    )
)
nav_register(
    NavItem(
        key="loyalty-bonus-rules",
        label=_("Top-up bonus rules"),
        url_name="loyalty:bonus-rule-list",
        icon="piggy-bank",
        capability=SETTINGS_CAPABILITY,
        order=62,
        group="member-card",
    )
)

history_register("loyalty.bonusrule", lambda user: bonus_rule_list(user=user))
history_register("loyalty.loyaltysettings", lambda user: loyalty_settings_visible(user=user))
