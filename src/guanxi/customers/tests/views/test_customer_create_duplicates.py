import datetime

import pytest
from django.urls import reverse

from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("customers:customer-create")


def form_data(store, **overrides):
    data = {
        "full_name": "陳小明",
        "phone": "138 0013 8000",
        "birthday": "1990-05-17",
        "home_store": store.pk,
        "source": "store",
    }
    return {**data, **overrides}


def test_a_likely_duplicate_is_shown_and_nothing_is_created(client, store_a, sales_a):
    existing = CustomerFactory(
        home_store=store_a, full_name="陈小明", birthday=datetime.date(1990, 5, 17)
    )
    client.force_login(sales_a)

    response = client.post(CREATE_URL, form_data(store_a))

    body = response.content.decode()
    assert response.status_code == 400
    assert [c.customer for c in response.context["duplicates"]] == [existing]
    assert 'id="duplicate-warning"' in body
    assert reverse("customers:customer-detail", args=[existing.pk]) in body
    assert 'name="confirm_duplicate"' in body
    assert list(Customer.objects.values_list("pk", flat=True)) == [existing.pk]


def test_create_anyway_once_confirmed(client, store_a, sales_a):
    CustomerFactory(home_store=store_a, full_name="陈小明", birthday=datetime.date(1990, 5, 17))
    client.force_login(sales_a)

    response = client.post(CREATE_URL, form_data(store_a, confirm_duplicate="1"))

    created = Customer.objects.get(phone="+8613800138000")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-detail", args=[created.pk])
    assert created.full_name == "陳小明"


def test_without_a_duplicate_no_warning_is_needed(client, store_a, sales_a):
    CustomerFactory(home_store=store_a, full_name="陈小明", birthday=datetime.date(1991, 5, 17))
    client.force_login(sales_a)

    response = client.post(CREATE_URL, form_data(store_a))

    assert response.status_code == 302
    assert Customer.objects.filter(phone="+8613800138000").count() == 1
