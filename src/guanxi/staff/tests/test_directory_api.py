import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import CAPABILITIES, Role
from guanxi.staff.models import Store, User
from guanxi.staff.tests.factories import StoreFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "plum blossom 2024 tea"
FORBIDDEN = {
    "error": {
        "code": "permission_denied",
        "message": "You do not have permission to perform this action.",
        "fields": {},
    }
}
NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def manager_a(make_staff, store_a):
    return make_staff(
        role=Role.STORE_MANAGER, stores=[store_a], username="manager_a", full_name="Chen Jie"
    )


@pytest.fixture
def sales_a(make_staff, store_a):
    return make_staff(role=Role.SALES, stores=[store_a], username="sales_a", full_name="Li Na")


@pytest.fixture
def sales_b(make_staff, store_b):
    return make_staff(role=Role.SALES, stores=[store_b], username="sales_b", full_name="Wang Fang")


def as_user(api, user):
    api.force_authenticate(user)
    return api


def iso(moment):
    """A time as the API writes it: ISO 8601 in the installation's time zone."""
    return timezone.localtime(moment).isoformat()


def store_json(store):
    return {
        "id": store.pk,
        "name": store.name,
        "code": store.code,
        "address": store.address,
        "phone": store.phone,
        "opening_hours": store.opening_hours,
        "is_active": store.is_active,
        "created_at": iso(store.created_at),
        "updated_at": iso(store.updated_at),
    }


def assert_queries_do_not_grow(api, url, add_rows, django_assert_num_queries):
    api.get(url)  # warm up: the organisation row
    with CaptureQueriesContext(connection) as few:
        assert api.get(url).status_code == 200
    add_rows()
    with django_assert_num_queries(len(few.captured_queries)):
        assert api.get(url).status_code == 200


# --- Stores ---------------------------------------------------------------------------------------


def test_store_list_is_scoped_and_paginated(api, sales_a, store_a, store_b):
    response = as_user(api, sales_a).get(reverse("api-store-list"))

    assert response.status_code == 200
    store_a.refresh_from_db()
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [store_json(store_a)],
    }


def test_store_list_filters(api, owner, store_a, store_b):
    Store.objects.filter(pk=store_b.pk).update(is_active=False)
    as_user(api, owner)

    inactive = api.get(reverse("api-store-list"), {"is_active": "false"}).json()
    searched = api.get(reverse("api-store-list"), {"search": "a01"}).json()

    assert [s["code"] for s in inactive["results"]] == ["b01"]
    assert [s["code"] for s in searched["results"]] == ["a01"]


def test_store_list_refuses_an_invalid_filter(api, owner):
    response = as_user(api, owner).get(reverse("api-store-list"), {"is_active": "perhaps"})

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "The request has invalid fields.",
            "fields": {"is_active": ["Must be a valid boolean."]},
        }
    }


def test_store_list_queries_do_not_grow_with_rows(api, owner, django_assert_num_queries):
    StoreFactory()
    as_user(api, owner)

    assert_queries_do_not_grow(
        api,
        reverse("api-store-list"),
        lambda: [StoreFactory() for _ in range(5)],
        django_assert_num_queries,
    )


def test_store_create(api, owner):
    response = as_user(api, owner).post(
        reverse("api-store-list"),
        {"name": "Jing'an", "code": "sh02", "phone": "+862162223333"},
        format="json",
    )

    store = Store.objects.get(code="sh02")
    assert response.status_code == 201
    assert response.json() == store_json(store)
    assert (store.name, store.address, store.phone) == ("Jing'an", "", "+862162223333")
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="staff.store", object_pk=str(store.pk)
    ).exists()


def test_store_create_with_a_code_in_use(api, owner, store_a):
    response = as_user(api, owner).post(
        reverse("api-store-list"), {"name": "Other", "code": "a01"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "The request has invalid fields.",
            "fields": {"code": ["Store with this Code already exists."]},
        }
    }
    assert Store.objects.count() == 1


def test_store_create_is_forbidden_to_store_managers(api, manager_a):
    before = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()

    response = as_user(api, manager_a).post(
        reverse("api-store-list"), {"name": "Pudong", "code": "sh03"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert not Store.objects.filter(code="sh03").exists()
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == before + 1


def test_store_detail(api, sales_a, store_a):
    response = as_user(api, sales_a).get(reverse("api-store-detail", args=[store_a.pk]))

    assert response.status_code == 200
    assert response.json() == store_json(store_a)


def test_store_detail_of_another_store_is_not_found(api, sales_a, store_b):
    response = as_user(api, sales_a).get(reverse("api-store-detail", args=[store_b.pk]))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_store_patch_updates_and_deactivates(api, owner, store_a):
    response = as_user(api, owner).patch(
        reverse("api-store-detail", args=[store_a.pk]),
        {"opening_hours": "09:00–18:00", "is_active": False},
        format="json",
    )

    store_a.refresh_from_db()
    assert response.status_code == 200
    assert (store_a.opening_hours, store_a.is_active, store_a.name) == (
        "09:00–18:00",
        False,
        "Store A",
    )
    assert response.json() == store_json(store_a)


def test_store_patch_is_forbidden_to_sales(api, sales_a, store_a):
    response = as_user(api, sales_a).patch(
        reverse("api-store-detail", args=[store_a.pk]), {"name": "Mine"}, format="json"
    )

    store_a.refresh_from_db()
    assert response.status_code == 403
    assert store_a.name == "Store A"


# --- Staff ----------------------------------------------------------------------------------------


def test_staff_list_is_scoped(api, manager_a, sales_a, sales_b, store_a):
    response = as_user(api, manager_a).get(reverse("api-staff-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [s["username"] for s in body["results"]] == ["manager_a", "sales_a"]
    assert body["results"][1] == {
        "id": sales_a.pk,
        "username": "sales_a",
        "full_name": "Li Na",
        "email": "sales_a@example.com",
        "phone": "",
        "role": "sales",
        "stores": [{"id": store_a.pk, "name": "Store A", "code": "a01"}],
        "language": "en",
        "is_active": True,
        "last_login": None,
        "date_joined": iso(sales_a.date_joined),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"role": "store_manager"}, ["manager_a"], id="role_case"),
        pytest.param({"search": "wang"}, ["sales_b"], id="search_case"),
        pytest.param({"is_active": "false"}, ["gone"], id="inactive_case"),
    ],
)
def test_staff_list_filters(api, owner, manager_a, sales_a, sales_b, store_a, params, expected):
    UserFactory(username="gone", stores=[store_a], is_active=False)

    response = as_user(api, owner).get(reverse("api-staff-list"), params)

    assert [s["username"] for s in response.json()["results"]] == expected


def test_staff_list_filters_by_store(api, owner, sales_a, sales_b, store_b):
    response = as_user(api, owner).get(reverse("api-staff-list"), {"store": store_b.pk})

    assert [s["username"] for s in response.json()["results"]] == ["sales_b"]


def test_staff_list_is_forbidden_to_sales(api, sales_a):
    response = as_user(api, sales_a).get(reverse("api-staff-list"))

    assert response.status_code == 403
    assert response.json() == FORBIDDEN


def test_staff_list_queries_do_not_grow_with_rows(
    api, owner, store_a, store_b, django_assert_num_queries
):
    UserFactory(stores=[store_a])
    as_user(api, owner)

    assert_queries_do_not_grow(
        api,
        reverse("api-staff-list"),
        lambda: [UserFactory(stores=[store_a, store_b]) for _ in range(5)],
        django_assert_num_queries,
    )


def test_staff_create_with_a_password(api, owner, store_a):
    response = as_user(api, owner).post(
        reverse("api-staff-list"),
        {
            "username": "wang.fang",
            "full_name": "Wang Fang",
            "role": "sales",
            "stores": [store_a.pk],
            "language": "zh-hans",
            "password": STRONG_PASSWORD,
        },
        format="json",
    )

    user = User.objects.get(username="wang.fang")
    body = response.json()
    assert response.status_code == 201
    assert body["id"] == user.pk
    assert body["stores"] == [{"id": store_a.pk, "name": "Store A", "code": "a01"}]
    assert "password" not in body
    assert user.check_password(STRONG_PASSWORD)
    assert user.language == "zh-hans"


def test_staff_create_without_password_emails_a_link(
    api, owner, store_a, django_capture_on_commit_callbacks
):
    as_user(api, owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api-staff-list"),
            {
                "username": "li.na",
                "full_name": "Li Na",
                "email": "li.na@example.com",
                "role": "sales",
                "stores": [store_a.pk],
            },
            format="json",
        )

    assert response.status_code == 201
    assert User.objects.get(username="li.na").has_usable_password() is False
    assert [m.to for m in mail.outbox] == [["li.na@example.com"]]


def test_staff_create_needs_a_store_for_non_owners(api, owner):
    response = as_user(api, owner).post(
        reverse("api-staff-list"),
        {"username": "x", "full_name": "X", "role": "sales", "password": STRONG_PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "stores": ["Choose at least one store: staff other than owners work in a store."]
    }
    assert not User.objects.filter(username="x").exists()


def test_staff_create_is_forbidden_to_store_managers(api, manager_a, store_a):
    response = as_user(api, manager_a).post(
        reverse("api-staff-list"),
        {"username": "x", "full_name": "X", "role": "sales", "stores": [store_a.pk]},
        format="json",
    )

    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_staff_detail_of_another_store_is_not_found(api, manager_a, sales_b):
    response = as_user(api, manager_a).get(reverse("api-staff-detail", args=[sales_b.pk]))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_staff_patch(api, owner, sales_a, store_b):
    response = as_user(api, owner).patch(
        reverse("api-staff-detail", args=[sales_a.pk]),
        {"role": "store_manager", "stores": [store_b.pk]},
        format="json",
    )

    sales_a.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["role"] == "store_manager"
    assert response.json()["stores"] == [{"id": store_b.pk, "name": "Store B", "code": "b01"}]
    assert sales_a.role == Role.STORE_MANAGER
    assert list(sales_a.stores.all()) == [store_b]


def test_staff_patch_cannot_deactivate_yourself(api, owner):
    UserFactory(role=Role.OWNER)

    response = as_user(api, owner).patch(
        reverse("api-staff-detail", args=[owner.pk]), {"is_active": False}, format="json"
    )

    owner.refresh_from_db()
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "self",
            "message": "You cannot deactivate your own account.",
            "fields": {},
        }
    }
    assert owner.is_active is True


def test_staff_patch_is_forbidden_to_store_managers(api, manager_a, sales_a):
    response = as_user(api, manager_a).patch(
        reverse("api-staff-detail", args=[sales_a.pk]), {"is_active": False}, format="json"
    )

    sales_a.refresh_from_db()
    assert response.status_code == 403
    assert sales_a.is_active is True


# --- Another store's object is not found before a missing capability is forbidden -------------


def denied_rows():
    return AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def test_store_patch_by_a_store_manager_is_forbidden_at_home_and_not_found_elsewhere(
    api, manager_a, store_a, store_b
):
    as_user(api, manager_a)
    before = denied_rows()

    home = api.patch(reverse("api-store-detail", args=[store_a.pk]), {"name": "X"}, format="json")
    other = api.patch(reverse("api-store-detail", args=[store_b.pk]), {"name": "X"}, format="json")

    assert (home.status_code, home.json()) == (403, FORBIDDEN)
    assert (other.status_code, other.json()) == (404, NOT_FOUND)
    assert denied_rows() == before + 1
    assert sorted(Store.objects.values_list("name", flat=True)) == ["Store A", "Store B"]


def test_staff_detail_for_sales_is_forbidden_at_home_and_not_found_elsewhere(
    api, sales_a, store_a, sales_b, make_staff
):
    colleague = make_staff(stores=[store_a])
    as_user(api, sales_a)
    before = denied_rows()

    home = api.get(reverse("api-staff-detail", args=[colleague.pk]))
    other = api.get(reverse("api-staff-detail", args=[sales_b.pk]))

    assert (home.status_code, home.json()) == (403, FORBIDDEN)
    assert (other.status_code, other.json()) == (404, NOT_FOUND)
    assert denied_rows() == before + 1


def test_staff_patch_by_a_store_manager_is_forbidden_at_home_and_not_found_elsewhere(
    api, manager_a, sales_a, sales_b
):
    as_user(api, manager_a)
    before = denied_rows()

    home = api.patch(
        reverse("api-staff-detail", args=[sales_a.pk]), {"is_active": False}, format="json"
    )
    other = api.patch(
        reverse("api-staff-detail", args=[sales_b.pk]), {"is_active": False}, format="json"
    )

    assert (home.status_code, home.json()) == (403, FORBIDDEN)
    assert (other.status_code, other.json()) == (404, NOT_FOUND)
    assert denied_rows() == before + 1
    sales_a.refresh_from_db()
    sales_b.refresh_from_db()
    assert (sales_a.is_active, sales_b.is_active) == (True, True)


def test_object_operations_need_authentication(api, store_a):
    response = api.get(reverse("api-store-detail", args=[store_a.pk]))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


# --- The caller -----------------------------------------------------------------------------------


def test_me(api, sales_a, store_a):
    response = as_user(api, sales_a).get(reverse("api-me"))

    assert response.status_code == 200
    assert response.json() == {
        "id": sales_a.pk,
        "username": "sales_a",
        "full_name": "Li Na",
        "email": "sales_a@example.com",
        "role": "sales",
        "all_stores": False,
        "stores": [{"id": store_a.pk, "name": "Store A", "code": "a01"}],
        "language": "en",
        "capabilities": sorted(c for c, roles in CAPABILITIES.items() if "sales" in roles),
    }
    assert {"customers.view", "stores.view"} <= set(response.json()["capabilities"])
    assert "staff.manage" not in response.json()["capabilities"]


def test_me_of_an_owner_has_every_store_and_manage_capabilities(api, owner):
    body = as_user(api, owner).get(reverse("api-me")).json()

    assert body["all_stores"] is True
    assert {"stores.manage", "staff.manage", "organisation.manage"} <= set(body["capabilities"])


def test_me_needs_authentication(api):
    response = api.get(reverse("api-me"))

    assert response.status_code in (401, 403)
    assert set(response.json()) == {"error"}


def test_schema_documents_every_operation(api, owner):
    response = as_user(api, owner).get(reverse("api-schema"), {"format": "json"})

    paths = response.json()["paths"]
    operations = {
        (path, method)
        for path, item in paths.items()
        if path.startswith(("/api/v1/stores/", "/api/v1/staff/", "/api/v1/me/"))
        for method in item
    }
    assert operations == {
        ("/api/v1/stores/", "get"),
        ("/api/v1/stores/", "post"),
        ("/api/v1/stores/{id}/", "get"),
        ("/api/v1/stores/{id}/", "patch"),
        ("/api/v1/staff/", "get"),
        ("/api/v1/staff/", "post"),
        ("/api/v1/staff/{id}/", "get"),
        ("/api/v1/staff/{id}/", "patch"),
        ("/api/v1/me/", "get"),
    }
    parameters = {p["name"] for p in paths["/api/v1/staff/"]["get"]["parameters"]}
    assert {"search", "role", "store", "is_active", "page"} <= parameters
