import pytest
from django.core.exceptions import ValidationError

from guanxi.customers.models import SavedView
from guanxi.customers.services.saved_views import (
    saved_view_create,
    saved_view_delete,
    saved_view_query,
)


def test_query_keeps_only_filters_in_a_fixed_order():
    raw = "after=abc&sort=name&q=wang&birthday_month=5&store=&evil=1"

    assert saved_view_query(raw) == "q=wang&birthday_month=5&sort=name"


def test_saving_the_same_name_replaces_the_filters(sales_a):
    saved_view_create(
        owner=sales_a, name="May birthdays", query_string="birthday_month=5", actor=sales_a
    )
    saved_view_create(
        owner=sales_a, name="May birthdays", query_string="birthday_month=6", actor=sales_a
    )

    assert list(SavedView.objects.values_list("name", "query")) == [
        ("May birthdays", "birthday_month=6")
    ]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        pytest.param("", "birthday_month=5", id="no_name_case"),
        pytest.param("All", "page=2", id="no_filters_case"),
    ],
)
def test_a_view_needs_a_name_and_filters(sales_a, name, query):
    with pytest.raises(ValidationError):
        saved_view_create(owner=sales_a, name=name, query_string=query, actor=sales_a)

    assert SavedView.objects.count() == 0


def test_delete(sales_a):
    view = saved_view_create(owner=sales_a, name="Mine", query_string="q=wang", actor=sales_a)

    saved_view_delete(saved_view=view, actor=sales_a)

    assert SavedView.objects.count() == 0
