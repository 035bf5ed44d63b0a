"""The analytics API: the grid, segments, a group's customers, one customer's figures and
audiences, with the pages' permissions and store scoping."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.analytics.models import Audience, CustomerMetrics
from guanxi.analytics.tests.scoping import shop_with_orders
from guanxi.core.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(store_a, store_b):
    return shop_with_orders(store_a, store_b)


def test_grid_has_sixteen_cells_that_add_up(client, shop, owner):
    client.force_login(owner)
    response = client.get(reverse("api-analytics-grid"))
    assert response.status_code == 200
    cells = response.json()["cells"]
    assert len(cells) == 16
    assert [c["cell"] for c in cells[:4]] == [
        "active_new",
        "active_second_time",
        "active_returning",
        "active_fan",
    ]
    assert sum(c["customers"] for c in cells) == 4
    assert sum(float(c["revenue"]) for c in cells) == 5980.0
    newcomer = next(c for c in cells if c["cell"] == "active_new")
    assert (newcomer["customers"], newcomer["revenue"]) == (1, "80.00")
    assert newcomer["action"] == "Welcome them and invite a second visit within the month."


def test_grid_of_a_store_manager_counts_their_store_only(client, shop, make_staff):
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[shop.store_a]))
    cells = client.get(reverse("api-analytics-grid")).json()["cells"]
    assert sum(c["customers"] for c in cells) == 3
    # and another store's id is refused, not silently ignored
    response = client.get(reverse("api-analytics-grid"), {"store": shop.store_b.pk})
    assert response.status_code == 400


def test_segments_add_up(client, shop, owner):
    client.force_login(owner)
    body = client.get(reverse("api-analytics-segments"), {"store": shop.store_b.pk}).json()
    assert len(body["segments"]) == 8
    assert sum(s["customers"] for s in body["segments"]) == 1
    assert sum(float(s["revenue"]) for s in body["segments"]) == 4000.0


def test_customers_of_a_cell_are_scoped(client, shop, make_staff):
    metrics = CustomerMetrics.objects.get(customer=shop.fan_a)
    params = {"recency_band": metrics.recency_band, "frequency_band": metrics.frequency_band}
    client.force_login(make_staff(role=Role.MARKETER, stores=[shop.store_a]))
    body = client.get(reverse("api-analytics-customer-list"), params).json()
    assert [row["id"] for row in body["results"]] == [shop.fan_a.pk]
    assert body["results"][0]["metrics"]["purchases"] == 6
    assert body["results"][0]["metrics"]["total_spend"] == "1800.00"


def test_customers_filter_is_validated(client, shop, owner):
    client.force_login(owner)
    response = client.get(reverse("api-analytics-customer-list"), {"segment": "royalty"})
    assert response.status_code == 400
    assert "segment" in response.json()["error"]["fields"]


def test_one_customers_figures_with_live_totals(client, shop, make_staff):
    client.force_login(make_staff(role=Role.SALES, stores=[shop.store_a]))
    response = client.get(reverse("api-analytics-customer-figures", args=[shop.newcomer_a.pk]))
    assert response.status_code == 200
    body = response.json()
    assert body["metrics"]["cell"] == "active_new"
    assert body["totals"]["purchases"] == 1
    assert body["totals"]["total_spend"] == "80.00"


def test_another_stores_customer_is_not_found(client, shop, make_staff):
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[shop.store_a]))
    response = client.get(reverse("api-analytics-customer-figures", args=[shop.fan_b.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url_name",
    [
        "api-analytics-grid",
        "api-analytics-segments",
        "api-analytics-customer-list",
        "api-analytics-audience-list",
    ],
)
def test_sales_staff_may_not_read_the_analysis(client, store_a, make_staff, url_name):
    client.force_login(make_staff(role=Role.SALES, stores=[store_a]))
    assert client.get(reverse(url_name)).status_code == 403


def test_save_an_audience_and_read_it_back(client, shop, make_staff):
    marketer = make_staff(role=Role.MARKETER, stores=[shop.store_a])
    client.force_login(marketer)
    response = client.post(
        reverse("api-analytics-audience-list"),
        {"name": "Newcomers", "definition": {"recency_band": "active", "frequency_band": "new"}},
        content_type="application/json",
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["name"], created["customers"]) == ("Newcomers", 1)
    detail = client.get(reverse("api-analytics-audience-detail", args=[created["id"]])).json()
    assert detail["members"] == [shop.newcomer_a.pk]
    listed = client.get(reverse("api-analytics-audience-list")).json()
    assert [a["id"] for a in listed["results"]] == [created["id"]]


def test_sales_cannot_save_an_audience(client, shop, make_staff):
    client.force_login(make_staff(role=Role.SALES, stores=[shop.store_a]))
    response = client.post(
        reverse("api-analytics-audience-list"),
        {"name": "Mine", "definition": {"segment": "loyal"}},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Audience.objects.count() == 0


def test_the_schema_documents_the_analytics_api(client, owner, db):
    client.force_login(owner)
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/analytics/grid/",
        "/api/v1/analytics/segments/",
        "/api/v1/analytics/customers/",
        "/api/v1/analytics/customers/{id}/",
        "/api/v1/analytics/audiences/",
        "/api/v1/analytics/audiences/{id}/",
    } <= set(paths)


def test_customer_list_api_queries_do_not_grow_with_its_rows(client, shop, owner):
    client.force_login(owner)
    url = reverse("api-analytics-customer-list")
    client.get(url)  # the session and the organisation are read once
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url, {"frequency_band": "new"}).json()["results"]) == 1
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(url, {"recency_band": "active"}).json()["results"]) == 3
    assert len(one.captured_queries) == len(three.captured_queries)
