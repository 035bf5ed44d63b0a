import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import SensitiveProfile
from guanxi.customers.tests.factories import CustomerFactory

BODY = {"skin_type": "sensitive", "skin_concerns": ["redness"], "health_notes": "Rosacea"}


@pytest.fixture
def api():
    return APIClient()


def url(customer):
    return reverse("api-customer-sensitive", kwargs={"pk": customer.pk})


def test_put_then_get_under_consent(api, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, consent_sensitive=True)
    api.force_authenticate(sales_a)

    put = api.put(url(customer), BODY, format="json")
    got = api.get(url(customer))

    assert put.status_code == 200
    assert got.status_code == 200
    assert {k: got.json()[k] for k in BODY} == BODY
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE).count() == 1


def test_without_consent_nothing_is_shown_or_accepted(api, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, consent_sensitive=False)
    SensitiveProfile.objects.create(customer=customer, health_notes="Asthma")
    api.force_authenticate(sales_a)

    got = api.get(url(customer))
    put = api.put(url(customer), BODY, format="json")

    assert (got.status_code, put.status_code) == (400, 400)
    assert got.json()["error"]["code"] == "consent_required"
    assert "Asthma" not in got.content.decode()
    assert SensitiveProfile.objects.get().health_notes == "Asthma"


def test_the_customer_api_neither_shows_nor_accepts_sensitive_fields(api, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, consent_sensitive=True)
    SensitiveProfile.objects.create(customer=customer, health_notes="Asthma")
    api.force_authenticate(sales_a)
    detail = reverse("api-customer-detail", kwargs={"pk": customer.pk})

    shown = api.get(detail)
    patched = api.patch(detail, {"health_notes": "Changed", "skin_type": "dry"}, format="json")

    assert "Asthma" not in shown.content.decode()
    assert not {"health_notes", "skin_type", "skin_concerns"} & set(shown.json())
    # refused on the fields, not silently dropped: the client must not believe they were saved
    assert patched.status_code == 400
    assert sorted(patched.json()["error"]["fields"]) == ["health_notes", "skin_type"]
    profile = SensitiveProfile.objects.get()
    assert (profile.health_notes, profile.skin_type) == ("Asthma", "")


@pytest.mark.parametrize("role", [Role.SERVICE_AGENT, Role.MARKETER])
def test_roles_without_the_capability_get_403(api, store_a, make_staff, role):
    customer = CustomerFactory(home_store=store_a, consent_sensitive=True)
    api.force_authenticate(make_staff(role=role, stores=[store_a]))

    got = api.get(url(customer))
    put = api.put(url(customer), BODY, format="json")

    assert (got.status_code, put.status_code) == (403, 403)
    assert SensitiveProfile.objects.count() == 0


def test_invalid_values_are_refused(api, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, consent_sensitive=True)
    api.force_authenticate(sales_a)

    response = api.put(url(customer), {**BODY, "skin_concerns": ["warts"]}, format="json")

    assert response.status_code == 400
    assert "skin_concerns" in response.json()["error"]["fields"]
    assert SensitiveProfile.objects.count() == 0
