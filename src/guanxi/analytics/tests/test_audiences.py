"""Audiences (saved lists of customers) and the customer-data handlers of the analytics domain."""

from __future__ import annotations

import pytest

from guanxi.analytics.data_handlers import analytics_erase, analytics_export, analytics_merge
from guanxi.analytics.models import AudienceMember, CustomerMetrics
from guanxi.analytics.selectors import audience_customers, audience_list, customers_matching
from guanxi.analytics.services import analytics_refresh, audience_create, audience_delete
from guanxi.analytics.tests.engine_data import seed_demo
from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.core.registry import CUSTOMER_DATA
from guanxi.staff.models import Store
from guanxi.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    """An owner of our own: the demo seeder already made the one called "owner"."""
    return UserFactory(username="analytics-owner", role=Role.OWNER)


@pytest.fixture
def refreshed(db):
    seed_demo(customers=150)
    return analytics_refresh(forecasts=False)


def _busiest_cell(run):
    return max(run.results["grid"], key=lambda cell: cell["customers"])


def test_an_audience_snapshots_a_cells_customers(refreshed, owner):
    cell = _busiest_cell(refreshed)
    definition = {"recency_band": cell["recency_band"], "frequency_band": cell["frequency_band"]}

    audience = audience_create(actor=owner, name="  Cell list ", definition=definition)

    members = set(audience.members.values_list("customer_id", flat=True))
    assert audience.name == "Cell list"
    assert audience.customers == len(members) == cell["customers"]
    assert members == set(
        customers_matching(user=owner, definition={"cell": cell["cell"]}).values_list(
            "pk", flat=True
        )
    )
    assert AuditEvent.objects.filter(object_type="analytics.audience", action="create").count() == 1
    # a snapshot: the next refresh does not change it
    CustomerMetrics.objects.all().delete()
    assert audience_customers(user=owner, audience=audience).count() == len(members)


def test_a_store_manager_saves_only_their_stores_customers(refreshed, make_staff):
    store = Store.objects.order_by("pk").first()
    manager = make_staff(role=Role.STORE_MANAGER, stores=[store])

    audience = audience_create(actor=manager, name="At risk", definition={"segment": "at_risk"})

    homes = set(audience.members.values_list("customer__home_store_id", flat=True).distinct())
    assert homes <= {store.pk}
    assert (
        audience.customers
        == CustomerMetrics.objects.filter(rfm_segment="at_risk", customer__home_store=store).count()
    )
    other = Store.objects.exclude(pk=store.pk).first()
    with pytest.raises(ApplicationError):
        audience_create(actor=manager, name="x", definition={"segment": "lost"}, store_id=other.pk)
    assert list(audience_list(user=manager)) == [audience]


@pytest.mark.parametrize(
    "definition_case",
    [{}, {"segment": "vip"}, {"colour": "red"}, {"monetary_decile": 11}, {"cell": "active_x"}],
)
def test_a_bad_definition_is_refused(refreshed, owner, definition_case):
    with pytest.raises(ApplicationError):
        audience_create(actor=owner, name="Bad", definition=definition_case)
    assert not AudienceMember.objects.exists()


def test_sales_staff_cannot_save_audiences(refreshed, make_staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        audience_create(actor=make_staff(role=Role.SALES), name="x", definition={"segment": "new"})


def test_deleting_an_audience_removes_its_members(refreshed, owner):
    audience = audience_create(actor=owner, name="Decile 1", definition={"monetary_decile": 1})

    audience_delete(actor=owner, audience=audience)

    assert not AudienceMember.objects.exists()


def test_metrics_and_audiences_follow_export_erasure_and_merge(refreshed, owner):
    audience = audience_create(actor=owner, name="Top", definition={"monetary_decile": 1})
    first, second = list(audience.members.order_by("customer_id")[:2])
    outsider = (
        CustomerMetrics.objects.exclude(customer_id__in=audience.members.values("customer_id"))
        .order_by("customer_id")
        .first()
    )

    exported = analytics_export(first.customer_id)
    assert exported[0]["record"] == "metrics"
    assert exported[0]["monetary_decile"] == 1
    assert exported[1] == {
        "record": "audience",
        "audience": "Top",
        "saved_at": audience.created_at.isoformat(),
    }
    assert "analytics" in CUSTOMER_DATA

    # merge: the outsider folded into a member leaves one membership; a member folded into the
    # outsider passes the membership on
    assert analytics_merge(second.customer_id, outsider.customer_id, owner) == 1
    assert AudienceMember.objects.filter(customer_id=outsider.customer_id).count() == 1
    assert not CustomerMetrics.objects.filter(customer_id=second.customer_id).exists()

    assert analytics_erase(first.customer_id, owner) == 2
    assert not AudienceMember.objects.filter(customer_id=first.customer_id).exists()
    assert analytics_export(first.customer_id) == []
