"""The hub, the report pages (value, lifecycle, lifetime value, rules, cohorts, forecast), the
CSV behind every chart, the refresh, the settings and the customer page's panel."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.analytics.models import AnalyticsSettings
from guanxi.analytics.services import analytics_refresh
from guanxi.analytics.tests.scoping import buy, shop_with_orders
from guanxi.analytics.views.cards import CARDS
from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent, Job
from guanxi.core.permissions import Role
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.orders.choices import OrderSource
from guanxi.orders.services import checkout
from guanxi.orders.services.pricing import member_resolve, quote_build
from guanxi.orders.tests.factories import cash, product, product_line
from guanxi.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(store_a, store_b):
    return shop_with_orders(store_a, store_b)


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(content)))


def chart_options(body: str) -> dict[str, dict]:
    """The ECharts options of a page, by card key."""
    found = re.findall(
        r'<script id="card-([\w-]+)-data" type="application/json">(.*?)</script>', body
    )
    return {key: json.loads(text) for key, text in found}


@pytest.mark.parametrize(
    ("url_name", "cards"),
    [
        pytest.param(
            "analytics:value",
            {"deciles-monetary", "deciles-purchases", "abc", "pyramid", "deal-customers", "icp"},
            id="value_case",
        ),
        pytest.param("analytics:lifecycle", {"lifecycle", "kpi-tree", "kpi-stores"}, id="kpi_case"),
        pytest.param(
            "analytics:clv", {"clv-parameters", "clv-calibration", "clv-p-alive"}, id="clv_case"
        ),
        pytest.param("analytics:rules", {"rules-product", "sequences"}, id="rules_case"),
        pytest.param(
            "analytics:cohorts", {"cohorts-retention", "cohorts-revenue"}, id="cohort_case"
        ),
        pytest.param("analytics:forecast", {"forecast", "forecast-summary"}, id="forecast_case"),
        pytest.param("analytics:segments", {"segments"}, id="segments_case"),
    ],
)
def test_every_card_has_its_table_and_csv(client, shop, owner, url_name, cards):
    client.force_login(owner)
    body = client.get(reverse(url_name)).content.decode()
    for key in cards:
        assert f'data-card="{key}"' in body
        assert f'id="table-{key}"' in body
        assert reverse("analytics:table-csv", args=[key]) in body


def test_deciles_add_up_and_drill_down_to_customers(client, shop, owner):
    client.force_login(owner)
    response = client.get(reverse("analytics:table-csv", args=["deciles-monetary"]))
    rows = csv_rows(response)
    header, data = rows[0], rows[1:]
    assert len(data) == 10
    customers = header.index("Customers")
    revenue = header.index("Revenue")
    assert sum(int(r[customers]) for r in data) == 4
    assert sum(Decimal(r[revenue]) for r in data) == Decimal("5980.00")
    # the top decile holds store B's fan (4,000.00); a click on it lists them
    assert (data[0][customers], data[0][revenue]) == ("1", "4000.00")
    body = client.get(reverse("analytics:value")).content.decode()
    links = chart_options(body)["deciles-monetary"]["links"]
    top = client.get(links[0]).content.decode()
    assert shop.fan_b.full_name in top
    assert shop.fan_a.full_name not in top


def test_pyramid_levels_add_up_to_the_customers(client, shop, owner):
    client.force_login(owner)
    rows = csv_rows(client.get(reverse("analytics:table-csv", args=["pyramid"])))
    assert sum(int(r[1]) for r in rows[1:]) == 4


def test_table_csv_is_audited_and_scoped(client, shop, make_staff):
    manager = make_staff(role=Role.STORE_MANAGER, stores=[shop.store_a])
    client.force_login(manager)
    rows = csv_rows(client.get(reverse("analytics:table-csv", args=["segments"])))
    assert sum(int(r[1]) for r in rows[1:]) == 3
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, actor=manager)
    assert event.changes == {"table": "segments", "rows": 8, "format": "csv"}


def test_unknown_table_is_not_found(client, owner):
    client.force_login(owner)
    assert client.get(reverse("analytics:table-csv", args=["nothing"])).status_code == 404


def test_business_wide_tables_are_withheld_from_a_single_store(client, shop, make_staff):
    # the ideal customer profile covers every store: a store manager of one store does not see it
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[shop.store_a]))
    rows = csv_rows(client.get(reverse("analytics:table-csv", args=["icp"])))
    assert rows[1:] == []
    body = client.get(reverse("analytics:value")).content.decode()
    assert "This table covers the whole business" in body


def test_lifecycle_tree_adds_up_for_the_last_month(client, shop, owner):
    client.force_login(owner)
    body = client.get(reverse("analytics:lifecycle"), {"store": shop.store_b.pk}).content.decode()
    assert 'data-measure="sales"' in body
    rows = csv_rows(
        client.get(
            reverse("analytics:table-csv", args=["lifecycle"]),
            {"store": shop.store_b.pk, "period": "month"},
        )
    )
    header, data = rows[0], rows[1:]
    sales = [Decimal(r[header.index("Sales")]) for r in data]
    new = [Decimal(r[header.index("New-customer sales")]) for r in data]
    repeat = [Decimal(r[header.index("Repeat sales")]) for r in data]
    walk_in = [Decimal(r[header.index("Walk-in sales")]) for r in data]
    assert sum(sales) == Decimal("4000.00")
    assert all(s == n + r + w for s, n, r, w in zip(sales, new, repeat, walk_in, strict=True))
    assert sum(new) == Decimal("500.00")


def test_forecast_shows_each_series_with_its_error(client, store_a, store_b, owner):
    shop_with_orders(store_a, store_b, forecasts=True)
    client.force_login(owner)
    body = client.get(reverse("analytics:forecast")).content.decode()
    assert "Backtest error (MAPE)" in body
    options = chart_options(body)
    assert [s["name"] for s in options["forecast"]["series"]] == [
        "Actual",
        "Forecast",
        "Low",
        "High",
    ]
    summary = csv_rows(client.get(reverse("analytics:table-csv", args=["forecast-summary"])))
    series = [row[0] for row in summary[1:]]
    assert {"All stores", "Store A", "Store B"} <= set(series)


def test_store_manager_forecasts_are_their_stores_only(client, store_a, store_b, make_staff):
    shop_with_orders(store_a, store_b, forecasts=True)
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[store_a]))
    summary = csv_rows(client.get(reverse("analytics:table-csv", args=["forecast-summary"])))
    assert [row[0] for row in summary[1:]] == ["Store A"]


def test_hub_shows_the_last_refresh_and_starts_one(
    client, shop, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    body = client.get(reverse("analytics:hub")).content.decode()
    assert 'id="analytics-last-refresh"' in body
    assert "4 customers, 17 orders" in body
    assert 'id="analytics-refresh-button"' in body
    with (
        mock.patch("guanxi.analytics.tasks.analytics_refresh_job_run") as task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("analytics:refresh"), HTTP_HX_REQUEST="true")
    job = Job.objects.get(kind="analytics.refresh")
    assert response.status_code == 200
    assert f'id="job-{job.pk}"' in response.content.decode()
    task.assert_called_once_with(job.pk)  # the background refresh, queued on commit
    # while it runs, the hub shows its progress
    assert f'id="job-{job.pk}"' in client.get(reverse("analytics:hub")).content.decode()


def test_store_manager_may_not_start_a_refresh(client, shop, make_staff):
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[shop.store_a]))
    body = client.get(reverse("analytics:hub")).content.decode()
    assert 'id="analytics-refresh-button"' not in body
    assert client.post(reverse("analytics:refresh")).status_code == 403
    assert not Job.objects.filter(kind="analytics.refresh").exists()


def test_owner_changes_the_thresholds(client, owner, db):
    client.force_login(owner)
    form = client.get(reverse("analytics:settings"))
    assert form.status_code == 200
    data = {
        "rfm_bins": 4,
        "recency_active_days": 30,
        "recency_silent_days": 60,
        "recency_sleeping_days": 180,
        "frequency_second_time_from": 2,
        "frequency_returning_from": 3,
        "frequency_fan_from": 6,
        "clv_horizon_months": 12,
        "clv_annual_discount_rate": "0.1",
        "sequence_window_days": 60,
        "sequence_min_customers": 5,
        "basket_min_support": "0.001",
        "basket_min_confidence": "0.05",
        "abc_a_share": "0.8",
        "abc_b_share": "0.95",
        "pyramid_inactive_days": 365,
        "deal_discount_share": "0.2",
        "deal_margin_ratio": "0.2",
        "nightly_refresh": "on",
    }
    response = client.post(reverse("analytics:settings"), data)
    assert response.status_code == 302
    saved = AnalyticsSettings.objects.get()
    assert (saved.rfm_bins, saved.recency_active_days, saved.frequency_fan_from) == (4, 30, 6)
    assert (saved.sequence_window_days, saved.nightly_refresh) == (60, True)


def test_a_bad_threshold_is_refused_and_nothing_changes(client, owner, db):
    client.force_login(owner)
    response = client.post(reverse("analytics:settings"), {"rfm_bins": 50})
    assert response.status_code == 400
    assert AnalyticsSettings.objects.filter(rfm_bins=50).count() == 0


def test_marketer_may_not_change_the_settings(client, store_a, make_staff):
    client.force_login(make_staff(role=Role.MARKETER, stores=[store_a]))
    assert client.get(reverse("analytics:settings")).status_code == 403


def test_customer_page_shows_segment_cell_and_live_totals(client, shop, make_staff):
    # given the newcomer bought again today, after the refresh
    seller = UserFactory(role=Role.SALES, stores=[shop.store_a])
    buy(shop.newcomer_a, shop.store_a, seller, days_ago=0, price="40.00")
    client.force_login(make_staff(role=Role.SALES, stores=[shop.store_a]))
    # when the sales person opens her page
    body = client.get(reverse("customers:customer-detail", args=[shop.newcomer_a.pk])).content
    body = body.decode()
    # then the panel shows her cell and segment from the refresh, and live totals
    assert 'id="analytics-panel"' in body
    assert re.search(r'id="analytics-cell">(<a [^>]*>)?Active · New', body)
    assert re.search(r'id="analytics-orders">2<', body)
    assert 'id="analytics-total-spend">CN¥120.00<' in body
    assert "Welcome them and invite a second visit within the month." in body


def test_customer_page_panel_before_any_refresh(client, store_a, make_staff):
    from guanxi.customers.tests.factories import CustomerFactory

    customer = CustomerFactory(home_store=store_a)
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[store_a]))
    body = client.get(reverse("customers:customer-detail", args=[customer.pk])).content.decode()
    assert 'id="analytics-not-analysed"' in body


def test_every_registered_card_builds_without_a_run(owner, db):
    from guanxi.analytics.views.cards import PageContext

    context = PageContext(user=owner, run=None)
    for key, build in CARDS.items():
        built = build(context)
        assert built.key == key
        assert built.table.columns


def sell_together(store, seller, customer, items, *, days_ago: int) -> None:
    """One basket of several products, paid in cash, as at the till."""
    at = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - datetime.timedelta(
        days=days_ago
    )
    lines = [product_line(item) for item in items]
    quote = quote_build(
        store=store,
        lines=lines,
        member=member_resolve(customer=customer, card=None),
        coupon_code="",
        at=at,
        source=OrderSource.TILL,
    )
    checkout(
        store=store,
        actor=seller,
        lines=lines,
        payments=[cash(str(quote.total))],
        customer=customer,
        ordered_at=at,
    )


def test_rules_page_names_the_products_bought_together(client, store_a, owner):
    # given six customers who each bought a serum and a mask together, and a cream alone
    seller = UserFactory(role=Role.SALES, stores=[store_a])
    serum = product("120.00", name_en="Rose serum")
    mask = product("60.00", name_en="Silk mask")
    cream = product("80.00", name_en="Night cream")
    for i in range(6):
        customer = CustomerFactory(home_store=store_a)
        sell_together(store_a, seller, customer, [serum, mask], days_ago=40 + i)
        sell_together(store_a, seller, customer, [cream], days_ago=10 + i)
    analytics_refresh(actor=None, forecasts=False)
    client.force_login(owner)
    # when the owner exports the product rules
    rows = csv_rows(client.get(reverse("analytics:table-csv", args=["rules-product"])))
    # then the rules name the products, with their support and confidence
    pairs = {(r[0], r[1]): r for r in rows[1:]}
    assert ("Rose serum", "Silk mask") in pairs
    assert pairs[("Rose serum", "Silk mask")][2:5] == ["6", "0.5", "1.0"]
    body = client.get(reverse("analytics:rules")).content.decode()
    assert "Rose serum" in body
    sequences = csv_rows(client.get(reverse("analytics:table-csv", args=["sequences"])))
    assert any(r[1] == "Rose serum" and r[2] == "Night cream" for r in sequences[1:])
    # and a new customer who buys the serum today is offered the mask and, next, the cream
    newcomer = CustomerFactory(home_store=store_a)
    sell_together(store_a, seller, newcomer, [serum], days_ago=0)
    page = client.get(reverse("customers:customer-detail", args=[newcomer.pk])).content.decode()
    together = page[page.index('id="analytics-together"') :]
    assert "Silk mask" in together[: together.index("</ul>")]
    following = page[page.index('id="analytics-likely-next"') :]
    assert "Night cream" in following[: following.index("</ul>")]
