import datetime

from guanxi.customers.selectors.customer import customer_birthdays_upcoming_page
from guanxi.customers.tests.factories import CustomerFactory

TODAY = datetime.date(2026, 3, 30)


def test_a_page_is_the_soonest_birthdays_and_the_count_of_all(store_a, sales_a):
    # given 4 of the user's customers with a birthday in the week, across the month's end,
    # one of them a namesake, and one whose birthday has just passed
    for name, birthday in [
        ("Zhou Li", datetime.date(1990, 4, 2)),
        ("Bai Yu", datetime.date(1985, 3, 31)),
        ("An Qi", datetime.date(1970, 4, 5)),
        ("An Qi", datetime.date(1999, 3, 31)),
        ("Past", datetime.date(1980, 3, 29)),
    ]:
        CustomerFactory(
            home_store=store_a, responsible_staff=sales_a, full_name=name, birthday=birthday
        )

    # when the panel asks for the soonest 2
    shown, total = customer_birthdays_upcoming_page(user=sales_a, today=TODAY, days=7, limit=2)

    # then: the two of 31 March by name, and 4 in all
    assert [(b.customer.full_name, b.day, b.days_away, b.turning) for b in shown] == [
        ("An Qi", datetime.date(2026, 3, 31), 1, 27),
        ("Bai Yu", datetime.date(2026, 3, 31), 1, 41),
    ]
    assert total == 4


def test_without_a_limit_all_are_given(store_a, sales_a):
    CustomerFactory(
        home_store=store_a, responsible_staff=sales_a, birthday=datetime.date(1990, 4, 2)
    )

    shown, total = customer_birthdays_upcoming_page(user=sales_a, today=TODAY, days=7)

    assert (len(shown), total) == (1, 1)
