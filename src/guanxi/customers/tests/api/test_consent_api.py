import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.customers.models import ConsentEvent, Customer
from guanxi.customers.services.consent import consent_record
from guanxi.customers.tests.factories import CustomerFactory


def consent_url(customer):
    return reverse("api-customer-consent", args=[customer.pk])


def opt_out_url(customer):
    return reverse("api-customer-opt-out", args=[customer.pk])


def test_get_gives_each_purpose_and_the_history(client, store_a, sales_a):
    # given an SMS grant recorded in the store last week, then withdrawn by phone
    customer = CustomerFactory(home_store=store_a)
    week_ago = timezone.now() - datetime.timedelta(days=7)
    consent_record(
        customer=customer, purpose="sms", granted=True, source="store", actor=sales_a, at=week_ago
    )
    withdrawal = consent_record(
        customer=customer, purpose="sms", granted=False, source="phone", actor=sales_a
    )
    consent_record(customer=customer, purpose="email", granted=True, source="form", actor=sales_a)
    client.force_login(sales_a)

    # when
    response = client.get(consent_url(customer))

    # then
    data = response.json()
    assert response.status_code == 200
    states = {s["purpose"]: s["granted"] for s in data["states"]}
    assert states == {
        "sms": False,
        "email": True,
        "wechat": False,
        "phone": False,
        "mail": False,
        "sensitive": False,
    }
    sms = next(s for s in data["states"] if s["purpose"] == "sms")
    assert sms["last_event"]["id"] == withdrawal.pk
    assert sms["last_event"]["source"] == "phone"
    assert sms["last_event"]["recorded_by"] == sales_a.pk
    assert sms["last_event"]["recorded_by_name"] == "Li Na"
    assert data["history_count"] == 3
    assert [(e["purpose"], e["granted"]) for e in data["history"]] == [
        ("email", True),
        ("sms", False),
        ("sms", True),
    ]


def test_post_records_a_grant_with_source_and_staff(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    response = client.post(
        consent_url(customer),
        {"purpose": "wechat", "granted": True, "note": "Scanned the QR code"},
        content_type="application/json",
    )

    customer.refresh_from_db()
    event = ConsentEvent.objects.get()
    assert response.status_code == 201
    assert customer.consent_wechat is True
    assert (event.source, event.recorded_by, event.note) == ("api", sales_a, "Scanned the QR code")
    wechat = next(s for s in response.json()["states"] if s["purpose"] == "wechat")
    assert wechat["granted"] is True


def test_post_records_the_sensitive_data_consent(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    response = client.post(
        consent_url(customer),
        {"purpose": "sensitive", "granted": True, "source": "form"},
        content_type="application/json",
    )

    customer.refresh_from_db()
    assert response.status_code == 201
    assert customer.consent_sensitive is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"purpose": "fax", "granted": True}, "purpose", id="unknown_purpose_case"),
        pytest.param({"purpose": "sms"}, "granted", id="missing_granted_case"),
        pytest.param(
            {"purpose": "sms", "granted": True, "source": "opt_out_link"},
            "source",
            id="system_source_case",
        ),
        pytest.param(
            {"purpose": "sms", "granted": True, "at": "2999-01-01T00:00:00Z"},
            "at",
            id="future_case",
        ),
    ],
)
def test_post_refuses_invalid_records(client, store_a, sales_a, body, field):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    response = client.post(consent_url(customer), body, content_type="application/json")

    customer.refresh_from_db()
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert ConsentEvent.objects.count() == 0
    assert customer.consent_sms is False


def test_opt_out_of_every_channel_keeps_sensitive_consent(client, store_a, sales_a):
    customer = CustomerFactory(
        home_store=store_a, consent_sms=True, consent_email=True, consent_sensitive=True
    )
    client.force_login(sales_a)

    response = client.post(
        opt_out_url(customer), {"channel": "all"}, content_type="application/json"
    )

    customer.refresh_from_db()
    assert response.status_code == 201
    assert (customer.consent_sms, customer.consent_email, customer.consent_sensitive) == (
        False,
        False,
        True,
    )
    assert ConsentEvent.objects.filter(granted=False, source="api").count() == 5


def test_opt_out_of_one_channel(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, consent_sms=True, consent_email=True)
    client.force_login(sales_a)

    response = client.post(
        opt_out_url(customer), {"channel": "sms"}, content_type="application/json"
    )

    customer.refresh_from_db()
    assert response.status_code == 201
    assert (customer.consent_sms, customer.consent_email) == (False, True)


def test_erased_customer_takes_no_consent(client, store_a, manager_a):
    customer = CustomerFactory(home_store=store_a, erased_at=timezone.now())
    client.force_login(manager_a)

    response = client.post(
        consent_url(customer), {"purpose": "sms", "granted": True}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "customer_erased"
    assert ConsentEvent.objects.count() == 0


def test_marketer_reads_but_may_not_record(client, store_a, marketer_a):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(marketer_a)

    read = client.get(consent_url(customer))
    written = client.post(
        consent_url(customer), {"purpose": "sms", "granted": True}, content_type="application/json"
    )
    opted_out = client.post(
        opt_out_url(customer), {"channel": "all"}, content_type="application/json"
    )

    assert read.status_code == 200
    assert (written.status_code, opted_out.status_code) == (403, 403)
    assert ConsentEvent.objects.count() == 0


def test_another_stores_customer_is_not_found(client, store_b, manager_a):
    customer = CustomerFactory(home_store=store_b)
    client.force_login(manager_a)

    read = client.get(consent_url(customer))
    written = client.post(
        consent_url(customer), {"purpose": "sms", "granted": True}, content_type="application/json"
    )

    assert (read.status_code, written.status_code) == (404, 404)
    assert ConsentEvent.objects.count() == 0
    assert Customer.objects.get().consent_sms is False


def test_get_query_count_does_not_grow_with_history(
    client, store_a, sales_a, django_assert_num_queries
):
    customer = CustomerFactory(home_store=store_a)
    consent_record(customer=customer, purpose="sms", granted=True, source="store", actor=sales_a)
    client.force_login(sales_a)
    # session, user, user's stores, customer, refresh, states, history, count, session save (3)
    with django_assert_num_queries(11):
        client.get(consent_url(customer))

    for purpose in ("email", "wechat", "phone", "mail", "sms", "email"):
        consent_record(
            customer=customer, purpose=purpose, granted=True, source="store", actor=sales_a
        )

    with django_assert_num_queries(11):
        response = client.get(consent_url(customer))
    assert response.json()["history_count"] == 7
