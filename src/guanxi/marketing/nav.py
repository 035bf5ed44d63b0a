"""What this domain adds to the shell: capabilities, navigation, history sources, customer data."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import ALL_ROLES, Role, register_capability
from guanxi.core.registry import NavItem, history_register, nav_register
from guanxi.marketing import data_handlers  # noqa: F401 - registers export, erase and merge
from guanxi.marketing.selectors import (
    draw_list_visible,
    event_list,
    registration_list_visible,
)

# See the member events and their registrants (each store its own).
register_capability("marketing.view", ALL_ROLES)
# Create and change events, and draw their lotteries.
register_capability("marketing.events", {Role.OWNER, Role.STORE_MANAGER, Role.MARKETER})
# Register customers for events and cancel registrations: the front desk too.
register_capability(
    "marketing.register",
    {Role.OWNER, Role.STORE_MANAGER, Role.SALES, Role.SERVICE_AGENT, Role.MARKETER},
)

nav_register(
    NavItem(
        key="marketing-events",
        label=_("Member events"),
        url_name="marketing:event-list",
        icon="calendar-event",
        capability="marketing.view",
        order=70,
    )
)

history_register("marketing.memberevent", lambda user: event_list(user=user))
history_register("marketing.eventregistration", lambda user: registration_list_visible(user=user))
history_register("marketing.lotterydraw", lambda user: draw_list_visible(user=user))
