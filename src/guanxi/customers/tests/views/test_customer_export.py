import csv
import io

import pytest
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.customers.exports import neutralise
from guanxi.customers.tests.factories import CustomerFactory

URL = reverse("customers:customer-export")


def download(response):
    raw = b"".join(response.streaming_content)
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_exports_utf8_with_bom_scoped_and_audited(client, store_a, store_b, manager_a):
    # given
    CustomerFactory(home_store=store_a, full_name="王芳", phone="+8613800138000")
    CustomerFactory(home_store=store_b, full_name="Zhao Lei")
    client.force_login(manager_a)

    # when
    response = client.get(URL)

    # then
    raw, rows = download(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    assert raw.startswith(b"\xef\xbb\xbf")
    assert rows[0][:3] == ["ID", "Full name", "Phone"]
    assert [row[1:3] for row in rows[1:]] == [["王芳", "'+8613800138000"]]
    assert rows[1][6] == "Store A"
    audit = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert audit.actor == manager_a
    assert audit.object_type == "customers.customer"
    assert audit.changes == {"filters": {}, "rows": 1}


def test_neutralises_cells_a_spreadsheet_would_run(client, store_a, owner):
    CustomerFactory(home_store=store_a, full_name='=HYPERLINK("http://evil")', email="")
    CustomerFactory(home_store=store_a, full_name="@SUM(1)")
    client.force_login(owner)

    _raw, rows = download(client.get(URL))

    assert sorted(row[1] for row in rows[1:]) == ['\'=HYPERLINK("http://evil")', "'@SUM(1)"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("=1+1", "'=1+1", id="equals_case"),
        pytest.param("+86138", "'+86138", id="plus_case"),
        pytest.param("-2", "'-2", id="minus_case"),
        pytest.param("@cmd", "'@cmd", id="at_case"),
        pytest.param("\tx", "'\tx", id="tab_case"),
        pytest.param("\rx", "'\rx", id="carriage_return_case"),
        pytest.param("Wang = Fang", "Wang = Fang", id="inside_is_fine_case"),
        pytest.param(None, "", id="none_case"),
        pytest.param(7, "7", id="number_case"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_respects_filters_and_audits_them(client, store_a, owner):
    CustomerFactory(home_store=store_a, full_name="Wang Fang", phone="+8613800138000")
    CustomerFactory(home_store=store_a, full_name="Li Lei", phone="+8613900139000")
    client.force_login(owner)

    _raw, rows = download(client.get(URL, {"q": "8000", "store": store_a.pk}))

    assert [row[1] for row in rows[1:]] == ["Wang Fang"]
    audit = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert audit.changes == {"filters": {"store_id": store_a.pk, "search": "8000"}, "rows": 1}
    assert audit.store_id == store_a.pk


@pytest.mark.parametrize("role", [Role.SALES, Role.SERVICE_AGENT])
def test_roles_without_export_are_refused_and_nothing_is_exported(
    client, store_a, make_staff, role
):
    CustomerFactory(home_store=store_a)
    client.force_login(make_staff(role=role, stores=[store_a]))

    response = client.get(URL)

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 1
