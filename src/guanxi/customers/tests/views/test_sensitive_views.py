import pytest
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import SensitiveProfile
from guanxi.customers.tests.factories import CustomerFactory

HX = {"HTTP_HX_REQUEST": "true"}
DATA = {"skin_type": "oily", "skin_concerns": ["acne", "pores"], "health_notes": "Pregnant"}


def url(customer):
    return reverse("customers:customer-sensitive", kwargs={"pk": customer.pk})


@pytest.fixture
def consenting(store_a):
    customer = CustomerFactory(home_store=store_a, consent_sensitive=True)
    SensitiveProfile.objects.create(customer=customer, skin_type="dry", health_notes="Pregnant")
    return customer


def test_the_customer_page_offers_to_show_but_reads_nothing(client, consenting, sales_a):
    client.force_login(sales_a)

    response = client.get(reverse("customers:customer-detail", kwargs={"pk": consenting.pk}))

    html = response.content.decode()
    assert 'id="sensitive-show"' in html
    assert "Pregnant" not in html
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE).count() == 0


def test_showing_the_data_logs_the_read(client, consenting, sales_a):
    client.force_login(sales_a)

    response = client.get(url(consenting), **HX)

    assert response.status_code == 200
    assert "Pregnant" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE).count() == 1


def test_without_consent_nothing_is_shown_or_accepted(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, consent_sensitive=False)
    SensitiveProfile.objects.create(customer=customer, health_notes="Diabetic")
    client.force_login(sales_a)

    shown = client.get(url(customer), **HX)
    posted = client.post(url(customer), DATA, **HX)

    assert shown.status_code == 200
    assert 'id="sensitive-no-consent"' in shown.content.decode()
    assert "Diabetic" not in shown.content.decode()
    assert posted.status_code == 400
    assert "Diabetic" not in posted.content.decode()
    assert SensitiveProfile.objects.get().health_notes == "Diabetic"
    assert (
        AuditEvent.objects.filter(
            action__in=(AuditAction.VIEW_SENSITIVE, AuditAction.UPDATE, AuditAction.CREATE)
        ).count()
        == 0
    )


def test_saving_through_htmx_swaps_the_panel(client, consenting, sales_a):
    client.force_login(sales_a)

    response = client.post(url(consenting), DATA, **HX)

    assert response.status_code == 200
    assert 'id="sensitive-data"' in response.content.decode()
    profile = SensitiveProfile.objects.get()
    assert (profile.skin_type, profile.skin_concerns) == ("oily", ["acne", "pores"])


@pytest.mark.parametrize("role", [Role.SERVICE_AGENT, Role.MARKETER])
def test_roles_without_the_capability_are_refused(client, consenting, make_staff, store_a, role):
    client.force_login(make_staff(role=role, stores=[store_a]))

    shown = client.get(url(consenting), **HX)
    posted = client.post(url(consenting), DATA, **HX)

    assert (shown.status_code, posted.status_code) == (403, 403)
    assert SensitiveProfile.objects.get().skin_type == "dry"
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE).count() == 0


def test_after_withdrawal_the_consent_panel_offers_deletion(client, consenting, manager_a):
    consenting.consent_sensitive = False
    consenting.save(update_fields=["consent_sensitive"])
    client.force_login(manager_a)
    consent_url = reverse("customers:customer-consent", kwargs={"pk": consenting.pk})

    assert 'id="sensitive-stored-notice"' in client.get(consent_url, **HX).content.decode()
    response = client.post(
        reverse("customers:customer-sensitive-delete", kwargs={"pk": consenting.pk}), **HX
    )

    assert response.status_code == 200
    assert 'id="sensitive-stored-notice"' not in response.content.decode()
    assert SensitiveProfile.objects.count() == 0
