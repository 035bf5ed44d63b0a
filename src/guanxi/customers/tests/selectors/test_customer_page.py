import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from guanxi.customers import selectors
from guanxi.customers.selectors import CustomerFilters, customer_list, customer_page
from guanxi.customers.selectors.customer import SEARCH_PROVIDERS
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory, TagFactory


def names(customers):
    return [c.full_name for c in customers]


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def spread(store_a, sales_a):
    """Four customers of store A that differ in every filtered field."""
    vip = TagFactory(name="VIP")
    family = HouseholdFactory(store=store_a)
    made = {
        "Ann": {
            "birthday": datetime.date(1990, 5, 1),
            "completeness": 90,
            "source": "event",
            "consent_sms": True,
            "household": family,
            "responsible_staff": sales_a,
            "tags": [vip],
        },
        "Bo": {
            "birthday": datetime.date(1985, 6, 2),
            "completeness": 20,
            "source": "store",
            "consent_sensitive": True,
        },
        "Cy": {"birthday": None, "completeness": 50, "source": "web", "consent_sms": True},
        "Di": {
            "birthday": datetime.date(2000, 5, 3),
            "completeness": 70,
            "source": "store",
            "tags": [vip],
        },
    }
    customers = {}
    for n, (name, fields) in enumerate(made.items()):
        customer = CustomerFactory(home_store=store_a, full_name=name, **fields)
        customer.created_at = at(datetime.date(2024, 1, 10 + n))
        customer.save(update_fields=["created_at"])
        customers[name] = customer
    return {"customers": customers, "vip": vip}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({}, ["Di", "Cy", "Bo", "Ann"], id="none_newest_first_case"),
        pytest.param({"birthday_month": 5}, ["Di", "Ann"], id="birthday_month_case"),
        pytest.param(
            {"completeness_min": 50, "completeness_max": 80},
            ["Di", "Cy"],
            id="completeness_range_case",
        ),
        pytest.param({"source": "store"}, ["Di", "Bo"], id="source_case"),
        pytest.param({"consent": "sms"}, ["Cy", "Ann"], id="consent_channel_case"),
        pytest.param({"consent": "sensitive"}, ["Bo"], id="consent_sensitive_case"),
        pytest.param({"has_household": True}, ["Ann"], id="in_household_case"),
        pytest.param({"has_household": False}, ["Di", "Cy", "Bo"], id="not_in_household_case"),
        pytest.param(
            {"created_from": datetime.date(2024, 1, 11), "created_to": datetime.date(2024, 1, 12)},
            ["Cy", "Bo"],
            id="created_between_case",
        ),
        pytest.param({"sort": "name"}, ["Ann", "Bo", "Cy", "Di"], id="sort_name_case"),
        pytest.param({"sort": "created"}, ["Ann", "Bo", "Cy", "Di"], id="sort_oldest_case"),
        pytest.param(
            {"sort": "completeness"}, ["Bo", "Cy", "Di", "Ann"], id="sort_completeness_case"
        ),
        pytest.param(
            {"sort": "-completeness"}, ["Ann", "Di", "Cy", "Bo"], id="sort_most_complete_case"
        ),
        pytest.param({"sort": "bogus"}, ["Di", "Cy", "Bo", "Ann"], id="unknown_sort_case"),
    ],
)
def test_filters_and_sorts(spread, owner, filters, expected):
    assert names(customer_list(user=owner, filters=CustomerFilters(**filters))) == expected


def test_tag_and_staff_filters(spread, owner, sales_a):
    vip = spread["vip"]

    assert names(customer_list(user=owner, filters=CustomerFilters(tag_id=vip.pk))) == ["Di", "Ann"]
    assert names(
        customer_list(user=owner, filters=CustomerFilters(responsible_staff_id=sales_a.pk))
    ) == ["Ann"]


def test_birthday_month_sort_keeps_customers_without_a_birthday(spread, owner):
    found = names(customer_list(user=owner, filters=CustomerFilters(sort="birthday_month")))

    # May (Ann, Di by pk) before June (Bo); Cy, with no birthday, at one end
    assert [n for n in found if n != "Cy"] == ["Ann", "Di", "Bo"]
    assert sorted(found) == ["Ann", "Bo", "Cy", "Di"]


@pytest.mark.parametrize(
    "sort",
    [
        "",
        "-created",
        "created",
        "name",
        "completeness",
        "-completeness",
        "birthday_month",
        "-birthday_month",
    ],
)
def test_walking_the_pages_forwards_and_back_visits_everyone_once(store_a, owner, sort):
    # given 7 customers, some with equal sort values and some without a birthday
    for n in range(7):
        CustomerFactory(
            home_store=store_a,
            full_name=f"Name {n % 3}",
            completeness=(n % 2) * 10,
            birthday=datetime.date(1990, 1 + n % 2, 1) if n % 3 else None,
        )
    filters = CustomerFilters(sort=sort)
    expected = names(customer_list(user=owner, filters=filters))

    # when walking forwards 3 at a time
    pages, after = [], ""
    while True:
        page = customer_page(user=owner, filters=filters, after=after, page_size=3)
        pages.append(page)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    # and back from the last page
    back = [pages[-1].customers]
    before = pages[-1].previous_cursor
    while before:
        page = customer_page(user=owner, filters=filters, before=before, page_size=3)
        back.insert(0, page.customers)
        before = page.previous_cursor

    # then every customer appears once, in the list's order, both ways
    assert [names(p.customers) for p in pages] == [expected[0:3], expected[3:6], expected[6:7]]
    assert [names(p) for p in back] == [expected[0:3], expected[3:6], expected[6:7]]
    assert pages[0].previous_cursor is None
    assert all(p.count == 7 and not p.count_is_capped for p in pages)


def test_the_count_is_capped(store_a, owner, monkeypatch):
    monkeypatch.setattr("guanxi.customers.selectors.customer.COUNT_CAP", 3)
    CustomerFactory.create_batch(5, home_store=store_a)

    page = customer_page(user=owner, page_size=2)

    assert (page.count, page.count_is_capped) == (3, True)


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJ4IiwgMV0", "WzEsICJ4Il0"])
def test_a_bad_cursor_starts_from_the_first_page(store_a, owner, cursor):
    CustomerFactory.create_batch(2, home_store=store_a)

    page = customer_page(user=owner, after=cursor)

    assert len(page.customers) == 2
    assert page.previous_cursor is None


def test_pages_are_scoped(store_a, store_b, sales_a):
    CustomerFactory(home_store=store_a, full_name="Mine")
    CustomerFactory(home_store=store_b, full_name="Theirs")

    page = customer_page(user=sales_a)

    assert names(page.customers) == ["Mine"]
    assert page.count == 1


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        pytest.param("王芳", ["王芳"], id="simplified_case"),
        pytest.param("王", ["王芳"], id="part_of_a_name_case"),
        pytest.param("陳小明", ["陈小明"], id="traditional_finds_simplified_case"),
        pytest.param("陈小明", ["陈小明"], id="simplified_of_simplified_case"),
        pytest.param("chenxiaoming", ["陈小明"], id="pinyin_case"),
        pytest.param("cxm", ["陈小明"], id="initials_case"),
        pytest.param("POS-00042", ["王芳"], id="external_id_case"),
        pytest.param("8000", ["王芳"], id="last_4_case"),
        pytest.param("13800138000", ["王芳"], id="whole_phone_case"),
    ],
)
def test_search_by_name_script_pinyin_phone_and_external_id(store_a, owner, term, expected):
    CustomerFactory(
        home_store=store_a, full_name="王芳", phone="+8613800138000", external_id="POS-00042"
    )
    CustomerFactory(home_store=store_a, full_name="陈小明", phone="+8613900139001")

    assert names(customer_list(user=owner, filters=CustomerFilters(search=term))) == expected


def test_registered_search_providers_extend_every_search(store_a, owner):
    # given another domain that finds customers by a card number
    wang = CustomerFactory(home_store=store_a, full_name="Wang Fang")
    CustomerFactory(home_store=store_a, full_name="Li Lei")
    selectors.customer_search_provider_register(
        "test.card", lambda term: Q(pk=wang.pk) if term == "CARD-7" else None
    )
    try:
        found = names(customer_list(user=owner, filters=CustomerFilters(search="CARD-7")))
        missed = names(customer_list(user=owner, filters=CustomerFilters(search="CARD-8")))
    finally:
        SEARCH_PROVIDERS.pop("test.card")

    assert found == ["Wang Fang"]
    assert missed == []
