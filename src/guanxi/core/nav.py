"""What this domain adds to the shell: navigation, dashboard panels, history sources."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.registry import (
    NavGroup,
    NavItem,
    job_download_capability_register,
    nav_group_register,
    nav_register,
)
from guanxi.core.services_audit import AUDIT_EXPORT_KIND

# Stores, staff and the audit log share one menu in the navigation bar.
nav_group_register(
    NavGroup(key="organisation", label=_("Organisation"), icon="building", namespaces=("staff",))
)

nav_register(
    NavItem(
        key="audit",
        label=_("Audit log"),
        url_name="core:audit-log",
        icon="journal-text",
        capability="audit.view",
        order=1000,
        group="organisation",
    )
)

job_download_capability_register(AUDIT_EXPORT_KIND, "audit.view")
