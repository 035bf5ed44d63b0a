from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "guanxi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from guanxi.core.permissions import Role, register_capability
        from guanxi.customers import nav  # noqa: F401 - registers navigation, panels and history sources

        # Data quality: the owner sets the completeness weights; owners and store managers read
        # the data-quality page (their stores) and merge duplicates.
        register_capability("customers.completeness_weights", {Role.OWNER})
        register_capability("customers.data_quality", {Role.OWNER, Role.STORE_MANAGER})
        register_capability("customers.merge", {Role.OWNER, Role.STORE_MANAGER})
        # Tags are shared by every store: owners and store managers keep the list; whoever may
        # change a customer tags them. Households follow their store like its members.
        register_capability("customers.manage_tags", {Role.OWNER, Role.STORE_MANAGER})
        from guanxi.core.registry import history_register
        from guanxi.customers.selectors.households import household_list

        history_register("customers.household", lambda user: household_list(user=user))
        # Imports: the capability and the "guanxi import customers" importer.
        from guanxi.customers.imports import cli  # noqa: F401

        # The customer's rights (download their data, erase them): owners and store managers.
        register_capability("customers.rights", {Role.OWNER, Role.STORE_MANAGER})
        from guanxi.customers import sensitive_panel  # noqa: F401 - the "Skin and health" panel
