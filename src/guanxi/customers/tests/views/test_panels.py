import datetime
import json
import re

from django.urls import reverse
from django.utils import timezone

from guanxi.core.permissions import Role
from guanxi.customers.tests.factories import CustomerFactory

HOME = reverse("core:home")


def chart_data(body):
    match = re.search(
        r'<script id="members-chart-data" type="application/json">(.*?)</script>', body, re.S
    )
    assert match, "no json_script block for the chart"
    return json.loads(match.group(1))


def test_manager_sees_members_of_their_stores_with_chart_and_numbers(
    client, store_a, store_b, manager_a
):
    # given
    CustomerFactory.create_batch(2, home_store=store_a)
    CustomerFactory(home_store=store_b)
    client.force_login(manager_a)

    # when
    body = client.get(HOME).content.decode()

    # then
    assert 'id="panel-members"' in body
    assert 'id="panel-tasks"' not in body
    assert re.search(r'id="members-today">2<', body)
    assert re.search(r'id="members-month">2<', body)
    assert re.search(r'id="members-total">2<', body)
    data = chart_data(body)
    assert len(data["labels"]) == 30
    assert data["values"][-1] == 2
    assert sum(data["values"]) == 2
    assert data["series"] == "New members"
    assert "Show numbers" in body
    assert 'id="members-per-day-table"' in body
    assert "vendor/echarts/echarts.min.js" in body
    assert "Store B" not in body


def test_owner_sees_members_per_store_of_every_store(client, store_a, store_b, owner):
    CustomerFactory(home_store=store_a)
    CustomerFactory.create_batch(3, home_store=store_b)
    client.force_login(owner)

    body = client.get(HOME).content.decode()

    per_store = body[body.index('id="members-per-store"') :]
    assert re.search(r"Store A</a></td><td class=\"text-end\">1<", per_store)
    assert re.search(r"Store B</a></td><td class=\"text-end\">3<", per_store)
    assert re.search(r'id="members-total">4<', body)


def test_sales_sees_todays_tasks_of_their_own_customers_only(
    client, store_a, store_b, sales_a, make_staff
):
    # given
    today = timezone.localdate()
    colleague = make_staff(role=Role.SALES, stores=[store_a])
    birthday = CustomerFactory(
        home_store=store_a,
        full_name="Birthday Wang",
        birthday=today.replace(year=1990) if (today.month, today.day) != (2, 29) else None,
        responsible_staff=sales_a,
    )
    new = CustomerFactory(home_store=store_a, full_name="New Li", responsible_staff=sales_a)
    CustomerFactory(home_store=store_a, full_name="Colleague Zhao", responsible_staff=colleague)
    client.force_login(sales_a)

    # when
    body = client.get(HOME).content.decode()

    # then
    assert 'id="panel-tasks"' in body
    assert 'id="panel-members"' not in body
    birthdays = body[body.index('id="tasks-birthdays"') : body.index('id="tasks-assigned"')]
    assigned = body[body.index('id="tasks-assigned"') :]
    if birthday.birthday:
        assert f'data-customer="{birthday.pk}"' in birthdays
        assert f"Today, turns {today.year - 1990}" in birthdays
    assert f'data-customer="{new.pk}"' in assigned
    assert "Colleague Zhao" not in body


def test_tasks_leave_out_birthdays_beyond_a_week(client, store_a, sales_a):
    later = timezone.localdate() + datetime.timedelta(days=10)
    CustomerFactory(
        home_store=store_a,
        full_name="Later Wang",
        birthday=later.replace(year=1990) if (later.month, later.day) != (2, 29) else None,
        responsible_staff=sales_a,
    )
    client.force_login(sales_a)

    body = client.get(HOME).content.decode()

    birthdays = body[body.index('id="tasks-birthdays"') : body.index('id="tasks-assigned"')]
    assert "Later Wang" not in birthdays
    assert "No birthdays this week." in birthdays


def test_marketer_sees_no_customer_panel(client, store_a, marketer_a):
    client.force_login(marketer_a)

    body = client.get(HOME).content.decode()

    assert 'id="panel-members"' not in body
    assert 'id="panel-tasks"' not in body
