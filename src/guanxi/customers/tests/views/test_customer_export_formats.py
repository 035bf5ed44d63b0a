import csv
import io

import openpyxl
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.core.choices import AuditAction, JobStatus
from guanxi.core.exports import FORMULA_PREFIXES
from guanxi.core.models import AuditEvent, Job
from guanxi.customers.models import SensitiveProfile
from guanxi.customers.services import exports as export_service
from guanxi.customers.tests.factories import CustomerFactory

URL = reverse("customers:customer-export")
E164_PHONE = r"+8613800138000"


def xlsx_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows())


def csv_rows(response):
    raw = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_xlsx_writes_phones_as_text_cells(client, store_a, manager_a):
    CustomerFactory(home_store=store_a, full_name="王芳", phone=E164_PHONE)
    client.force_login(manager_a)

    response = client.get(URL, {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    header, row = xlsx_rows(response.content)
    assert [c.value for c in header[:3]] == ["ID", "Full name", "Phone"]
    phone = row[2]
    assert (phone.value, phone.data_type, phone.number_format) == (E164_PHONE, "s", "@")
    assert phone.quotePrefix is True
    assert row[1].value == "王芳"
    audit = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert audit.changes == {"filters": {}, "rows": 1, "format": "xlsx"}


def test_erased_customers_are_not_exported(client, store_a, owner):
    CustomerFactory(home_store=store_a, full_name="Kept Wang")
    CustomerFactory(home_store=store_a, full_name="Erased customer #9", erased_at=timezone.now())
    client.force_login(owner)

    rows = csv_rows(client.get(URL))

    assert [row[1] for row in rows[1:]] == ["Kept Wang"]


def test_sensitive_columns_only_for_allowed_roles_and_consenting_customers(
    client, store_a, manager_a, marketer_a
):
    yes = CustomerFactory(home_store=store_a, full_name="Yes Lin", consent_sensitive=True)
    no = CustomerFactory(home_store=store_a, full_name="No Lin", consent_sensitive=False)
    SensitiveProfile.objects.create(customer=yes, skin_type="dry", health_notes="Asthma")
    SensitiveProfile.objects.create(customer=no, skin_type="oily", health_notes="Diabetic")

    client.force_login(manager_a)
    rows = csv_rows(client.get(URL, {"sensitive": "1"}))
    by_name = {row[1]: row for row in rows[1:]}
    assert rows[0][-3:] == ["Skin type", "Skin concerns", "Health notes"]
    assert by_name["Yes Lin"][-3:] == ["Dry", "", "Asthma"]
    assert by_name["No Lin"][-3:] == ["", "", ""]
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE).count() == 1

    client.force_login(marketer_a)  # may export, may not see sensitive data
    rows = csv_rows(client.get(URL, {"sensitive": "1"}))
    assert "Health notes" not in rows[0]
    assert not any("Asthma" in cell for row in rows for cell in row)


def test_a_large_export_runs_as_a_job_with_a_download(
    client, store_a, owner, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(export_service, "BACKGROUND_THRESHOLD", 2)
    for n in range(3):
        CustomerFactory(home_store=store_a, full_name=f"=Bulk {n}")
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL, {"format": "xlsx", "store": store_a.pk})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job-detail", kwargs={"pk": job.pk})
    assert (job.status, job.kind, job.result["rows"]) == (
        JobStatus.SUCCEEDED,
        "customers.export",
        3,
    )
    download = client.get(reverse("core:job-download", kwargs={"pk": job.pk}))
    rows = xlsx_rows(b"".join(download.streaming_content))
    assert sorted(r[1].value for r in rows[1:]) == ["'=Bulk 0", "'=Bulk 1", "'=Bulk 2"]
    audit = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert audit.changes == {"filters": {"store_id": store_a.pk}, "rows": 3, "format": "xlsx"}


NASTY_PREFIX = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "", "a", "王"])
NASTY_TEXT = st.builds(
    lambda prefix, rest: prefix + rest,
    NASTY_PREFIX,
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        max_size=30,
    ),
)


def dangerous(value):
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=NASTY_TEXT.filter(lambda s: s.strip()), hobbies=NASTY_TEXT, street=NASTY_TEXT)
def test_no_exported_cell_can_run_as_a_formula(client, store_a, owner, name, hobbies, street):
    # given a customer whose free text is whatever a hostile form could hold
    CustomerFactory(
        home_store=store_a, full_name=name[:100], hobbies=hobbies[:300], street=street[:200]
    )
    client.force_login(owner)

    # when exported in both formats
    csv_cells = [cell for row in csv_rows(client.get(URL)) for cell in row]
    xlsx_cells = [c for row in xlsx_rows(client.get(URL, {"format": "xlsx"}).content) for c in row]

    # then every cell that starts like a formula is neutralised: an apostrophe first in CSV and
    # XLSX, or (only for a phone) a text cell in text format with Excel's quote prefix
    assert [c for c in csv_cells if dangerous(c)] == []
    unsafe = [
        c.value
        for c in xlsx_cells
        if dangerous(c.value) and not (c.column == 3 and c.number_format == "@" and c.quotePrefix)
    ]
    assert unsafe == []
    assert {c.data_type for c in xlsx_cells if isinstance(c.value, str)} <= {"s"}
