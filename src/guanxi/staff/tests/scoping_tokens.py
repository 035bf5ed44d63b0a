"""Tokens for the central permission-matrix test: an API token is its owner's alone, so another
staff member's token is "not found" for everyone else; a password-reset link carries a signed
token, not a store object."""

from guanxi.core.permissions import Role
from guanxi.staff.services.tokens import api_token_create
from guanxi.staff.tests.factories import UserFactory


def make_token(store):
    """An active API token of a sales member of ``store``."""
    owner = UserFactory(role=Role.SALES, stores=[store], full_name=f"Token Holder {store.code}")
    token, _key = api_token_create(user=owner, name=f"POS {store.code}", actor=owner)
    return token


SCOPED_URLS = {
    "staff:api-token-revoke": make_token,
}

UNSCOPED_URLS = {
    "staff:password-reset-confirm": (
        "uidb64/token is a signed one-time password-reset token sent by e-mail, not a store "
        "object: it is opened signed out, and a wrong or used token shows the invalid-link page "
        "(test_auth_password)."
    ),
}
