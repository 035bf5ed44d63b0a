"""What this domain adds to the shell: navigation, dashboard panels, history sources."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.registry import (
    NavItem,
    history_register,
    job_download_capability_register,
    nav_register,
)
from guanxi.customers import (
    data_handlers,  # noqa: F401 - registers the merge handler
    panels,  # noqa: F401 - registers the dashboard panels
)
from guanxi.customers.selectors import customer_list

nav_register(
    NavItem(
        key="customers",
        label=_("Customers"),
        url_name="customers:customer-list",
        icon="people",
        capability="customers.view",
        order=10,
    )
)

nav_register(
    NavItem(
        key="customers-quality",
        label=_("Data quality"),
        url_name="customers:data-quality",
        icon="clipboard-check",
        capability="customers.data_quality",
        order=11,
    )
)

# The History tab of a customer shows audit rows only to someone who may see the customer.
history_register("customers.customer", lambda user: customer_list(user=user))

# Files produced by customer jobs are downloaded only by who may still export customers.
job_download_capability_register("customers.export", "customers.export")
