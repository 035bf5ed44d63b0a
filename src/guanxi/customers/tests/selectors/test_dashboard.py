import datetime

from django.utils import timezone

from guanxi.core.permissions import Role
from guanxi.customers.models import Customer
from guanxi.customers.selectors import (
    customer_birthdays_upcoming,
    customer_member_stats,
    customer_recently_assigned,
)
from guanxi.customers.tests.factories import CustomerFactory

TODAY = datetime.date(2026, 3, 15)


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


def created(customer, when):
    Customer.objects.filter(pk=customer.pk).update(created_at=when)
    return customer


def test_member_stats_count_in_local_time_and_scope(store_a, store_b, manager_a, owner):
    # given (Asia/Shanghai): today 00:30, yesterday 23:30, 1 March, February, store B today
    created(CustomerFactory(home_store=store_a), local(2026, 3, 15, 0, 30))
    created(CustomerFactory(home_store=store_a), local(2026, 3, 14, 23, 30))
    created(CustomerFactory(home_store=store_a), local(2026, 3, 1, 9, 0))
    created(CustomerFactory(home_store=store_a), local(2026, 2, 20, 9, 0))
    created(CustomerFactory(home_store=store_b), local(2026, 3, 15, 10, 0))

    # when
    mine = customer_member_stats(user=manager_a, today=TODAY, days=30)
    everyone = customer_member_stats(user=owner, today=TODAY, days=30)

    # then
    assert (mine.today, mine.this_month, mine.total) == (1, 3, 4)
    assert (everyone.today, everyone.this_month, everyone.total) == (2, 4, 5)
    assert len(mine.per_day) == 30
    assert mine.per_day[0].day == datetime.date(2026, 2, 14)
    assert mine.per_day[-1].day == TODAY
    counts = {d.day: d.count for d in mine.per_day if d.count}
    assert counts == {
        datetime.date(2026, 2, 20): 1,
        datetime.date(2026, 3, 1): 1,
        datetime.date(2026, 3, 14): 1,
        datetime.date(2026, 3, 15): 1,
    }
    assert [(s.store_name, s.count) for s in mine.per_store] == [("Store A", 4)]
    assert [(s.store_name, s.count) for s in everyone.per_store] == [
        ("Store A", 4),
        ("Store B", 1),
    ]


def test_birthdays_upcoming_are_the_users_own_in_the_next_7_days_soonest_first(
    store_a, sales_a, make_staff
):
    # given
    colleague = make_staff(role=Role.SALES, stores=[store_a])

    def customer(name, birthday, staff=sales_a):
        return CustomerFactory(
            home_store=store_a, full_name=name, birthday=birthday, responsible_staff=staff
        )

    customer("Today", datetime.date(1990, 3, 15))
    customer("In a week", datetime.date(2000, 3, 22))
    customer("Tomorrow", datetime.date(1985, 3, 16))
    customer("Too late", datetime.date(1990, 3, 23))
    customer("Yesterday", datetime.date(1990, 3, 14))
    customer("Colleague's", datetime.date(1990, 3, 15), staff=colleague)

    # when
    upcoming = customer_birthdays_upcoming(user=sales_a, today=TODAY, days=7)

    # then
    assert [(b.customer.full_name, b.day, b.days_away, b.turning) for b in upcoming] == [
        ("Today", datetime.date(2026, 3, 15), 0, 36),
        ("Tomorrow", datetime.date(2026, 3, 16), 1, 41),
        ("In a week", datetime.date(2026, 3, 22), 7, 26),
    ]


def test_birthdays_upcoming_across_the_new_year_and_29_february(store_a, sales_a):
    CustomerFactory(
        home_store=store_a,
        full_name="New year",
        birthday=datetime.date(1990, 1, 2),
        responsible_staff=sales_a,
    )
    CustomerFactory(
        home_store=store_a,
        full_name="Leap",
        birthday=datetime.date(1992, 2, 29),
        responsible_staff=sales_a,
    )

    new_year = customer_birthdays_upcoming(user=sales_a, today=datetime.date(2026, 12, 30))
    leap = customer_birthdays_upcoming(user=sales_a, today=datetime.date(2027, 2, 25))

    assert [(b.customer.full_name, b.day) for b in new_year] == [
        ("New year", datetime.date(2027, 1, 2))
    ]
    assert [(b.customer.full_name, b.day, b.turning) for b in leap] == [
        ("Leap", datetime.date(2027, 2, 28), 35)
    ]


def test_recently_assigned_are_the_users_own_of_the_last_7_days(store_a, sales_a, make_staff):
    # given
    now = local(2026, 3, 15, 12, 0)
    colleague = make_staff(role=Role.SALES, stores=[store_a])
    fresh = created(
        CustomerFactory(home_store=store_a, full_name="Fresh", responsible_staff=sales_a),
        now - datetime.timedelta(days=6),
    )
    created(
        CustomerFactory(home_store=store_a, full_name="Old", responsible_staff=sales_a),
        now - datetime.timedelta(days=8),
    )
    created(
        CustomerFactory(home_store=store_a, full_name="Not mine", responsible_staff=colleague),
        now - datetime.timedelta(days=1),
    )

    # when
    assigned = customer_recently_assigned(user=sales_a, now=now, days=7)

    # then
    assert list(assigned) == [fresh]
