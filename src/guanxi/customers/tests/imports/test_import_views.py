"""The import pages: upload, map the columns, check, import, and the report."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanxi.core.models import AuditEvent, Job
from guanxi.customers.models import Customer, ImportMapping
from guanxi.customers.tests.imports.files import write_csv, write_xlsx, write_zip_bomb

UPLOAD_URL = reverse("customers:customer-import")
MAP_URL = reverse("customers:customer-import-map")


def upload(client, path, **data):
    with path.open("rb") as handle:
        payload = {"file": SimpleUploadedFile(path.name, handle.read()), "encoding": "auto"}
    payload.update(data)
    return client.post(UPLOAD_URL, payload)


def token_of(response):
    return parse_qs(urlsplit(response["Location"]).query)["upload"][0]


def mapping_post(headers, fields, **extra):
    data = {f"column_{i}": field for i, field in enumerate(fields)}
    data.update(extra)
    return data


@pytest.fixture
def members_csv(tmp_path):
    return write_csv(
        tmp_path / "members.csv",
        [["王小明", "13800138000", "1990/5/17", "男", "", ""], ["李四", "12345", "", "", "", ""]],
        encoding="gbk",
    )


def test_sales_may_not_import(client, sales_a):
    client.force_login(sales_a)

    assert client.get(UPLOAD_URL).status_code == 403


def test_upload_page_and_mapping_suggestions(client, manager_a, members_csv):
    # given a store manager
    client.force_login(manager_a)
    assert client.get(UPLOAD_URL).status_code == 200

    # when they upload a GBK file
    response = upload(client, members_csv)

    # then they are sent to the mapping step, which suggests a field per column
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "gb18030" in html
    assert 'name="column_0"' in html
    assert re.search(r'name="column_1".*?<option value="phone" selected>', html, re.S)
    assert re.search(r'name="column_5".*?<option value="home_store" selected>', html, re.S)
    assert "王小明" in html  # the sample values


def test_check_then_import(
    client, manager_a, store_a, members_csv, django_capture_on_commit_callbacks
):
    client.force_login(manager_a)
    token = token_of(upload(client, members_csv))
    fields = ["full_name", "phone", "birthday", "gender", "email", "home_store"]
    url = f"{MAP_URL}?upload={token}"

    # when the file is checked
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, mapping_post([], fields, default_store=store_a.pk, action="check")
        )

    # then the report shows the invalid row and nothing is saved
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.result["dry_run"] is True
    assert job.result["issues"] == [
        {
            "row": 3,
            "column": "手机",
            "reason": "This is not a valid phone number.",
            "value": "12345",
        }
    ]
    page = client.get(response["Location"])
    assert "This is not a valid phone number." in page.content.decode()
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="import-job"')
    assert Customer.objects.count() == 0

    # when it is imported skipping the invalid row, saving the mapping
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            mapping_post(
                [],
                fields,
                default_store=store_a.pk,
                skip_invalid="on",
                save_as="POS",
                action="import",
            ),
        )

    # then the valid row is in, the mapping kept, the report downloadable
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    assert job.result["committed"] is True
    assert job.result["created"] == 1
    customer = Customer.objects.get()
    assert (customer.full_name, customer.home_store) == ("王小明", store_a)
    assert ImportMapping.objects.get().columns == {
        "姓名": "full_name",
        "手机": "phone",
        "生日": "birthday",
        "性别": "gender",
        "邮箱": "email",
        "门店": "home_store",
    }
    download = client.get(job.result["download_url"])
    assert download.status_code == 200
    report = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "3,手机,This is not a valid phone number.,12345,Invalid" in report
    # the upload is gone after the import; its report page stays
    assert client.get(response["Location"]).status_code == 200


def test_mapping_needs_name_and_phone(client, manager_a, members_csv):
    client.force_login(manager_a)
    token = token_of(upload(client, members_csv))

    response = client.post(
        f"{MAP_URL}?upload={token}", mapping_post([], ["full_name"], action="check")
    )

    assert response.status_code == 400
    assert "Choose the columns of Phone." in response.content.decode()
    assert Job.objects.count() == 0


def test_zip_bomb_upload_is_refused_with_a_message(client, manager_a, tmp_path):
    client.force_login(manager_a)

    response = upload(client, write_zip_bomb(tmp_path / "bomb.xlsx"))

    assert response.status_code == 400
    assert "zip bomb" in response.content.decode()


def test_another_users_upload_is_not_found(client, manager_a, make_staff, store_a, members_csv):
    client.force_login(manager_a)
    token = token_of(upload(client, members_csv))
    other = make_staff(role="store_manager", stores=[store_a], username="manager_2")

    client.force_login(other)

    assert client.get(f"{MAP_URL}?upload={token}").status_code == 404
    assert client.post(f"{MAP_URL}?upload={token}", {"action": "import"}).status_code == 404
    assert client.get(f"{MAP_URL}?upload=forged").status_code == 404


def test_default_store_of_another_store_is_refused(client, manager_a, store_b, tmp_path):
    client.force_login(manager_a)
    path = write_xlsx(tmp_path / "m.xlsx", [["王小明", 13800138000]], headers=["姓名", "手机"])
    token = token_of(upload(client, path))

    response = client.post(
        f"{MAP_URL}?upload={token}",
        mapping_post([], ["full_name", "phone"], default_store=store_b.pk, action="import"),
    )

    assert response.status_code == 400
    assert Job.objects.count() == 0
    assert Customer.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="customers.customer").exists()


def test_old_uploads_are_purged(settings, tmp_path):
    import os
    import time

    from guanxi.customers.services.imports import import_upload_purge, uploads_root

    settings.MEDIA_ROOT = str(tmp_path)
    uploads_root().mkdir(parents=True)
    old, new = uploads_root() / "old.csv", uploads_root() / "new.csv"
    old.write_text("x")
    new.write_text("x")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))

    assert import_upload_purge() == 1
    assert (old.exists(), new.exists()) == (False, True)
