"""The order import pages: upload, map the columns, check, import, and the report."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanxi.core.models import AuditEvent, Job
from guanxi.core.permissions import Role
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.customers.tests.imports.files import write_csv
from guanxi.orders.imports import cli  # noqa: F401 - the capability and the importer
from guanxi.orders.models import Order

pytestmark = pytest.mark.django_db

HEADERS = ["订单号", "时间", "手机", "金额", "门店"]


def urls():
    return reverse("orders:order-import"), reverse("orders:order-import-map")


def upload(client, file_path, **data):
    with file_path.open("rb") as handle:
        payload = {"file": SimpleUploadedFile(file_path.name, handle.read()), "encoding": "auto"}
    payload.update(data)
    return client.post(urls()[0], payload)


def token_of(response):
    return parse_qs(urlsplit(response["Location"]).query)["upload"][0]


def mapping_post(fields, **extra):
    data = {f"column_{i}": field for i, field in enumerate(fields)}
    data.update(extra)
    return data


@pytest.fixture
def orders_csv(tmp_path, store_a):
    CustomerFactory(home_store=store_a, phone="+8613800138000", full_name="王芳")
    return write_csv(
        tmp_path / "orders.csv",
        [
            ["A-1", "2026-03-08 15:30", "13800138000", "88", "a01"],
            ["A-2", "2026-03-08 16:00", "13800138000", "-5", "a01"],
        ],
        headers=HEADERS,
        encoding="gbk",
    )


@pytest.mark.parametrize("role", [Role.SALES, Role.SERVICE_AGENT, Role.MARKETER])
def test_only_owners_and_store_managers_may_import(client, make_staff, store_a, role):
    client.force_login(make_staff(role=role, stores=[store_a]))

    assert client.get(urls()[0]).status_code == 403
    assert client.get(urls()[1]).status_code == 403


def test_check_then_import(
    client, manager_a, store_a, orders_csv, django_capture_on_commit_callbacks
):
    # given a store manager who uploads a GBK file
    client.force_login(manager_a)
    assert client.get(urls()[0]).status_code == 200
    response = upload(client, orders_csv)
    assert response.status_code == 302

    # then the mapping step suggests a field per column and shows the first values
    page = client.get(response["Location"]).content.decode()
    assert "gb18030" in page
    assert re.search(r'name="column_0".*?<option value="reference" selected>', page, re.S)
    assert re.search(r'name="column_2".*?<option value="phone" selected>', page, re.S)
    assert "2026-03-08 15:30" in page
    token = token_of(response)
    fields = ["reference", "ordered_at", "phone", "amount", "store"]
    url = f"{urls()[1]}?upload={token}"

    # when the file is checked
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, mapping_post(fields, action="check"))

    # then the report shows the invalid row and nothing is saved
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.result["dry_run"] is True
    assert job.result["issues"] == [
        {"row": 3, "column": "金额", "reason": "An amount cannot be negative.", "value": "-5"}
    ]
    assert "An amount cannot be negative." in client.get(response["Location"]).content.decode()
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="import-job"')
    assert Order.objects.count() == 0

    # when it is imported skipping the invalid order, with points
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, mapping_post(fields, skip_invalid="on", award_points="on", action="import")
        )

    # then the valid order is in and the report can be downloaded
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    assert (job.result["committed"], job.result["orders"], job.result["lines"]) == (True, 1, 1)
    order = Order.objects.get()
    assert (order.reference, order.store_id, order.created_by) == ("A-1", store_a.pk, manager_a)
    assert AuditEvent.objects.filter(object_type="orders.import", actor=manager_a).count() == 1
    download = client.get(job.result["download_url"])
    assert download.status_code == 200
    report = b"".join(download.streaming_content).decode("utf-8-sig")
    assert report.splitlines() == [
        "Row,Column,Problem,Value",
        "3,金额,An amount cannot be negative.,'-5",  # csv_safe: no formula
    ]
    # the upload is gone after the import; the report page stays
    assert client.get(response["Location"]).status_code == 200


def test_the_mapping_needs_the_required_columns(client, manager_a, orders_csv):
    client.force_login(manager_a)
    token = token_of(upload(client, orders_csv))

    response = client.post(
        f"{urls()[1]}?upload={token}",
        mapping_post(["reference", "reference", "", "amount"], action="check"),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Order reference is already taken by the column 订单号." in page
    assert "No column is mapped to Time of sale." in page
    assert "No column names the customer" in page
    assert Job.objects.count() == 0


def test_a_default_store_of_another_store_is_refused(client, manager_a, store_b, orders_csv):
    client.force_login(manager_a)
    token = token_of(upload(client, orders_csv))

    response = client.post(
        f"{urls()[1]}?upload={token}",
        mapping_post(
            ["reference", "ordered_at", "phone", "amount", ""],
            default_store=store_b.pk,
            action="import",
        ),
    )

    assert response.status_code == 400
    assert Job.objects.count() == 0
    assert Order.objects.count() == 0


def test_another_users_upload_is_not_found(client, manager_a, make_staff, store_a, orders_csv):
    client.force_login(manager_a)
    token = token_of(upload(client, orders_csv))
    other = make_staff(role=Role.STORE_MANAGER, stores=[store_a], username="manager_2")

    client.force_login(other)

    assert client.get(f"{urls()[1]}?upload={token}").status_code == 404
    assert client.post(f"{urls()[1]}?upload={token}", {"action": "import"}).status_code == 404
    assert client.get(f"{urls()[1]}?upload=forged").status_code == 404


def test_an_old_excel_file_is_refused_with_a_message(client, manager_a, tmp_path):
    client.force_login(manager_a)
    xls = tmp_path / "orders.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)

    response = upload(client, xls)

    assert response.status_code == 400
    assert "Only CSV and XLSX files can be imported." in response.content.decode()
