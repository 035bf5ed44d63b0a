import pytest
from django.http import Http404

from guanxi.core.permissions import Role
from guanxi.staff.selectors import (
    staff_get,
    staff_list,
    store_get,
    store_list,
    store_staff_list,
)
from guanxi.staff.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(make_staff, store_a, store_b):
    """Two stores with their people; Zhou works in both."""
    return {
        "manager_a": make_staff(
            role=Role.STORE_MANAGER, stores=[store_a], username="manager_a", full_name="Chen Jie"
        ),
        "sales_a": make_staff(
            role=Role.SALES,
            stores=[store_a],
            username="sales_a",
            full_name="Li Na",
            phone="13800000001",
        ),
        "sales_b": make_staff(
            role=Role.SALES, stores=[store_b], username="sales_b", full_name="Wang Fang"
        ),
        "both": make_staff(
            role=Role.SERVICE_AGENT, stores=[store_a, store_b], username="zhou", full_name="Zhou"
        ),
        "gone_a": make_staff(
            role=Role.SALES,
            stores=[store_a],
            username="gone_a",
            full_name="Gone",
            is_active=False,
        ),
    }


def names(staff):
    return [member.username for member in staff]


def test_owner_sees_all_staff(owner, team):
    assert names(staff_list(user=owner)) == [
        "manager_a",
        "gone_a",
        "sales_a",
        "owner",
        "sales_b",
        "zhou",
    ]


def test_store_manager_sees_only_the_staff_of_their_stores(team):
    assert names(staff_list(user=team["manager_a"])) == [
        "manager_a",
        "gone_a",
        "sales_a",
        "zhou",
    ]


def test_colleagues_show_only_the_stores_the_viewer_may_see(team, store_a, store_b, owner):
    [zhou] = staff_list(user=team["manager_a"], search="zhou")
    assert list(zhou.stores.all()) == [store_a]

    [zhou] = staff_list(user=owner, search="zhou")
    assert list(zhou.stores.all()) == [store_a, store_b]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({"role": Role.SALES}, ["gone_a", "sales_a", "sales_b"], id="role_case"),
        pytest.param({"is_active": True, "role": Role.SALES}, ["sales_a", "sales_b"], id="active"),
        pytest.param({"is_active": False}, ["gone_a"], id="inactive_case"),
        pytest.param({"search": "LI N"}, ["sales_a"], id="name_case"),
        pytest.param({"search": "manager_"}, ["manager_a"], id="username_case"),
        pytest.param({"search": "0000001"}, ["sales_a"], id="phone_case"),
    ],
)
def test_staff_list_filters(owner, team, filters, expected):
    assert names(staff_list(user=owner, **filters)) == expected


def test_staff_list_filters_by_store(owner, team, store_b):
    assert names(staff_list(user=owner, store=store_b)) == ["sales_b", "zhou"]
    assert names(staff_list(user=owner, store=store_b.pk)) == ["sales_b", "zhou"]


def test_staff_list_store_filter_stays_within_scope(team, store_b):
    assert names(staff_list(user=team["manager_a"], store=store_b)) == ["zhou"]


def test_staff_get_of_another_store_is_not_found(team):
    assert staff_get(user=team["manager_a"], pk=team["sales_a"].pk) == team["sales_a"]
    with pytest.raises(Http404):
        staff_get(user=team["manager_a"], pk=team["sales_b"].pk)


def test_store_get_of_another_store_is_not_found(team, store_a, store_b):
    assert store_get(user=team["sales_a"], pk=store_a.pk) == store_a
    with pytest.raises(Http404):
        store_get(user=team["sales_a"], pk=store_b.pk)


def test_store_list_search_and_staff_count(owner, team, store_a):
    StoreFactory(name="Pudong", code="pd01", address="1 Century Avenue")

    [found] = store_list(user=owner, search="century")
    assert found.code == "pd01"
    counts = {s.code: s.active_staff_count for s in store_list(user=owner, with_staff_count=True)}
    assert counts == {"pd01": 0, "a01": 3, "b01": 2}


def test_store_staff_list_is_empty_for_roles_that_may_not_view_staff(team, store_a):
    assert names(store_staff_list(user=team["sales_a"], store=store_a)) == []
    assert names(store_staff_list(user=team["manager_a"], store=store_a)) == [
        "manager_a",
        "gone_a",
        "sales_a",
        "zhou",
    ]
