import pytest
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory

CREATE_URL = reverse("customers:customer-create")


def form_data(store, **overrides):
    data = {
        "full_name": "Wang Fang",
        "phone": "138 0013 8000",
        "gender": "female",
        "birthday": "1990-05-17",
        "email": "",
        "home_store": store.pk,
        "responsible_staff": "",
    }
    return {**data, **overrides}


def test_create_form_preselects_the_only_store_and_the_sales_member(client, store_a, sales_a):
    client.force_login(sales_a)

    response = client.get(CREATE_URL)

    form = response.context["form"]
    assert response.status_code == 200
    assert form.initial == {"home_store": store_a.pk, "responsible_staff": sales_a.pk}
    assert list(form.fields["home_store"].queryset) == [store_a]


def test_create_saves_and_redirects_to_the_customer(client, store_a, sales_a):
    client.force_login(sales_a)

    response = client.post(CREATE_URL, form_data(store_a, responsible_staff=sales_a.pk))

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-detail", args=[customer.pk])
    assert customer.phone == "+8613800138000"
    assert customer.responsible_staff == sales_a
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"phone": "12345"}, "phone", id="bad_phone_case"),
        pytest.param({"full_name": ""}, "full_name", id="no_name_case"),
        pytest.param({"home_store": "999999"}, "home_store", id="unknown_store_case"),
    ],
)
def test_create_shows_errors_next_to_fields_and_saves_nothing(
    client, store_a, sales_a, overrides, field
):
    client.force_login(sales_a)

    response = client.post(CREATE_URL, form_data(store_a, **overrides))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert Customer.objects.count() == 0


def test_create_reports_a_phone_already_registered_on_the_phone_field(client, store_a, sales_a):
    CustomerFactory(home_store=store_a, phone="+8613800138000")
    client.force_login(sales_a)

    response = client.post(CREATE_URL, form_data(store_a))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["phone"]
    assert Customer.objects.count() == 1


def test_create_in_another_store_is_refused(client, store_a, store_b, sales_a):
    client.force_login(sales_a)

    response = client.post(CREATE_URL, form_data(store_b))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["home_store"]
    assert Customer.objects.count() == 0


def test_marketer_may_not_create(client, store_a, marketer_a):
    client.force_login(marketer_a)

    response = client.post(CREATE_URL, form_data(store_a))

    assert response.status_code == 403
    assert Customer.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 1


def test_update_form_shows_current_values_and_saves_changes(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")
    url = reverse("customers:customer-update", args=[customer.pk])
    client.force_login(sales_a)

    page = client.get(url)
    response = client.post(url, form_data(store_a, full_name="Wang Fang-Li"))

    assert page.context["form"].initial["phone"] == "+8613800138000"
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.full_name == "Wang Fang-Li"
    audit = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert audit.changes["full_name"] == ["Wang Fang", "Wang Fang-Li"]


def test_marketer_may_not_update_own_stores_customer(client, store_a, marketer_a):
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang")
    client.force_login(marketer_a)

    response = client.post(
        reverse("customers:customer-update", args=[customer.pk]),
        form_data(store_a, full_name="Changed"),
    )

    customer.refresh_from_db()
    assert response.status_code == 403
    assert customer.full_name == "Wang Fang"


def test_delete_asks_then_deletes(client, store_a, manager_a):
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang")
    url = reverse("customers:customer-delete", args=[customer.pk])
    client.force_login(manager_a)

    page = client.get(url)
    response = client.post(url)

    assert page.status_code == 200
    assert "Wang Fang" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-list")
    assert Customer.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 1


@pytest.mark.parametrize("role", [Role.SALES, Role.SERVICE_AGENT, Role.MARKETER])
def test_only_owner_and_manager_may_delete(client, store_a, make_staff, role):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(make_staff(role=role, stores=[store_a]))

    response = client.post(reverse("customers:customer-delete", args=[customer.pk]))

    assert response.status_code == 403
    assert Customer.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 0
