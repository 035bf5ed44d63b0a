"""What the analytics domain's pages add to the shell: the ``analytics.reports`` capability, the
"Customer intelligence" menu entry, the dashboard panel and the customer page's panel (the
engine's capabilities are in ``capabilities``)."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import Role, register_capability
from guanxi.core.registry import DashboardPanel, NavItem, nav_register, panel_register

ANALYSTS: set[str] = {Role.OWNER, Role.STORE_MANAGER, Role.MARKETER}

# The analysis pages, their CSV and the aggregate API (grid, segments, groups' customers,
# audiences): for owners, store managers and marketers. A customer's own figures on the customer
# page need only ``analytics.view`` (every role; see ``capabilities``).
register_capability("analytics.reports", ANALYSTS)

nav_register(
    NavItem(
        key="analytics",
        label=_("Customer intelligence"),
        url_name="analytics:hub",
        icon="graph-up",
        capability="analytics.reports",
        order=40,
    )
)


def _panel_context(request):  # type: ignore[no-untyped-def]
    from guanxi.analytics.views.dashboard import dashboard_context

    return dashboard_context(request)


panel_register(
    DashboardPanel(
        key="analytics.grid",
        template="analytics/panels/dashboard.html",
        context=_panel_context,
        roles=frozenset(ANALYSTS),
        order=30,
    )
)

from guanxi.analytics import customer_panel  # noqa: E402, F401 - the customer page's panel
