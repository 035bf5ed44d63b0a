"""The staff domain's declarations for the central permission-matrix test: every URL that takes
a store or a staff member, and every URL that lists them."""

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanxi.core.permissions import Role
from guanxi.staff.tests.factories import UserFactory


def the_store(store):
    """Store URLs take the store itself."""
    return store


def sales_of(store):
    """A sales member of ``store`` with a name no other test object has."""
    return UserFactory(role=Role.SALES, stores=[store], full_name=f"Outofscope Wu {store.code}")


def two_factor_user_of(store):
    """A sales member of ``store`` who signs in with an authenticator app and backup codes."""
    user = sales_of(store)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    return user


SCOPED_URLS = {
    "staff:store-detail": the_store,
    "staff:store-update": the_store,
    "staff:store-deactivate": the_store,
    "staff:store-activate": the_store,
    "staff:staff-detail": sales_of,
    "staff:staff-update": sales_of,
    "staff:staff-deactivate": sales_of,
    "staff:staff-two-factor-reset": two_factor_user_of,
    "api-store-detail": the_store,
    "api-staff-detail": sales_of,
}

LIST_URLS = {
    "staff:store-list": the_store,
    "staff:staff-list": sales_of,
    "api-store-list": the_store,
    "api-staff-list": sales_of,
}
