"""The capabilities of the analytics domain (registered when the app is ready)."""

from guanxi.core.permissions import ALL_ROLES, Role, register_capability

# See the analytics pages (store-scoped figures) and a customer's segment and suggestions.
register_capability("analytics.view", ALL_ROLES)
# Change the analytics settings and the grid's actions, start a refresh.
register_capability("analytics.manage", {Role.OWNER})
# Save a cell's or segment's customers as an audience.
register_capability("analytics.audience", {Role.OWNER, Role.STORE_MANAGER, Role.MARKETER})
