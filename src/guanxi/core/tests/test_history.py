import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.services import model_create, model_update
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def history_url(customer):
    return reverse(
        "core:object-history", kwargs={"object_type": "customers.customer", "pk": customer.pk}
    )


@pytest.fixture
def customer(store_a, owner):
    return model_create(
        instance=Customer(
            full_name="李梅", phone="+8613800138000", home_store=store_a, gender="female"
        ),
        actor=owner,
    )


def test_owner_reads_changes_field_by_field(client, owner, customer, store_b, customer_history):
    model_update(instance=customer, data={"full_name": "李美", "home_store": store_b}, actor=owner)
    client.force_login(owner)

    response = client.get(history_url(customer), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "core/partials/_history.html"
    entries = response.context["entries"]
    assert [e.event.action for e in entries] == [AuditAction.UPDATE, AuditAction.CREATE]
    update = {c.label: (c.old, c.new) for c in entries[0].changes}
    assert update == {"Full name": ("李梅", "李美"), "Home store": ("Store A", "Store B")}
    created = {c.label: c.new for c in entries[1].changes}
    assert created["Gender"] == "Female"
    assert created["Phone"] == "+8613800138000"
    assert "Email" not in created  # empty fields of a new object are left out
    html = response.content.decode()
    assert "<html" not in html
    assert "Home store" in html
    assert (
        '<td class="text-break">Store A</td><td aria-hidden="true">→</td>'
        '<td class="text-break">Store B</td>'
    ) in html


def test_full_page_without_htmx(client, owner, customer, customer_history):
    client.force_login(owner)

    response = client.get(history_url(customer))

    assert response.status_code == 200
    assert "core/object_history.html" in [t.name for t in response.templates]
    assert "History of 李梅" in response.content.decode()


def test_time_is_local_and_ip_is_shown(client, owner, customer, customer_history, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    at = datetime.datetime(2025, 1, 2, 0, 30, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=at):
        audit_record(
            action=AuditAction.VIEW_SENSITIVE,
            actor=owner,
            obj=customer,
            ip_address="203.0.113.7",
            message="Opened health notes.",
        )
    client.force_login(owner)

    html = client.get(history_url(customer), headers={"HX-Request": "true"}).content.decode()

    assert "2025-01-02 08:30" in html
    assert "from 203.0.113.7" in html
    assert "Opened health notes." in html


def test_manager_of_the_store_sees_history(client, manager_a, customer, customer_history):
    client.force_login(manager_a)

    response = client.get(history_url(customer), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert len(response.context["entries"]) == 1


def test_manager_of_another_store_gets_not_found(client, manager_b, customer, customer_history):
    client.force_login(manager_b)

    response = client.get(history_url(customer))

    assert response.status_code == 404
    assert "李梅" not in response.content.decode()


def test_sales_may_not_read_history(client, make_staff, store_a, customer, customer_history):
    sales = make_staff(stores=[store_a])
    client.force_login(sales)

    response = client.get(history_url(customer))

    assert response.status_code == 403
    denial = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert denial.actor == sales
    assert "李梅" not in response.content.decode()


@pytest.mark.parametrize(
    ("object_type", "pk"),
    [
        pytest.param("customers.unknown", "1", id="unknown_type_case"),
        pytest.param("customers.customer", "not-a-number", id="malformed_pk_case"),
        pytest.param("customers.customer", "999999", id="missing_object_case"),
    ],
)
def test_unknown_object_is_not_found(client, owner, customer_history, object_type, pk):
    client.force_login(owner)

    url = reverse("core:object-history", kwargs={"object_type": object_type, "pk": pk})

    assert client.get(url).status_code == 404


def test_type_without_history_source_is_not_found(client, owner, store_a, monkeypatch):
    from guanxi.core.registry import HISTORY_SOURCES

    monkeypatch.delitem(HISTORY_SOURCES, "customers.customer", raising=False)
    customer = CustomerFactory(home_store=store_a)
    client.force_login(owner)

    assert client.get(history_url(customer)).status_code == 404


def test_history_pages_hold_25_entries(client, owner, customer, customer_history):
    for n in range(25):
        audit_record(action=AuditAction.VIEW_SENSITIVE, actor=owner, obj=customer, message=f"{n}")
    client.force_login(owner)

    first = client.get(history_url(customer), headers={"HX-Request": "true"})
    second = client.get(history_url(customer) + "?page=2", headers={"HX-Request": "true"})

    assert len(first.context["entries"]) == 25
    assert [e.event.action for e in second.context["entries"]] == [AuditAction.CREATE]


def test_history_query_count_does_not_grow_with_entries(
    client, owner, customer, store_b, customer_history
):
    client.force_login(owner)
    model_update(instance=customer, data={"home_store": store_b}, actor=owner)
    client.get(history_url(customer), headers={"HX-Request": "true"})  # first-request setup
    with CaptureQueriesContext(connection) as few:
        client.get(history_url(customer), headers={"HX-Request": "true"})
    for n in range(10):
        model_update(instance=customer, data={"email": f"li{n}@example.com"}, actor=owner)

    with CaptureQueriesContext(connection) as many:
        response = client.get(history_url(customer), headers={"HX-Request": "true"})

    assert len(response.context["entries"]) == 12
    assert len(many) == len(few)
