import datetime

import pytest

from guanxi.core.permissions import Role
from guanxi.customers.selectors import CustomerFilters, customer_get, customer_list
from guanxi.customers.tests.factories import CustomerFactory


def names(customers):
    return sorted(c.full_name for c in customers)


def test_staff_see_only_their_stores_customers_and_owner_sees_all(store_a, store_b, sales_a, owner):
    CustomerFactory(home_store=store_a, full_name="A one")
    CustomerFactory(home_store=store_b, full_name="B one")

    assert names(customer_list(user=sales_a)) == ["A one"]
    assert names(customer_list(user=owner)) == ["A one", "B one"]


def test_a_staff_member_of_two_stores_sees_both(store_a, store_b, make_staff):
    CustomerFactory(home_store=store_a, full_name="A one")
    CustomerFactory(home_store=store_b, full_name="B one")
    both = make_staff(role=Role.SERVICE_AGENT, stores=[store_a, store_b])

    assert names(customer_list(user=both)) == ["A one", "B one"]


def test_anonymous_and_inactive_users_see_nothing(store_a, make_staff):
    from django.contrib.auth.models import AnonymousUser

    CustomerFactory(home_store=store_a)
    inactive = make_staff(role=Role.SALES, stores=[store_a], is_active=False)

    assert list(customer_list(user=AnonymousUser())) == []
    assert list(customer_list(user=inactive)) == []


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        pytest.param("wang", ["Wang Fang"], id="name_case_insensitive_case"),
        pytest.param("8000", ["Wang Fang"], id="last_4_digits_case"),
        pytest.param("138 0013 8000", ["Wang Fang"], id="whole_phone_typed_case"),
        pytest.param("+8613900139000", ["Li Lei"], id="whole_phone_e164_case"),
        pytest.param("0013", [], id="4_digits_not_at_the_end_case"),
        pytest.param("1390013", ["Li Lei"], id="part_of_a_number_case"),
        pytest.param("li.lei@example.com", ["Li Lei"], id="email_case"),
        pytest.param("nobody", [], id="no_match_case"),
    ],
)
def test_search(store_a, owner, term, expected):
    CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")
    CustomerFactory(
        home_store=store_a, full_name="Li Lei", phone="+8613900139000", email="li.lei@example.com"
    )

    found = customer_list(user=owner, filters=CustomerFilters(search=term))

    assert names(found) == expected


def test_filters_by_store_staff_and_birthday_month(store_a, store_b, owner, sales_a):
    CustomerFactory(home_store=store_a, full_name="A May", birthday=datetime.date(1990, 5, 1))
    CustomerFactory(
        home_store=store_a,
        full_name="A May mine",
        birthday=datetime.date(1985, 5, 30),
        responsible_staff=sales_a,
    )
    CustomerFactory(home_store=store_a, full_name="A June", birthday=datetime.date(1990, 6, 1))
    CustomerFactory(home_store=store_b, full_name="B May", birthday=datetime.date(1990, 5, 2))

    by_store = customer_list(user=owner, filters=CustomerFilters(store_id=store_b.pk))
    by_month = customer_list(user=owner, filters=CustomerFilters(birthday_month=5))
    by_staff = customer_list(
        user=owner, filters=CustomerFilters(responsible_staff_id=sales_a.pk, birthday_month=5)
    )

    assert names(by_store) == ["B May"]
    assert names(by_month) == ["A May", "A May mine", "B May"]
    assert names(by_staff) == ["A May mine"]


def test_filtering_on_another_store_finds_nothing(store_a, store_b, sales_a):
    CustomerFactory(home_store=store_b)

    found = customer_list(user=sales_a, filters=CustomerFilters(store_id=store_b.pk))

    assert list(found) == []


def test_get_returns_none_for_another_stores_customer(store_a, store_b, sales_a):
    mine = CustomerFactory(home_store=store_a)
    theirs = CustomerFactory(home_store=store_b)

    assert customer_get(user=sales_a, pk=mine.pk) == mine
    assert customer_get(user=sales_a, pk=theirs.pk) is None
    assert customer_get(user=sales_a, pk="not-a-number") is None
