import pytest
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import ConsentEvent
from guanxi.customers.services.consent import opt_out_token
from guanxi.customers.tests.factories import CustomerFactory

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def customer(store_a):
    return CustomerFactory(home_store=store_a, full_name="王芳", consent_sms=True)


def consent_url(customer):
    return reverse("customers:customer-consent", kwargs={"pk": customer.pk})


def test_the_panel_partial_shows_state_and_controls(client, customer, sales_a):
    client.force_login(sales_a)

    response = client.get(consent_url(customer), **HX)

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "customers/partials/_consent_panel.html"
    html = response.content.decode()
    assert 'data-purpose="sms" data-granted="true"' in html
    assert 'data-purpose="email" data-granted="false"' in html
    assert 'id="opt-out-all"' in html
    assert 'id="customer-rights-link"' not in html  # sales may not use the rights


def test_the_full_page_links_the_rights_for_a_manager(client, customer, manager_a):
    client.force_login(manager_a)

    response = client.get(consent_url(customer))

    assert [t.name for t in response.templates][0] == "customers/customer_consent.html"
    assert 'id="customer-rights-link"' in response.content.decode()


def test_granting_through_htmx_records_and_swaps_the_panel(client, customer, sales_a):
    client.force_login(sales_a)

    response = client.post(
        consent_url(customer),
        {"purpose": "sensitive", "action": "grant", "source": "form", "note": ""},
        **HX,
    )

    assert response.status_code == 200
    assert 'data-purpose="sensitive" data-granted="true"' in response.content.decode()
    customer.refresh_from_db()
    assert customer.consent_sensitive is True
    event = ConsentEvent.objects.get()
    assert (event.purpose, event.source, event.recorded_by) == ("sensitive", "form", sales_a)


def test_without_htmx_the_form_redirects_to_the_consent_page(client, customer, sales_a):
    client.force_login(sales_a)

    response = client.post(
        consent_url(customer), {"purpose": "sms", "action": "withdraw", "source": "phone"}
    )

    assert response.status_code == 302
    assert response["Location"] == consent_url(customer)
    customer.refresh_from_db()
    assert customer.consent_sms is False


def test_an_invalid_post_changes_nothing(client, customer, sales_a):
    client.force_login(sales_a)

    response = client.post(consent_url(customer), {"purpose": "fax", "action": "grant"}, **HX)

    assert response.status_code == 400
    assert ConsentEvent.objects.count() == 0


def test_a_marketer_may_read_but_not_record_consent(client, customer, marketer_a):
    client.force_login(marketer_a)

    assert client.get(consent_url(customer), **HX).status_code == 200
    response = client.post(
        consent_url(customer), {"purpose": "sms", "action": "withdraw", "source": "store"}, **HX
    )

    assert response.status_code == 403
    assert ConsentEvent.objects.count() == 0
    customer.refresh_from_db()
    assert customer.consent_sms is True


def test_one_click_opt_out_withdraws_every_channel(client, customer, sales_a):
    client.force_login(sales_a)

    response = client.post(
        reverse("customers:customer-opt-out", kwargs={"pk": customer.pk}),
        {"channel": "all", "source": "store"},
        **HX,
    )

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.consent_sms is False
    assert ConsentEvent.objects.filter(granted=False).count() == 5


def test_the_public_link_asks_first_then_withdraws(client, customer):
    url = reverse(
        "customers:opt-out", kwargs={"token": opt_out_token(customer_id=customer.pk, channel="sms")}
    )

    page = client.get(url)
    assert page.status_code == 200
    assert 'id="opt-out-confirm"' in page.content.decode()
    assert ConsentEvent.objects.count() == 0

    done = client.post(url)

    assert done.status_code == 200
    assert 'id="opt-out-done"' in done.content.decode()
    customer.refresh_from_db()
    assert customer.consent_sms is False
    assert ConsentEvent.objects.get().source == "opt_out_link"
    assert AuditEvent.objects.get(action=AuditAction.UPDATE).actor is None


def test_a_forged_link_is_refused(client, customer):
    token = opt_out_token(customer_id=customer.pk, channel="sms")
    url = reverse("customers:opt-out", kwargs={"token": token[:-3] + "xyz"})

    response = client.post(url)

    assert response.status_code == 400
    assert ConsentEvent.objects.count() == 0
    customer.refresh_from_db()
    assert customer.consent_sms is True


def test_the_detail_page_includes_the_lazy_panel(client, customer, sales_a):
    client.force_login(sales_a)

    response = client.get(reverse("customers:customer-detail", kwargs={"pk": customer.pk}))

    assert f'hx-get="{consent_url(customer)}"' in response.content.decode()


@pytest.mark.parametrize("role", [Role.SERVICE_AGENT, Role.MARKETER])
def test_roles_see_the_panel_without_the_rights_link(client, customer, make_staff, store_a, role):
    client.force_login(make_staff(role=role, stores=[store_a]))

    response = client.get(consent_url(customer), **HX)

    assert response.status_code == 200
    assert "customer-rights-link" not in response.content.decode()
