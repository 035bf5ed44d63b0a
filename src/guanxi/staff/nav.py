"""What the staff domain adds to the shell: navigation, capabilities, history sources."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.registry import NavItem, history_register, nav_register
from guanxi.staff.selectors import staff_list, store_list

nav_register(
    NavItem(
        key="stores",
        label=_("Stores"),
        url_name="staff:store-list",
        icon="shop",
        capability="stores.view",
        order=80,
        group="organisation",
    )
)
nav_register(
    NavItem(
        key="staff",
        label=_("Staff"),
        url_name="staff:staff-list",
        icon="person-badge",
        capability="staff.view",
        order=90,
        group="organisation",
    )
)

# The History tab of a store or a staff member shows audit rows only for objects the viewer
# may see.
history_register("staff.store", lambda user: store_list(user=user))
history_register("staff.user", lambda user: staff_list(user=user))
