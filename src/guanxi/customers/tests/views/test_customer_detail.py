from django.urls import reverse

from guanxi.customers.services import customer_create
from guanxi.customers.tests.factories import CustomerFactory


def test_shows_profile_timeline_and_history_tab(client, store_a, manager_a):
    # given
    customer = customer_create(
        full_name="Wang Fang", phone="13800138000", home_store=store_a, actor=manager_a
    )
    client.force_login(manager_a)

    # when
    response = client.get(reverse("customers:customer-detail", args=[customer.pk]))

    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "Wang Fang" in body
    assert "+8613800138000" in body
    assert 'data-kind="customers.created"' in body
    assert "Became a member at Store A" in body
    history = reverse("core:object-history", args=["customers.customer", customer.pk])
    assert f'hx-get="{history}"' in body
    assert reverse("customers:customer-update", args=[customer.pk]) in body
    assert reverse("customers:customer-delete", args=[customer.pk]) in body


def test_sales_sees_no_history_tab_and_no_delete(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    response = client.get(reverse("customers:customer-detail", args=[customer.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="history-tab"' not in body
    assert reverse("customers:customer-delete", args=[customer.pk]) not in body
    assert reverse("customers:customer-update", args=[customer.pk]) in body


def test_another_stores_customer_is_not_found(client, store_a, store_b, manager_a):
    customer = CustomerFactory(home_store=store_b)
    client.force_login(manager_a)

    response = client.get(reverse("customers:customer-detail", args=[customer.pk]))

    assert response.status_code == 404
