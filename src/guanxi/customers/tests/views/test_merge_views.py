import datetime

import pytest
from django.urls import reverse

from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def merge_url(customer, other=None):
    url = reverse("customers:customer-merge", args=[customer.pk])
    return f"{url}?other={other.pk}" if other is not None else url


def state():
    return sorted(Customer.objects.values_list("pk", "email", "city")), AuditEvent.objects.count()


def test_the_pick_step_offers_likely_duplicates_and_searches(client, manager_a, store_a):
    kept = CustomerFactory(
        home_store=store_a, full_name="陈小明", birthday=datetime.date(1990, 1, 1)
    )
    twin = CustomerFactory(
        home_store=store_a, full_name="陳小明", birthday=datetime.date(1990, 1, 1)
    )
    other = CustomerFactory(home_store=store_a, full_name="Zhang Wei", phone="+8613912345678")
    client.force_login(manager_a)

    page = client.get(merge_url(kept))
    search = client.get(merge_url(kept), {"q": "5678"}, HTTP_HX_REQUEST="true")

    assert page.status_code == 200
    assert page.context["candidates"] == [twin]
    assert merge_url(kept, twin) in page.content.decode()
    assert search.context["results"] == [other]
    assert "<html" not in search.content.decode()
    assert merge_url(kept, other) in search.content.decode()


def test_the_comparison_offers_a_choice_for_each_differing_field(client, manager_a, store_a):
    kept = CustomerFactory(home_store=store_a, full_name="Li Wei", email="", city="上海")
    other = CustomerFactory(
        home_store=store_a, full_name="Li Wei", email="li@example.com", city="北京"
    )
    client.force_login(manager_a)

    response = client.get(merge_url(kept, other))

    rows = response.context["rows"]
    body = response.content.decode()
    assert [(r.name, r.target, r.source, r.field.value()) for r in rows] == [
        ("phone", kept.phone, other.phone, "target"),
        ("email", "—", "li@example.com", "source"),
        ("city", "上海", "北京", "target"),
    ]
    assert 'name="choice_city" id="id_choice_city_source" value="source"' in body


def test_confirming_merges_and_goes_to_the_kept_customer(client, manager_a, store_a):
    kept = CustomerFactory(home_store=store_a, city="上海")
    other = CustomerFactory(home_store=store_a, city="北京", email="o@example.com")
    client.force_login(manager_a)

    response = client.post(
        merge_url(kept),
        {
            "other": other.pk,
            "choice_phone": "target",
            "choice_email": "source",
            "choice_city": "source",
            "confirm": "on",
        },
    )

    kept.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-detail", args=[kept.pk])
    assert (kept.city, kept.email) == ("北京", "o@example.com")
    assert not Customer.objects.filter(pk=other.pk).exists()


def test_without_confirmation_nothing_changes(client, manager_a, store_a):
    kept = CustomerFactory(home_store=store_a)
    other = CustomerFactory(home_store=store_a, city="北京")
    client.force_login(manager_a)
    before = state()

    response = client.post(merge_url(kept), {"other": other.pk, "choice_city": "source"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["confirm"]
    assert state() == before


@pytest.mark.parametrize("role", [Role.SALES, Role.SERVICE_AGENT, Role.MARKETER])
def test_roles_without_the_capability_are_forbidden(client, make_staff, store_a, role):
    kept = CustomerFactory(home_store=store_a)
    other = CustomerFactory(home_store=store_a)
    client.force_login(make_staff(role=role, stores=[store_a]))
    before = state()

    get = client.get(merge_url(kept, other))
    post = client.post(merge_url(kept), {"other": other.pk, "confirm": "on"})

    assert (get.status_code, post.status_code) == (403, 403)
    assert state()[0] == before[0]


def test_the_other_customer_of_another_store_is_not_found(client, manager_a, store_a, store_b):
    kept = CustomerFactory(home_store=store_a)
    other = CustomerFactory(home_store=store_b)
    client.force_login(manager_a)
    before = state()

    get = client.get(merge_url(kept, other))
    post = client.post(merge_url(kept), {"other": other.pk, "confirm": "on"})

    assert (get.status_code, post.status_code) == (404, 404)
    assert state() == before


def test_a_customer_is_not_merged_into_itself(client, manager_a, store_a):
    kept = CustomerFactory(home_store=store_a)
    client.force_login(manager_a)
    before = state()

    response = client.post(merge_url(kept), {"other": kept.pk, "confirm": "on"})

    assert response.status_code == 404
    assert state() == before
