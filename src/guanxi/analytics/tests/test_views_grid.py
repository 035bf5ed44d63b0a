"""The R×F grid, segments and the customers of a cell: figures computed by the engine from
orders made at the till, scoped to the user's stores."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.analytics.models import AnalyticsRun, Audience, CustomerMetrics, GridCellAction
from guanxi.analytics.selectors_pages import grid_groups, segment_groups
from guanxi.analytics.tests.scoping import shop_with_orders
from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(store_a, store_b):
    return shop_with_orders(store_a, store_b)


def cell_of(customer) -> str:
    return CustomerMetrics.objects.get(customer=customer).cell


def test_grid_cells_add_up_to_the_runs_totals_for_the_owner(shop, owner):
    # given the engine's run over every store
    run = AnalyticsRun.objects.get()
    # when the owner's grid and segments are grouped from the customer metrics
    cells = grid_groups(user=owner)
    segments = segment_groups(user=owner)
    # then there are 16 cells, and cells and segments add up to the run's own tables
    assert len(cells) == 16
    assert sum(c.customers for c in cells) == sum(c["customers"] for c in run.results["grid"])
    assert sum(c.customers for c in cells) == 4
    assert sum(c.revenue for c in cells) == Decimal("5980.00")
    assert {c.key: c.customers for c in cells} == {
        f"{c['recency_band']}_{c['frequency_band']}": c["customers"] for c in run.results["grid"]
    }
    assert sum(s.customers for s in segments) == 4
    assert sum(s.revenue for s in segments) == Decimal("5980.00")
    assert round(sum(c.customer_share for c in cells), 9) == 1


def test_store_manager_sees_only_the_cells_of_their_store(shop, make_staff):
    manager = make_staff(role=Role.STORE_MANAGER, stores=[shop.store_a])
    cells = grid_groups(user=manager)
    assert sum(c.customers for c in cells) == 3
    assert sum(c.revenue for c in cells) == Decimal("1980.00")


def test_grid_page_shows_the_sixteen_cells_with_links_to_their_customers(client, shop, owner):
    client.force_login(owner)
    response = client.get(reverse("analytics:grid"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-cell="') == 16
    newcomer_cell = cell_of(shop.newcomer_a)
    assert newcomer_cell == "active_new"
    recency, frequency = newcomer_cell.split("_", 1)
    assert f"recency_band={recency}&amp;frequency_band={frequency}" in body
    # the owner may edit the actions; the default action is shown
    assert reverse("analytics:grid-action-update", args=["active_new"]) in body
    assert "Welcome them and invite a second visit within the month." in body


def test_clicking_a_cell_lists_its_customers_in_the_users_stores_only(client, shop, make_staff):
    # given a store manager of store A and the cell of the two fans (A and B)
    manager = make_staff(role=Role.STORE_MANAGER, stores=[shop.store_a])
    fan_cell = cell_of(shop.fan_a)
    assert cell_of(shop.fan_b) == fan_cell
    recency, frequency = fan_cell.split("_", 1)
    client.force_login(manager)
    # when they click the cell (htmx)
    response = client.get(
        reverse("analytics:customer-list"),
        {"recency_band": recency, "frequency_band": frequency},
        HTTP_HX_REQUEST="true",
    )
    # then the partial lists store A's fan only
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert shop.fan_a.full_name in body
    assert shop.fan_b.full_name not in body
    assert re.findall(r'data-customer="(\d+)"', body) == [str(shop.fan_a.pk)]


def test_owner_sees_both_stores_fans_in_the_cell(client, shop, owner):
    client.force_login(owner)
    recency, frequency = cell_of(shop.fan_a).split("_", 1)
    response = client.get(
        reverse("analytics:customer-list"), {"recency_band": recency, "frequency_band": frequency}
    )
    body = response.content.decode()
    # the bigger spender first
    assert re.findall(r'data-customer="(\d+)"', body) == [str(shop.fan_b.pk), str(shop.fan_a.pk)]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        pytest.param(Role.OWNER, 200, id="owner_case"),
        pytest.param(Role.STORE_MANAGER, 200, id="store_manager_case"),
        pytest.param(Role.MARKETER, 200, id="marketer_case"),
        pytest.param(Role.SALES, 403, id="sales_case"),
        pytest.param(Role.SERVICE_AGENT, 403, id="service_agent_case"),
    ],
)
@pytest.mark.parametrize(
    "url_name",
    [
        "analytics:hub",
        "analytics:grid",
        "analytics:segments",
        "analytics:value",
        "analytics:lifecycle",
        "analytics:clv",
        "analytics:rules",
        "analytics:cohorts",
        "analytics:forecast",
        "analytics:customer-list",
        "analytics:audience-list",
    ],
)
def test_pages_are_for_owners_store_managers_and_marketers(
    client, store_a, make_staff, role, status, url_name
):
    # (before any refresh: the pages say so instead of failing)
    client.force_login(make_staff(role=role, stores=[store_a]))
    response = client.get(reverse(url_name))
    assert response.status_code == status


def test_csv_export_of_a_cell_is_scoped_and_audited(client, shop, make_staff):
    manager = make_staff(role=Role.STORE_MANAGER, stores=[shop.store_a])
    client.force_login(manager)
    recency, frequency = cell_of(shop.fan_a).split("_", 1)
    response = client.get(
        reverse("analytics:customer-export"),
        {"recency_band": recency, "frequency_band": frequency},
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8")
    lines = content.lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(f"{shop.fan_a.pk},{shop.fan_a.full_name},")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, actor=manager)
    assert event.changes["definition"] == {"recency_band": recency, "frequency_band": frequency}
    assert event.changes["rows"] == 1


def test_save_a_cell_as_an_audience(client, shop, make_staff):
    marketer = make_staff(role=Role.MARKETER, stores=[shop.store_a, shop.store_b])
    client.force_login(marketer)
    recency, frequency = cell_of(shop.fan_a).split("_", 1)
    query = f"recency_band={recency}&frequency_band={frequency}"
    response = client.post(
        reverse("analytics:audience-list") + "?" + query,
        {"name": "Fans to thank", "description": "Festival gift"},
    )
    audience = Audience.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("analytics:audience-detail", args=[audience.pk])
    assert audience.customers == 2
    assert set(audience.members.values_list("customer_id", flat=True)) == {
        shop.fan_a.pk,
        shop.fan_b.pk,
    }
    assert audience.definition == {"recency_band": recency, "frequency_band": frequency}
    detail = client.get(response["Location"]).content.decode()
    assert shop.fan_a.full_name in detail
    assert shop.fan_b.full_name in detail


def test_sales_cannot_save_an_audience(client, shop, make_staff):
    client.force_login(make_staff(role=Role.SALES, stores=[shop.store_a]))
    response = client.post(reverse("analytics:audience-list"), {"name": "Mine"})
    assert response.status_code == 403
    assert Audience.objects.count() == 0


def test_owner_edits_a_cells_recommended_action(client, shop, owner):
    client.force_login(owner)
    url = reverse("analytics:grid-action-update", args=["sleeping_fan"])
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    assert "Win them back now" in form.content.decode()
    response = client.post(
        url,
        {"action_en": "Call them today.", "action_zh_hans": "今天打电话。", "action_zh_hant": ""},
    )
    assert response.status_code == 302
    saved = GridCellAction.objects.get(recency_band="sleeping", frequency_band="fan")
    assert (saved.action_en, saved.action_zh_hans) == ("Call them today.", "今天打电话。")
    assert "Call them today." in client.get(reverse("analytics:grid")).content.decode()


def test_store_manager_cannot_edit_an_action(client, shop, make_staff):
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[shop.store_a]))
    url = reverse("analytics:grid-action-update", args=["sleeping_fan"])
    response = client.post(url, {"action_en": "Mine"})
    assert response.status_code == 403
    assert GridCellAction.objects.count() == 0


def test_unknown_cell_is_not_found(client, owner, db):
    client.force_login(owner)
    response = client.get(reverse("analytics:grid-action-update", args=["sleeping_forever"]))
    assert response.status_code == 404


def test_another_stores_filter_lists_nobody(client, shop, make_staff):
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[shop.store_a]))
    response = client.get(reverse("analytics:customer-list"), {"store": shop.store_b.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-customer="' not in body
    assert shop.fan_b.full_name not in body


def test_customer_list_queries_do_not_grow_with_its_rows(client, shop, owner):
    client.force_login(owner)
    url = reverse("analytics:customer-list")
    client.get(url)  # the session and the organisation are read once
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"frequency_band": "new"}, HTTP_HX_REQUEST="true")  # the newcomer
    with CaptureQueriesContext(connection) as three:
        client.get(url, {"recency_band": "active"}, HTTP_HX_REQUEST="true")  # three customers
    assert len(one.captured_queries) == len(three.captured_queries)


def test_dashboard_shows_the_grid_to_the_owner_only(client, shop, owner, make_staff):
    client.force_login(owner)
    body = client.get(reverse("core:home")).content.decode()
    assert 'id="panel-analytics"' in body
    assert 'id="analytics-panel-grid"' in body
    client.force_login(make_staff(role=Role.SALES, stores=[shop.store_a]))
    assert 'id="panel-analytics"' not in client.get(reverse("core:home")).content.decode()
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[shop.store_a]))
    body = client.get(reverse("core:home")).content.decode()
    # a store manager of one store gets the link to their own grid, not the whole business's
    assert 'id="panel-analytics"' in body
    assert 'id="analytics-panel-grid"' not in body
