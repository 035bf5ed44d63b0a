import pytest
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory, TagFactory

LIST = reverse("api-customer-list")


def detail(customer):
    return reverse("api-customer-detail", args=[customer.pk])


def test_list_is_scoped_paginated_and_shaped(client, store_a, store_b, sales_a):
    # given
    wang = CustomerFactory(
        home_store=store_a, full_name="Wang Fang", phone="+8613800138000", responsible_staff=sales_a
    )
    CustomerFactory(home_store=store_b, full_name="Zhao Lei")
    client.force_login(sales_a)

    # when
    response = client.get(LIST)

    # then
    data = response.json()
    assert response.status_code == 200
    assert data["count"] == 1
    assert data["next"] is None
    assert data["results"] == [
        {
            "id": wang.pk,
            "full_name": "Wang Fang",
            "phone": "+8613800138000",
            "gender": "female",
            "birthday": None,
            "email": "",
            "province": "",
            "city": "",
            "district": "",
            "street": "",
            "preferred_channel": "",
            "occupation": "",
            "income_band": "",
            "hobbies": "",
            "source": "store",
            "referrer": None,
            "home_store": store_a.pk,
            "home_store_name": "Store A",
            "responsible_staff": sales_a.pk,
            "responsible_staff_name": "Li Na",
            "household": None,
            "tags": [],
            "external_id": None,
            "completeness": 0,
            "consent_sms": False,
            "consent_email": False,
            "consent_wechat": False,
            "consent_phone": False,
            "consent_mail": False,
            "consent_sensitive": False,
            "erased_at": None,
            "created_at": data["results"][0]["created_at"],
            "updated_at": data["results"][0]["updated_at"],
        }
    ]


def test_list_filters_and_searches(client, store_a, owner):
    CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")
    CustomerFactory(home_store=store_a, full_name="Li Lei", phone="+8613900139000")
    client.force_login(owner)

    by_digits = client.get(LIST, {"search": "9000"}).json()
    by_store = client.get(LIST, {"store": store_a.pk, "page_size": 1}).json()

    assert [c["full_name"] for c in by_digits["results"]] == ["Li Lei"]
    assert by_store["count"] == 2
    assert len(by_store["results"]) == 1
    assert by_store["next"] is not None


def test_list_refuses_bad_filters_in_the_one_error_shape(client, owner):
    client.force_login(owner)

    response = client.get(LIST, {"birthday_month": "13"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == ["birthday_month"]


def test_list_query_count_does_not_grow_with_rows(
    client, store_a, sales_a, django_assert_num_queries
):
    tags = [TagFactory(name="VIP"), TagFactory(name="Referral")]
    CustomerFactory.create_batch(2, home_store=store_a, responsible_staff=sales_a, tags=tags)
    client.force_login(sales_a)
    # session, user, user's stores (scope), count, page, the page's tags, session save in a
    # savepoint (3)
    with django_assert_num_queries(9):
        client.get(LIST)

    CustomerFactory.create_batch(20, home_store=store_a, responsible_staff=sales_a, tags=tags)

    with django_assert_num_queries(9):
        response = client.get(LIST)
    assert response.json()["count"] == 22


def test_create_normalises_audits_and_returns_201(client, store_a, sales_a):
    client.force_login(sales_a)

    response = client.post(
        LIST,
        {"full_name": "Wang Fang", "phone": "0086 138 0013 8000", "home_store": store_a.pk},
        content_type="application/json",
    )

    customer = Customer.objects.get()
    assert response.status_code == 201
    assert response.json()["id"] == customer.pk
    assert response.json()["phone"] == "+8613800138000"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 1
    assert TimelineEvent.objects.filter(customer_id=customer.pk, kind="created").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"phone": "12"}, "phone", id="bad_phone_case"),
        pytest.param({"home_store": 999999}, "home_store", id="unknown_store_case"),
        pytest.param({"full_name": ""}, "full_name", id="blank_name_case"),
    ],
)
def test_create_refuses_invalid_input(client, store_a, sales_a, payload, field):
    client.force_login(sales_a)
    body = {"full_name": "Wang Fang", "phone": "13800138000", "home_store": store_a.pk, **payload}

    response = client.post(LIST, body, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert Customer.objects.count() == 0


def test_create_in_another_store_is_as_if_the_store_did_not_exist(
    client, store_a, store_b, sales_a
):
    client.force_login(sales_a)

    response = client.post(
        LIST,
        {"full_name": "Wang Fang", "phone": "13800138000", "home_store": store_b.pk},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["home_store"]
    assert Customer.objects.count() == 0


def test_create_reports_duplicate_phone_on_the_field(client, store_a, sales_a):
    CustomerFactory(home_store=store_a, phone="+8613800138000")
    client.force_login(sales_a)

    response = client.post(
        LIST,
        {"full_name": "Wang Fang", "phone": "13800138000", "home_store": store_a.pk},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["phone"]
    assert Customer.objects.count() == 1


def test_marketer_may_not_create(client, store_a, marketer_a):
    client.force_login(marketer_a)

    response = client.post(
        LIST,
        {"full_name": "Wang Fang", "phone": "13800138000", "home_store": store_a.pk},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Customer.objects.count() == 0


def test_retrieve(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang")
    client.force_login(sales_a)

    response = client.get(detail(customer))

    assert response.status_code == 200
    assert response.json()["full_name"] == "Wang Fang"


def test_patch_changes_only_given_fields(client, store_a, sales_a):
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")
    client.force_login(sales_a)

    response = client.patch(
        detail(customer), {"email": "wang@example.com"}, content_type="application/json"
    )

    customer.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["email"] == "wang@example.com"
    assert (customer.full_name, customer.phone, customer.email) == (
        "Wang Fang",
        "+8613800138000",
        "wang@example.com",
    )
    audit = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert audit.changes == {"email": ["", "wang@example.com"]}


def test_marketer_may_not_patch_own_stores_customer(client, store_a, marketer_a):
    customer = CustomerFactory(home_store=store_a, full_name="Wang Fang")
    client.force_login(marketer_a)

    response = client.patch(
        detail(customer), {"full_name": "Changed"}, content_type="application/json"
    )

    customer.refresh_from_db()
    assert response.status_code == 403
    assert customer.full_name == "Wang Fang"


def test_delete_by_manager(client, store_a, manager_a):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(manager_a)

    response = client.delete(detail(customer))

    assert response.status_code == 204
    assert Customer.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 1


@pytest.mark.parametrize("role", [Role.SALES, Role.SERVICE_AGENT, Role.MARKETER])
def test_delete_refused_to_other_roles(client, store_a, make_staff, role):
    customer = CustomerFactory(home_store=store_a)
    client.force_login(make_staff(role=role, stores=[store_a]))

    response = client.delete(detail(customer))

    assert response.status_code == 403
    assert Customer.objects.count() == 1


def test_another_stores_customer_is_not_found_in_the_one_error_shape(
    client, store_a, store_b, manager_a
):
    customer = CustomerFactory(home_store=store_b)
    client.force_login(manager_a)

    response = client.delete(detail(customer))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Customer.objects.count() == 1


def test_anonymous_is_refused(client, store_a):
    response = client.get(LIST)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
