import io
import zipfile

import pytest
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory


@pytest.fixture
def customer(store_a):
    return CustomerFactory(home_store=store_a, full_name="李雷", phone="+8613800138000")


def test_the_rights_page_offers_download_and_erasure(client, customer, manager_a):
    client.force_login(manager_a)

    response = client.get(reverse("customers:customer-rights", kwargs={"pk": customer.pk}))

    html = response.content.decode()
    assert 'id="customer-data-export"' in html
    assert 'id="customer-erase-link"' in html


def test_download_my_data_is_a_zip(client, customer, manager_a):
    client.force_login(manager_a)

    response = client.post(reverse("customers:customer-data-export", kwargs={"pk": customer.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "data.json" in names
    assert "customer.csv" in names
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_erasure_with_the_wrong_digits_changes_nothing(client, customer, manager_a):
    client.force_login(manager_a)
    before = Customer.objects.values().get(pk=customer.pk)

    response = client.post(
        reverse("customers:customer-erase", kwargs={"pk": customer.pk}),
        {"last_digits": "1234", "source": "store", "reason": "Request"},
    )

    assert response.status_code == 400
    assert "These are not the last 4 digits of the phone." in response.content.decode()
    assert Customer.objects.values().get(pk=customer.pk) == before


def test_erasure_with_the_right_digits_erases(client, customer, manager_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("customers:customer-erase", kwargs={"pk": customer.pk}),
        {"last_digits": "8000", "source": "form", "reason": "Written request"},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.full_name == f"Erased customer #{customer.pk}"
    assert customer.erased_at is not None


@pytest.mark.parametrize("role", [Role.SALES, Role.SERVICE_AGENT, Role.MARKETER])
def test_other_roles_may_not_use_the_rights(client, customer, make_staff, store_a, role):
    client.force_login(make_staff(role=role, stores=[store_a]))

    responses = [
        client.get(reverse("customers:customer-rights", kwargs={"pk": customer.pk})),
        client.post(reverse("customers:customer-data-export", kwargs={"pk": customer.pk})),
        client.post(
            reverse("customers:customer-erase", kwargs={"pk": customer.pk}),
            {"last_digits": "8000", "source": "store", "reason": "x"},
        ),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    customer.refresh_from_db()
    assert customer.erased_at is None
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 0
