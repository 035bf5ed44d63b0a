"""API tokens for the central permission-matrix test: a token is its owner's alone, so another
staff member's token is "not found" for everyone else."""

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
