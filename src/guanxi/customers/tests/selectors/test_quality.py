import datetime
from decimal import Decimal

import pytest
from django.db.models import Case, Value, When

from guanxi.core.permissions import Role
from guanxi.customers.selectors.quality import (
    CUSTOMER_VALUE_SOURCES,
    completeness_by_staff,
    completeness_by_store,
    completeness_distribution,
    customer_fill_in_list,
    duplicate_group_list,
    duplicate_groups_load,
    fill_in_rows,
)
from guanxi.customers.tests.factories import CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(store_a, store_b, make_staff):
    """Store A: Li Na's customers score 40 and 61, one unassigned scores 10. Store B: 90."""
    li_na = make_staff(role=Role.SALES, stores=[store_a], full_name="Li Na")
    wang = make_staff(role=Role.SALES, stores=[store_b], full_name="Wang Bo")
    CustomerFactory(home_store=store_a, responsible_staff=li_na, completeness=40)
    CustomerFactory(home_store=store_a, responsible_staff=li_na, completeness=61)
    CustomerFactory(home_store=store_a, completeness=10)
    CustomerFactory(home_store=store_b, responsible_staff=wang, completeness=90)
    return li_na, wang


def test_average_per_store_for_the_owner(scored, owner, store_a, store_b):
    rows = completeness_by_store(user=owner)

    assert [(r.store_name, r.customers, r.average) for r in rows] == [
        ("Store A", 3, Decimal("37.0")),
        ("Store B", 1, Decimal("90.0")),
    ]


def test_a_store_manager_sees_only_their_stores(scored, manager_a):
    rows = completeness_by_store(user=manager_a)

    assert [(r.store_name, r.customers, r.average) for r in rows] == [
        ("Store A", 3, Decimal("37.0"))
    ]


def test_a_store_without_customers_has_no_average(owner, store_a):
    assert [(r.customers, r.average) for r in completeness_by_store(user=owner)] == [(0, None)]


def test_average_per_responsible_staff_member_best_first_nobody_last(scored, owner):
    li_na, wang = scored

    rows = completeness_by_staff(user=owner)

    assert [(r.staff_id, r.staff_name, r.customers, r.average) for r in rows] == [
        (wang.pk, "Wang Bo", 1, Decimal("90.0")),
        (li_na.pk, "Li Na", 2, Decimal("50.5")),
        (None, "", 1, Decimal("10.0")),
    ]


def test_per_staff_scoped_and_filtered_by_store(scored, owner, manager_a, store_b):
    li_na, wang = scored

    assert [r.staff_id for r in completeness_by_staff(user=manager_a)] == [li_na.pk, None]
    assert [r.staff_id for r in completeness_by_staff(user=owner, store_id=store_b.pk)] == [wang.pk]


def test_distribution_counts_each_band_with_its_edges(store_a, owner):
    for score in (0, 9, 10, 19, 55, 89, 90, 100, 100):
        CustomerFactory(home_store=store_a, completeness=score)

    bands = completeness_distribution(user=owner)

    assert [(b.label, b.customers) for b in bands] == [
        ("0–9", 2),
        ("10–19", 2),
        ("20–29", 0),
        ("30–39", 0),
        ("40–49", 0),
        ("50–59", 1),
        ("60–69", 0),
        ("70–79", 0),
        ("80–89", 1),
        ("90–100", 3),
    ]


def test_fill_in_list_least_complete_first_then_newest(store_a, store_b, sales_a, owner):
    older = CustomerFactory(home_store=store_a, responsible_staff=sales_a, completeness=20)
    newer = CustomerFactory(home_store=store_a, responsible_staff=sales_a, completeness=20)
    better = CustomerFactory(home_store=store_a, responsible_staff=sales_a, completeness=50)
    CustomerFactory(home_store=store_a, completeness=0)  # nobody responsible
    CustomerFactory(home_store=store_a, responsible_staff=sales_a, completeness=100)

    customers = customer_fill_in_list(user=owner)

    assert [c.pk for c in customers] == [newer.pk, older.pk, better.pk]


def test_fill_in_list_is_scoped(store_a, store_b, manager_a, make_staff):
    staff_b = make_staff(role=Role.SALES, stores=[store_b])
    CustomerFactory(home_store=store_b, responsible_staff=staff_b, completeness=0)

    assert list(customer_fill_in_list(user=manager_a)) == []


def test_a_registered_value_ranks_equals(store_a, sales_a, owner, monkeypatch):
    # given two equally incomplete customers, the older one worth more to the business
    older = CustomerFactory(home_store=store_a, responsible_staff=sales_a, completeness=20)
    newer = CustomerFactory(home_store=store_a, responsible_staff=sales_a, completeness=20)
    monkeypatch.setitem(
        CUSTOMER_VALUE_SOURCES,
        "orders.spend",
        lambda: Case(When(pk=older.pk, then=Value(500)), default=Value(0)),
    )

    customers = customer_fill_in_list(user=owner)

    assert [c.pk for c in customers] == [older.pk, newer.pk]


def test_fill_in_rows_name_the_missing_fields_most_valuable_first(
    store_a, sales_a, owner, django_assert_num_queries
):
    CustomerFactory(
        home_store=store_a,
        responsible_staff=sales_a,
        gender="female",
        email="a@example.com",
        province="广东",
        city="深圳",
        district="南山",
        street="1 Road",
        occupation="Nurse",
        income_band="lt5k",
        hobbies="Tea",
        tags=[TagFactory(name="VIP")],
        completeness=50,
    )
    weights = {"birthday": 3, "preferred_channel": 2, "household": 1, "tags": 1, "gender": 1}

    with django_assert_num_queries(1):
        rows = fill_in_rows(customer_fill_in_list(user=owner), weights)

    assert [(r.missing, r.missing_labels) for r in rows] == [
        (
            ["birthday", "preferred_channel", "household"],
            ["birthday", "preferred channel", "household"],
        )
    ]


def test_duplicate_groups_join_simplified_and_traditional_names(store_a, store_b, owner):
    birthday = datetime.date(1990, 1, 2)
    first = CustomerFactory(home_store=store_a, full_name="陈小明", birthday=birthday)
    second = CustomerFactory(home_store=store_b, full_name="陳小明", birthday=birthday)
    CustomerFactory(home_store=store_a, full_name="陈小明", birthday=datetime.date(1990, 1, 3))
    CustomerFactory(home_store=store_a, full_name="王芳")

    groups = list(duplicate_group_list(user=owner))
    loaded = duplicate_groups_load(user=owner, groups=groups)

    assert groups == [{"name_key": "陈小明", "birthday": birthday, "size": 2}]
    assert [[c.pk for c in g.customers] for g in loaded] == [[first.pk, second.pk]]


def test_duplicate_groups_are_found_within_what_the_user_sees(store_a, store_b, manager_a):
    birthday = datetime.date(1990, 1, 2)
    CustomerFactory(home_store=store_a, full_name="陈小明", birthday=birthday)
    CustomerFactory(home_store=store_b, full_name="陈小明", birthday=birthday)
    CustomerFactory(home_store=store_b, full_name="Lam", birthday=birthday)
    CustomerFactory(home_store=store_b, full_name="Lam", birthday=birthday)

    assert list(duplicate_group_list(user=manager_a)) == []
