import pytest

from guanxi.customers.selectors import CustomerFilters, customer_list
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory
from guanxi.loyalty.services.cards import card_issue, card_replace


@pytest.mark.django_db
def test_a_card_number_finds_its_holder(store_a, owner):
    holder = CustomerFactory(home_store=store_a)
    CustomerFactory(home_store=store_a)
    card = card_issue(customer=holder, actor=owner)

    found = customer_list(user=owner, filters=CustomerFilters(search=card.number.lower()))

    assert list(found) == [holder]


@pytest.mark.django_db
def test_a_household_card_finds_every_member_and_an_old_card_still_works(store_a, owner):
    household = HouseholdFactory(store=store_a)
    first = CustomerFactory(home_store=store_a, household=household)
    second = CustomerFactory(home_store=store_a, household=household)
    old = card_issue(customer=first, actor=owner)
    card_replace(card=old, actor=owner)

    found = customer_list(user=owner, filters=CustomerFilters(search=old.number))

    assert set(found) == {first, second}


@pytest.mark.django_db
def test_another_stores_card_is_not_found_by_its_staff(store_a, store_b, owner, make_staff):
    holder = CustomerFactory(home_store=store_b)
    card = card_issue(customer=holder, actor=owner)
    sales_a = make_staff(stores=[store_a])

    found = customer_list(user=sales_a, filters=CustomerFilters(search=card.number))

    assert list(found) == []
