import datetime

import pytest

from guanxi.core.permissions import Role
from guanxi.customers.services.duplicates import duplicate_candidates
from guanxi.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

BIRTHDAY = datetime.date(1985, 7, 1)


def found(candidates):
    return [(c.customer.pk, c.same_phone, c.same_name_and_birthday) for c in candidates]


def test_the_same_phone_typed_differently_is_a_candidate(store_a, manager_a):
    existing = CustomerFactory(home_store=store_a, phone="+8613900000001")

    candidates = duplicate_candidates(
        full_name="Somebody Else", phone="139 0000 0001", birthday=None, user=manager_a
    )

    assert found(candidates) == [(existing.pk, True, False)]


def test_traditional_and_simplified_names_with_the_same_birthday_match(store_a, manager_a):
    existing = CustomerFactory(home_store=store_a, full_name="陈小明", birthday=BIRTHDAY)

    candidates = duplicate_candidates(
        full_name="陳 小明", phone="13800138000", birthday=BIRTHDAY, user=manager_a
    )

    assert found(candidates) == [(existing.pk, False, True)]


@pytest.mark.parametrize(
    "birthday",
    [
        pytest.param(datetime.date(1985, 7, 2), id="other_birthday_case"),
        pytest.param(None, id="no_birthday_case"),
    ],
)
def test_the_same_name_alone_is_not_a_candidate(store_a, manager_a, birthday):
    CustomerFactory(home_store=store_a, full_name="陈小明", birthday=BIRTHDAY)

    candidates = duplicate_candidates(
        full_name="陈小明", phone="13800138000", birthday=birthday, user=manager_a
    )

    assert candidates == []


def test_same_phone_comes_before_same_name(store_a, manager_a):
    by_name = CustomerFactory(home_store=store_a, full_name="Li Na", birthday=BIRTHDAY)
    by_phone = CustomerFactory(home_store=store_a, full_name="Other", phone="+8613800138000")

    candidates = duplicate_candidates(
        full_name="li na", phone="+86 138 0013 8000", birthday=BIRTHDAY, user=manager_a
    )

    assert found(candidates) == [(by_phone.pk, True, False), (by_name.pk, False, True)]


def test_another_stores_customer_is_never_a_candidate(store_a, store_b, make_staff):
    CustomerFactory(
        home_store=store_b, full_name="陈小明", birthday=BIRTHDAY, phone="+8613900000009"
    )
    sales = make_staff(role=Role.SALES, stores=[store_a])

    candidates = duplicate_candidates(
        full_name="陈小明", phone="13900000009", birthday=BIRTHDAY, user=sales
    )

    assert candidates == []


def test_the_customer_being_edited_is_excluded(store_a, manager_a):
    customer = CustomerFactory(home_store=store_a, full_name="陈小明", birthday=BIRTHDAY)

    candidates = duplicate_candidates(
        full_name="陈小明",
        phone=customer.phone,
        birthday=BIRTHDAY,
        user=manager_a,
        exclude_pk=customer.pk,
    )

    assert candidates == []


def test_an_invalid_phone_matches_nothing(store_a, manager_a):
    CustomerFactory(home_store=store_a)

    assert duplicate_candidates(full_name="", phone="12", birthday=None, user=manager_a) == []
