import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = reverse("core:audit-log")


def at(day, hour=12):
    return mock.patch(
        "django.utils.timezone.now",
        return_value=datetime.datetime(2025, 3, day, hour, tzinfo=datetime.UTC),
    )


@pytest.fixture
def events(owner, manager_a, store_a, store_b):
    with at(1):
        audit_record(
            action=AuditAction.UPDATE,
            actor=owner,
            object_type="staff.store",
            object_pk=str(store_a.pk),
            object_repr="Store A",
            store_id=store_a.pk,
        )
    with at(2):
        audit_record(action=AuditAction.LOGIN_FAILED, message="username=manager_a")
    with at(3):
        audit_record(
            action=AuditAction.EXPORT,
            actor=manager_a,
            object_type="customers.customer",
            object_repr="Customers of Store B",
            store_id=store_b.pk,
            message="customers.csv",
        )


def shown(response):
    """The actions of the rows shown, without the sign-in of the test client itself."""
    return [
        row["event"].action
        for row in response.context["rows"]
        if row["event"].action != AuditAction.LOGIN
    ]


def test_owner_sees_every_row_newest_first(client, owner, events):
    client.force_login(owner)

    response = client.get(URL)

    assert response.status_code == 200
    assert "core/audit_log.html" in [t.name for t in response.templates]
    assert shown(response) == [AuditAction.EXPORT, AuditAction.LOGIN_FAILED, AuditAction.UPDATE]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"q": "customers.csv"}, [AuditAction.EXPORT], id="search_message_case"),
        pytest.param({"q": "store a"}, [AuditAction.UPDATE], id="search_object_case"),
        pytest.param(
            {"q": "manager_a"},
            [AuditAction.EXPORT, AuditAction.LOGIN_FAILED],
            id="search_actor_case",
        ),
        pytest.param({"action": "login_failed"}, [AuditAction.LOGIN_FAILED], id="action_case"),
        pytest.param({"object_type": "staff.store"}, [AuditAction.UPDATE], id="object_type_case"),
        pytest.param(
            {"date_from": "2025-03-02", "date_to": "2025-03-02"},
            [AuditAction.LOGIN_FAILED],
            id="dates_case",
        ),
        pytest.param(
            {"date_from": "2025-03-02"},
            [AuditAction.EXPORT, AuditAction.LOGIN_FAILED],
            id="date_from_case",
        ),
    ],
)
def test_filters(client, owner, events, params, expected):
    client.force_login(owner)

    response = client.get(URL, params, headers={"HX-Request": "true"})

    assert [t.name for t in response.templates][0] == "core/partials/_audit_rows.html"
    assert shown(response) == expected


def test_filter_by_actor_and_store(client, owner, manager_a, store_a, store_b, events):
    client.force_login(owner)

    by_actor = client.get(URL, {"actor": manager_a.pk})
    by_store = client.get(URL, {"store": store_b.pk})

    assert shown(by_actor) == [AuditAction.EXPORT]
    assert shown(by_store) == [AuditAction.EXPORT]
    assert by_store.context["rows"][0]["store"] == "Store B"


def test_dates_are_local_days(client, owner, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    with mock.patch(
        "django.utils.timezone.now",
        return_value=datetime.datetime(2025, 3, 1, 20, tzinfo=datetime.UTC),  # 2 March in China
    ):
        audit_record(action=AuditAction.LOGOUT, actor=owner)
    client.force_login(owner)

    on_first = client.get(URL, {"date_from": "2025-03-01", "date_to": "2025-03-01"})
    on_second = client.get(URL, {"date_from": "2025-03-02", "date_to": "2025-03-02"})

    assert shown(on_first) == []
    assert shown(on_second) == [AuditAction.LOGOUT]


def test_denials_are_marked(client, owner, events):
    audit_record(action=AuditAction.PERMISSION_DENIED, message="GET /audit/")
    audit_record(action=AuditAction.LOCKED_OUT, message="username=x")
    client.force_login(owner)

    response = client.get(URL)

    marked = {row["event"].action for row in response.context["rows"] if row["is_denial"]}
    assert marked == {
        AuditAction.PERMISSION_DENIED,
        AuditAction.LOCKED_OUT,
        AuditAction.LOGIN_FAILED,
    }
    assert response.content.decode().count('data-denial="true"') == 3


def test_invalid_filter_is_shown_next_to_the_field(client, owner, events):
    client.force_login(owner)

    response = client.get(URL, {"date_from": "not a date"})

    assert response.status_code == 200
    assert "date_from" in response.context["filter_form"].errors
    assert "invalid-feedback" in response.content.decode()


def test_rows_are_paginated_by_50(client, owner):
    for n in range(51):
        audit_record(action=AuditAction.LOGOUT, actor=owner, message=f"row {n}")
    client.force_login(owner)

    first = client.get(URL, {"action": "logout"}, headers={"HX-Request": "true"})
    second = client.get(URL, {"action": "logout", "page": 2}, headers={"HX-Request": "true"})

    assert len(first.context["rows"]) == 50
    assert [r["event"].message for r in second.context["rows"]] == ["row 0"]
    assert "action=logout&amp;page=2" in first.content.decode()


def test_query_count_does_not_grow_with_rows(client, owner, store_a):
    client.force_login(owner)
    audit_record(action=AuditAction.LOGIN, actor=owner, store_id=store_a.pk)
    client.get(URL)  # first-request setup
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _n in range(30):
        audit_record(action=AuditAction.LOGIN, actor=owner, store_id=store_a.pk)

    with CaptureQueriesContext(connection) as many:
        client.get(URL)

    assert len(many) == len(few)


@pytest.mark.parametrize("role", ["store_manager", "sales", "service_agent", "marketer"])
def test_only_owners_read_the_log(client, make_staff, store_a, events, role):
    staff = make_staff(role=role, stores=[store_a])
    client.force_login(staff)
    before = AuditEvent.objects.count()

    response = client.get(URL)

    assert response.status_code == 403
    assert AuditEvent.objects.count() == before + 1  # only the denial itself
    assert AuditEvent.objects.latest("pk").action == AuditAction.PERMISSION_DENIED


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))


def test_nav_item_is_last_and_for_owners_only(client, owner, manager_a):
    client.force_login(owner)
    owner_page = client.get(reverse("core:home")).content.decode()
    client.force_login(manager_a)
    manager_page = client.get(reverse("core:home")).content.decode()

    assert 'data-nav="audit"' in owner_page
    assert owner_page.rindex("data-nav=") == owner_page.index('data-nav="audit"')
    assert 'data-nav="audit"' not in manager_page
