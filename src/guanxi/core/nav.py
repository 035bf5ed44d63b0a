"""What this domain adds to the shell: navigation, dashboard panels, history sources."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.registry import NavItem, job_download_capability_register, nav_register
from guanxi.core.services_audit import AUDIT_EXPORT_KIND

nav_register(
    NavItem(
        key="audit",
        label=_("Audit log"),
        url_name="core:audit-log",
        icon="journal-text",
        capability="audit.view",
        order=1000,
    )
)

job_download_capability_register(AUDIT_EXPORT_KIND, "audit.view")
