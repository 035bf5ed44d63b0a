"""The tier ladder's declarations for the central permission-matrix test: tier levels are
organisation-wide and edited by the owner only."""

UNSCOPED_URLS = {
    "loyalty:tier-update": "organisation-wide tier ladder, owner only",
}
