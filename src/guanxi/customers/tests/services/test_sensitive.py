import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.core.audit import MASK
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import SensitiveProfile
from guanxi.customers.selectors.sensitive import sensitive_profile_get
from guanxi.customers.services.sensitive import (
    sensitive_profile_delete,
    sensitive_profile_update,
)
from guanxi.customers.tests.factories import CustomerFactory

DATA = {
    "skin_type": "dry",
    "skin_concerns": ["redness", "acne"],
    "health_notes": "Allergic to aloe",
}


@pytest.fixture
def consenting(store_a):
    return CustomerFactory(home_store=store_a, full_name="林美", consent_sensitive=True)


def test_writes_under_consent_with_values_masked_in_the_audit(consenting, sales_a):
    profile = sensitive_profile_update(customer=consenting, data=DATA, actor=sales_a)

    profile.refresh_from_db()
    assert (profile.skin_type, profile.skin_concerns, profile.health_notes) == (
        "dry",
        ["acne", "redness"],
        "Allergic to aloe",
    )
    audit = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert audit.object_type == "customers.sensitiveprofile"
    assert audit.object_pk == str(consenting.pk)
    assert audit.changes == {
        "skin_type": ["", MASK],
        "skin_concerns": [[], MASK],
        "health_notes": ["", MASK],
    }
    assert "aloe" not in str(audit.changes)


def test_without_consent_nothing_is_accepted(store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, consent_sensitive=False)

    with pytest.raises(ApplicationError) as error:
        sensitive_profile_update(customer=customer, data=DATA, actor=sales_a)

    assert error.value.code == "consent_required"
    assert SensitiveProfile.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SERVICE_AGENT, Role.MARKETER])
def test_roles_that_may_not_see_sensitive_data_cannot_write_it(
    consenting, make_staff, store_a, role
):
    with pytest.raises(PermissionDenied):
        sensitive_profile_update(
            customer=consenting, data=DATA, actor=make_staff(role=role, stores=[store_a])
        )

    assert SensitiveProfile.objects.count() == 0


def test_invalid_values_are_refused(consenting, sales_a):
    with pytest.raises(ValidationError) as error:
        sensitive_profile_update(
            customer=consenting, data={"skin_type": "scaly", "skin_concerns": ["x"]}, actor=sales_a
        )

    assert set(error.value.message_dict) == {"skin_type", "skin_concerns"}
    assert SensitiveProfile.objects.count() == 0


def test_an_update_that_changes_nothing_writes_nothing(consenting, sales_a):
    sensitive_profile_update(customer=consenting, data=DATA, actor=sales_a)

    sensitive_profile_update(customer=consenting, data={"skin_type": "dry"}, actor=sales_a)

    assert AuditEvent.objects.count() == 1


def test_every_read_is_logged(consenting, sales_a):
    sensitive_profile_update(customer=consenting, data=DATA, actor=sales_a)

    first = sensitive_profile_get(customer=consenting, user=sales_a)
    second = sensitive_profile_get(customer=consenting, user=sales_a)

    assert first.health_notes == second.health_notes == "Allergic to aloe"
    reads = AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE)
    assert reads.count() == 2
    assert {(r.object_type, r.object_pk, r.actor_id) for r in reads} == {
        ("customers.sensitiveprofile", str(consenting.pk), sales_a.pk)
    }


def test_after_withdrawal_the_data_are_hidden_and_reads_not_logged(consenting, sales_a):
    sensitive_profile_update(customer=consenting, data=DATA, actor=sales_a)
    consenting.consent_sensitive = False
    consenting.save(update_fields=["consent_sensitive"])

    assert sensitive_profile_get(customer=consenting, user=sales_a) is None
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE).count() == 0
    assert SensitiveProfile.objects.count() == 1


def test_a_role_without_the_capability_reads_nothing(consenting, sales_a, make_staff, store_a):
    sensitive_profile_update(customer=consenting, data=DATA, actor=sales_a)
    agent = make_staff(role=Role.SERVICE_AGENT, stores=[store_a])

    assert sensitive_profile_get(customer=consenting, user=agent) is None
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE).count() == 0


def test_delete_removes_the_data_without_needing_consent(consenting, sales_a):
    sensitive_profile_update(customer=consenting, data=DATA, actor=sales_a)
    consenting.consent_sensitive = False
    consenting.save(update_fields=["consent_sensitive"])

    deleted = sensitive_profile_delete(customer=consenting, actor=sales_a)

    assert deleted is True
    assert SensitiveProfile.objects.count() == 0
    audit = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert audit.changes["health_notes"] == [MASK, None]
