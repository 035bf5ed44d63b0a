"""What the catalogue adds to the shell: capabilities, navigation and history sources."""

from django.utils.translation import gettext_lazy as _

from guanxi.catalog.models import Brand, Category, Product, Service
from guanxi.catalog.selectors import price_list_list
from guanxi.core.permissions import ALL_ROLES, Role, register_capability
from guanxi.core.registry import NavItem, history_register, nav_register

# Every staff member reads the catalogue (to sell from it); owners and store managers keep it.
# Price lists belong to a store: a store manager keeps those of their own stores.
register_capability("catalog.view", ALL_ROLES)
register_capability("catalog.manage", {Role.OWNER, Role.STORE_MANAGER})

nav_register(
    NavItem(
        key="catalog",
        label=_("Catalogue"),
        url_name="catalog:product-list",
        icon="box-seam",
        capability="catalog.view",
        order=30,
    )
)

# The catalogue is organisation-wide: whoever may read it may read its history.
history_register("catalog.product", lambda user: Product.objects.all())
history_register("catalog.service", lambda user: Service.objects.all())
history_register("catalog.category", lambda user: Category.objects.all())
history_register("catalog.brand", lambda user: Brand.objects.all())
history_register("catalog.pricelist", lambda user: price_list_list(user=user))
