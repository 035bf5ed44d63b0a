"""Dashboard panels of the customers domain.

Owners and store managers see the members of their stores: new today, this month, in total,
per day over the last 30 days, per store. Sales and service staff see today's tasks: their own
customers with a birthday this week, and customers recently assigned to them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from guanxi.core.permissions import Role
from guanxi.core.registry import DashboardPanel, panel_register
from guanxi.customers.selectors import customer_member_stats, customer_recently_assigned
from guanxi.customers.selectors.customer import customer_birthdays_upcoming_page

CHART_DAYS = 30
BIRTHDAY_DAYS = 7
ASSIGNED_DAYS = 7
TASK_LIMIT = 20


def members_context(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    stats = customer_member_stats(user=request.user, today=today, days=CHART_DAYS)
    chart = {
        "labels": [date_format(d.day, "SHORT_DATE_FORMAT") for d in stats.per_day],
        "values": [d.count for d in stats.per_day],
        "series": _("New members"),
    }
    return {"stats": stats, "chart": chart, "chart_days": CHART_DAYS}


def tasks_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    birthdays, birthday_count = customer_birthdays_upcoming_page(
        user=user, today=timezone.localdate(), days=BIRTHDAY_DAYS, limit=TASK_LIMIT
    )
    assigned = list(
        customer_recently_assigned(user=user, now=timezone.now(), days=ASSIGNED_DAYS)[
            : TASK_LIMIT + 1
        ]
    )
    return {
        "birthdays": birthdays,
        "birthdays_more": birthday_count - len(birthdays),
        "assigned": assigned[:TASK_LIMIT],
        "assigned_more": len(assigned) > TASK_LIMIT,
        "birthday_days": BIRTHDAY_DAYS,
        "assigned_days": ASSIGNED_DAYS,
    }


panel_register(
    DashboardPanel(
        key="customers.members",
        template="customers/panels/members.html",
        context=members_context,
        roles=frozenset({Role.OWNER, Role.STORE_MANAGER}),
        order=10,
    )
)
panel_register(
    DashboardPanel(
        key="customers.tasks",
        template="customers/panels/tasks.html",
        context=tasks_context,
        roles=frozenset({Role.SALES, Role.SERVICE_AGENT}),
        order=10,
    )
)
