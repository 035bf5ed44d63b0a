import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.core.choices import JobStatus
from guanxi.core.models import Job
from guanxi.core.permissions import Role
from guanxi.customers.models import CompletenessWeight, Customer
from guanxi.customers.services.completeness import DEFAULT_WEIGHTS
from guanxi.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

WEIGHTS_URL = reverse("customers:completeness-weights")
QUALITY_URL = reverse("customers:data-quality")
DUPLICATES_URL = reverse("customers:duplicate-list")


def weights_data(**overrides):
    return {**DEFAULT_WEIGHTS, **overrides}


def test_the_weights_page_shows_each_field_by_its_name(client, owner):
    client.force_login(owner)

    response = client.get(WEIGHTS_URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["form"].fields) == list(DEFAULT_WEIGHTS)
    assert ">Responsible staff member</label>" in body
    assert 'name="birthday" value="3"' in body


def test_saving_weights_recalculates_in_the_background(
    client, owner, store_a, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(home_store=store_a, gender="female", completeness=0)
    client.force_login(owner)
    zero = dict.fromkeys(DEFAULT_WEIGHTS, 0)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(WEIGHTS_URL, {**zero, "gender": 2, "email": 2})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job-detail", kwargs={"pk": job.pk})
    assert job.status == JobStatus.SUCCEEDED
    assert dict(CompletenessWeight.objects.values_list("field", "weight"))["gender"] == 2
    assert Customer.objects.get(pk=customer.pk).completeness == 50


def test_weights_that_count_nothing_are_refused(client, owner):
    client.force_login(owner)

    response = client.post(WEIGHTS_URL, dict.fromkeys(DEFAULT_WEIGHTS, 0))

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "At least one field must count (a weight above 0)."
    ]
    assert CompletenessWeight.objects.count() == 0
    assert Job.objects.count() == 0


def test_only_the_owner_sets_weights(client, manager_a):
    client.force_login(manager_a)

    get = client.get(WEIGHTS_URL)
    post = client.post(WEIGHTS_URL, weights_data(gender=5))

    assert (get.status_code, post.status_code) == (403, 403)
    assert CompletenessWeight.objects.count() == 0


def test_the_data_quality_page_shows_the_numbers(client, manager_a, store_a, sales_a):
    CustomerFactory(
        home_store=store_a, responsible_staff=sales_a, completeness=30, full_name="Zhao Lei"
    )
    CustomerFactory(home_store=store_a, responsible_staff=sales_a, completeness=45)
    client.force_login(manager_a)

    response = client.get(QUALITY_URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert '<td>Store A</td><td class="text-end">2</td><td class="text-end">37.5%</td>' in body
    assert '<td>Li Na</td><td class="text-end">2</td><td class="text-end">37.5%</td>' in body
    assert [b.customers for b in response.context["bands"]][3:5] == [1, 1]
    assert [r.customer.full_name for r in response.context["fill_in"]][0] == "Zhao Lei"
    assert (
        reverse("customers:customer-update", args=[response.context["fill_in"][0].customer.pk])
        in body
    )
    assert response.context["store_chart"] == {
        "labels": ["Store A"],
        "values": [37.5],
        "series": "Average completeness",
        "max": 100,
    }
    assert "vendor/echarts/echarts.min.js" in body


def test_the_data_quality_partial_for_htmx(client, owner, store_a):
    client.force_login(owner)

    response = client.get(QUALITY_URL, {"store": store_a.pk}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="fill-in-list"' in body


@pytest.mark.parametrize("role", [Role.SALES, Role.SERVICE_AGENT, Role.MARKETER])
def test_the_quality_pages_are_for_owners_and_store_managers(client, make_staff, store_a, role):
    client.force_login(make_staff(role=role, stores=[store_a]))

    assert client.get(QUALITY_URL).status_code == 403
    assert client.get(DUPLICATES_URL).status_code == 403


def test_the_quality_page_costs_the_same_queries_for_more_customers(
    client, owner, store_a, sales_a
):
    client.force_login(owner)
    CustomerFactory(home_store=store_a, responsible_staff=sales_a, completeness=10)
    client.get(QUALITY_URL)  # the session's first request does its own bookkeeping
    with CaptureQueriesContext(connection) as few:
        client.get(QUALITY_URL)
    for _ in range(5):
        CustomerFactory(home_store=store_a, responsible_staff=sales_a, completeness=10)

    with CaptureQueriesContext(connection) as many:
        client.get(QUALITY_URL)

    assert len(many) == len(few)


def test_the_duplicates_page_lists_groups_with_a_merge_link(client, manager_a, store_a):
    birthday = datetime.date(1979, 12, 1)
    first = CustomerFactory(home_store=store_a, full_name="黃美玲", birthday=birthday)
    second = CustomerFactory(home_store=store_a, full_name="黄美玲", birthday=birthday)
    client.force_login(manager_a)

    response = client.get(DUPLICATES_URL)
    partial = client.get(DUPLICATES_URL, HTTP_HX_REQUEST="true")

    merge_url = reverse("customers:customer-merge", args=[first.pk]) + f"?other={second.pk}"
    assert response.status_code == 200
    assert [[c.pk for c in g.customers] for g in response.context["groups"]] == [
        [first.pk, second.pk]
    ]
    assert merge_url in response.content.decode()
    assert "<html" not in partial.content.decode()
    assert merge_url in partial.content.decode()
