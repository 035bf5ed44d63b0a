"""The member-events API: list, registrations, idempotent registration."""

import json

import pytest
from django.urls import reverse

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.loyalty.models import TierLevel
from guanxi.marketing.models import EventRegistration
from guanxi.marketing.services import event_register
from guanxi.marketing.tests.factories import MemberEventFactory

pytestmark = pytest.mark.django_db


def _post(client, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def url(event):
    return reverse("api-marketing-event-registrations", kwargs={"pk": event.pk})


def test_list_gives_the_users_events_with_places_left(client, sales_a, store_a, store_b):
    # given an event of A with one registrant, one of B
    event = MemberEventFactory(store=store_a, title="A workshop", capacity=3)
    MemberEventFactory(store=store_b, title="B workshop")
    event_register(event=event, customer=CustomerFactory(home_store=store_a), actor=sales_a)
    client.force_login(sales_a)

    body = client.get(reverse("api-marketing-event-list")).json()

    assert body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["title"], row["store"]) == (event.pk, "A workshop", store_a.pk)
    assert (row["capacity"], row["registered"], row["places_left"]) == (3, 1, 2)


def test_registration_by_id_then_again_by_phone(client, sales_a, store_a, url, event):
    customer = CustomerFactory(home_store=store_a, phone="+8613912345678")
    client.force_login(sales_a)

    first = _post(client, url, {"customer": customer.pk})
    again = _post(client, url, {"phone": "139 1234 5678"})

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert (first.json()["customer"], first.json()["channel"], first.json()["status"]) == (
        customer.pk,
        "api",
        "registered",
    )
    assert EventRegistration.objects.count() == 1


def test_a_retry_with_the_same_key_gives_the_first_response_and_writes_nothing(
    client, sales_a, store_a, url
):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)

    first = _post(client, url, {"customer": customer.pk}, key="reg-1")
    retry = _post(client, url, {"customer": customer.pk}, key="reg-1")
    other = _post(client, url, {"customer": customer.pk + 1000}, key="reg-1")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert other.status_code == 422
    assert EventRegistration.objects.count() == 1


def test_refusals_have_the_api_error_shape(client, sales_a, store_a):
    event = MemberEventFactory(store=store_a, minimum_tier=TierLevel.objects.get(rank=2))
    customer = CustomerFactory(home_store=store_a)
    client.force_login(sales_a)
    url = reverse("api-marketing-event-registrations", kwargs={"pk": event.pk})

    refused = _post(client, url, {"customer": customer.pk})
    unknown = _post(client, url, {"customer": customer.pk + 1000})
    both = _post(client, url, {"customer": customer.pk, "phone": "13912345678"})

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "not_eligible"
    assert refused.json()["error"]["reasons"] == [
        "Needs the tier VIP or higher; the customer has no member card."
    ]
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"] == {"customer": ["No such customer."]}
    assert both.json()["error"]["fields"] == {
        "customer": ["Give the customer's id or phone, one of the two."]
    }
    assert EventRegistration.objects.count() == 0


def test_another_stores_customer_is_no_such_customer(client, sales_a, store_b, url):
    customer = CustomerFactory(home_store=store_b)
    client.force_login(sales_a)

    response = _post(client, url, {"customer": customer.pk})

    assert response.status_code == 400
    assert EventRegistration.objects.count() == 0


def test_registrations_list_shows_only_the_users_customers(
    client, owner, sales_a, store_a, store_b
):
    # given an event of every store with a registrant of A and one of B
    event = MemberEventFactory(store=None)
    mine = CustomerFactory(home_store=store_a)
    event_register(event=event, customer=mine, actor=owner)
    event_register(event=event, customer=CustomerFactory(home_store=store_b), actor=owner)
    client.force_login(sales_a)

    body = client.get(reverse("api-marketing-event-registrations", kwargs={"pk": event.pk})).json()

    assert [row["customer"] for row in body["results"]] == [mine.pk]
