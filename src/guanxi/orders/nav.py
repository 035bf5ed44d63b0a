"""What the orders domain adds to the shell and to the domains below it: capabilities, history
sources, the customer-data handler, the tier spend and the customers' value ranking."""

from guanxi.core.permissions import ALL_ROLES, Role, register_capability
from guanxi.core.registry import history_register
from guanxi.customers.selectors.quality import customer_value_register
from guanxi.loyalty.services.tiers import tier_spend_register
from guanxi.orders import data_handlers  # noqa: F401 - registers export, erase and merge
from guanxi.orders.selectors import customer_spend_annotation, order_list, order_return_list
from guanxi.orders.services.spend import order_spend

FRONT_DESK = {Role.OWNER, Role.STORE_MANAGER, Role.SALES, Role.SERVICE_AGENT}

# See orders and receipts (of one's own stores).
register_capability("orders.view", ALL_ROLES)
# Sell at the till or through the external-POS API.
register_capability("orders.checkout", FRONT_DESK)
# Take goods back and refund them.
register_capability("orders.return", {Role.OWNER, Role.STORE_MANAGER})

history_register("orders.order", lambda user: order_list(user=user))
history_register("orders.orderreturn", lambda user: order_return_list(user=user))

# A membership's spend places it on the tier ladder.
tier_spend_register(order_spend)
# Customers who spent more come first among equally incomplete ones on the data-quality page.
customer_value_register("orders.spend", customer_spend_annotation)

import guanxi.orders.nav_ui  # noqa: E402, F401 - "Checkout" and "Orders" in the menu
import guanxi.orders.order_panel  # noqa: E402, F401 - the customer page's "Orders" panel
