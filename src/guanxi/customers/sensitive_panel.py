"""Registers the "Skin and health" panel of the customer page (``profile_panels``)."""

from guanxi.customers.profile_panels import profile_panel_register
from guanxi.customers.views.consent import sensitive_panel

profile_panel_register(
    "customers.sensitive",
    "customers/partials/_sensitive_panel.html",
    sensitive_panel,
    order=20,
)
