import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.core.timeline import timeline_event_add
from guanxi.customers.profile_panels import (
    PROFILE_PANELS,
    profile_panel_register,
    profile_panel_unregister,
)
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory, TagFactory


@pytest.fixture
def no_panels(monkeypatch):
    """The page without the panels other parts of the domain register."""
    monkeypatch.setattr("guanxi.customers.profile_panels.PROFILE_PANELS", {})


def detail(client, customer, **params):
    return client.get(reverse("customers:customer-detail", kwargs={"pk": customer.pk}), params)


def test_profile_shows_completeness_and_what_is_missing(client, store_a, sales_a, no_panels):
    customer = CustomerFactory(home_store=store_a, email="wang@example.com", completeness=7)
    client.force_login(sales_a)

    body = detail(client, customer).content.decode()

    assert 'aria-valuenow="7"' in body
    assert 'data-field="birthday"' in body
    assert 'data-field="email"' not in body


def test_household_tags_and_consent_are_shown(client, store_a, sales_a, no_panels):
    household = HouseholdFactory(store=store_a, name="Wang family")
    vip = TagFactory(name="VIP")
    TagFactory(name="Sensitive skin")
    customer = CustomerFactory(
        home_store=store_a, household=household, tags=[vip], consent_sms=True
    )
    client.force_login(sales_a)

    response = detail(client, customer)
    body = response.content.decode()

    assert "Wang family" in body
    assert f'data-tag="{vip.pk}"' in body
    assert [t.name for t in response.context["available_tags"]] == ["Sensitive skin"]
    assert 'id="consent-panel"' in body  # the consent slot, filled by the consent views


def test_marketer_sees_tags_but_no_tag_form(client, store_a, marketer_a, no_panels):
    TagFactory(name="VIP")
    customer = CustomerFactory(home_store=store_a)
    client.force_login(marketer_a)

    response = detail(client, customer)

    assert response.context["available_tags"] == []
    assert "customer-tag-add" not in response.content.decode()


def test_timeline_filters_by_domain_and_loads_more(
    client, store_a, sales_a, no_panels, monkeypatch
):
    monkeypatch.setattr("guanxi.customers.selectors.profile.TIMELINE_PAGE_SIZE", 2)
    customer = CustomerFactory(home_store=store_a)
    start = timezone.now() - datetime.timedelta(days=10)
    for n in range(3):
        timeline_event_add(
            customer_id=customer.pk,
            domain="orders",
            kind="bought",
            title=f"Order {n}",
            occurred_at=start + datetime.timedelta(days=n),
        )
    timeline_event_add(
        customer_id=customer.pk, domain="service", kind="call", title="Call", occurred_at=start
    )
    client.force_login(sales_a)
    url = reverse("customers:customer-timeline", kwargs={"pk": customer.pk})

    page = detail(client, customer)
    orders = client.get(url, {"domain": "orders"}, HTTP_HX_REQUEST="true")
    more = client.get(url, {"domain": "orders", "page": 2}, HTTP_HX_REQUEST="true")
    plain = client.get(url, {"page": 2})

    assert [e.title for e in page.context["timeline"].events] == ["Order 2", "Order 1"]
    assert page.context["timeline_domains"] == ["orders", "service"]
    assert 'data-domain="service"' in page.content.decode()
    assert [e.title for e in orders.context["timeline"].events] == ["Order 2", "Order 1"]
    assert 'id="timeline-more"' in orders.content.decode()
    assert [e.title for e in more.context["timeline"].events] == ["Order 0"]
    assert "<ol" not in more.content.decode()  # appended to the list already on the page
    assert 'id="timeline-more"' not in more.content.decode()
    assert plain.status_code == 200
    assert "<html" in plain.content.decode()


def test_registered_panels_are_rendered_in_order_and_none_hides_one(
    client, store_a, sales_a, no_panels
):
    customer = CustomerFactory(home_store=store_a)
    profile_panel_register(
        "test.second", "customers/partials/_form_field.html", lambda r, c: None, order=2
    )
    profile_panel_register(
        "test.first",
        "customers/partials/_customer_tags.html",
        lambda request, c: {"customer_tags": [], "can_change": False},
        order=1,
    )
    client.force_login(sales_a)

    body = detail(client, customer).content.decode()
    profile_panel_unregister("test.first")
    profile_panel_unregister("test.second")

    assert 'data-panel="test.first"' in body
    assert 'data-panel="test.second"' not in body
    assert PROFILE_PANELS == {} or "test.first" not in PROFILE_PANELS


def test_no_panel_registered_shows_no_placeholder(client, store_a, sales_a, no_panels):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    body = detail(client, customer).content.decode()

    assert "data-panel=" not in body
