"""The dashboard's reads stay on indexes: at a million customers a scan of the table is seconds."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.selectors import customer_birthdays_upcoming, customer_member_stats
from guanxi.customers.tests.factories import CustomerFactory

TODAY = datetime.date(2026, 3, 15)
TABLE = "customers_customer"

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN"
)


def customer_table_plans(queries):
    """For each captured query on the customers table, how SQLite reads that table."""
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if f'"{TABLE}"' not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            steps = [row[-1] for row in cursor.fetchall()]
            plans.append([step for step in steps if TABLE in step])
    return plans


def test_member_stats_read_the_store_and_created_index_only(store_a, store_b, owner, manager_a):
    CustomerFactory.create_batch(3, home_store=store_a)
    CustomerFactory(home_store=store_b)

    for user in (owner, manager_a):
        with CaptureQueriesContext(connection) as captured:
            customer_member_stats(user=user, today=TODAY, days=30)
        plans = customer_table_plans(captured.captured_queries)

        # the totals per store: a GROUP BY over the index, never the table; the counts of
        # today, this month and each day of the chart: one range of the index
        totals, ranges = plans
        assert all("USING COVERING INDEX" in step for step in totals), totals
        assert all(
            step.startswith("SEARCH") and "INDEX" in step and "created_at>" in step
            for step in ranges
        ), ranges


def test_birthdays_read_an_index_and_load_only_the_matches(store_a, sales_a):
    CustomerFactory(
        home_store=store_a, responsible_staff=sales_a, birthday=datetime.date(1990, 3, 17)
    )
    CustomerFactory(
        home_store=store_a, responsible_staff=sales_a, birthday=datetime.date(1990, 3, 30)
    )

    with CaptureQueriesContext(connection) as captured:
        upcoming = customer_birthdays_upcoming(user=sales_a, today=TODAY, days=7)
    plans = customer_table_plans(captured.captured_queries)

    assert [b.customer.birthday.day for b in upcoming] == [17]
    assert plans
    for steps in plans:
        assert all("INDEX" in step or "PRIMARY KEY" in step for step in steps), steps
