"""Importing customers: the dry run, all-or-nothing or skip-invalid commits, upserts, audit."""

import datetime

import pytest
from django.utils import timezone

from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.customers.imports.reading import ImportFileError
from guanxi.customers.models import ConsentEvent, Customer
from guanxi.customers.services.imports import ImportOptions, customer_import_run
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.customers.tests.imports.files import write_csv, write_xlsx

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲"


def run(path, *, actor=None, **options):
    options.setdefault("file_name", path.name)
    return customer_import_run(path=path, options=ImportOptions(**options), actor=actor)


def acceptance_rows():
    """10,000 rows of which 500 (every 20th) are bad in one of four ways; returns the rows and
    {spreadsheet row: reason}."""
    rows, bad = [], {}
    for i in range(10_000):
        number = i + 2  # the header is row 1
        name = SURNAMES[i % 20] + GIVEN[(i // 20) % len(GIVEN)] + GIVEN[(i // 600) % len(GIVEN)]
        phone = f"139{i:08d}"
        if i % 7 == 3:
            phone = f"{phone}.0"  # a spreadsheet's float
        birthday = f"{1950 + i % 50}/{1 + i % 12}/{1 + i % 28}"
        row = [name, phone, birthday, "女" if i % 2 else "男", f"m{i}@example.cn", "a01"]
        if i % 20 == 19:
            kind = (i // 20) % 4
            if kind == 0:
                row[1] = "12345"
                bad[number] = "This is not a valid phone number."
            elif kind == 1:
                row[2] = "2023-02-30"
                bad[number] = "This date does not exist."
            elif kind == 2:
                row[1] = rows[-1][1]  # the phone of the (good) row before
                bad[number] = f"The same phone number as row {number - 1}."
            else:
                row[0] = ""
                bad[number] = "The name is missing."
        rows.append(row)
    return rows, bad


def test_gbk_file_of_10000_with_500_bad_rows(tmp_path, store_a):
    # given a GBK-encoded CSV of 10,000 customers, 500 of them bad
    rows, bad = acceptance_rows()
    path = write_csv(tmp_path / "members.csv", rows, encoding="gbk")

    # when it is checked
    report = run(path, dry_run=True)

    # then exactly those 500 rows are reported, each with its reason, and nothing is saved
    assert report.encoding == "gb18030"
    assert report.rows == 10_000
    assert {issue.row: issue.reason for issue in report.issues} == bad
    assert len(report.issues) == 500
    assert (report.created, report.updated, report.unchanged) == (9_500, 0, 0)
    assert Customer.objects.count() == 0

    # when it is imported skipping the invalid rows
    report = run(path, dry_run=False, skip_invalid=True)

    # then the other 9,500 are in, with their derived keys and one audit row each
    assert report.committed is True
    assert (report.created, report.updated, report.invalid_rows) == (9_500, 0, 500)
    assert Customer.objects.count() == 9_500
    first = Customer.objects.get(phone="+8613900000000")
    assert (first.full_name, first.birthday, first.gender, first.source) == (
        "王伟伟",
        datetime.date(1950, 1, 1),
        "male",
        "import",
    )
    assert (first.name_key, first.phone_last4, first.birth_month) == ("王伟伟", "0000", 1)
    assert first.search_key == "王伟伟 王偉偉 wangweiwei www"
    assert first.completeness > 0
    assert Customer.objects.filter(phone="+8613900000003").exists()  # recovered from "….0"
    assert AuditEvent.objects.filter(object_type="customers.customer").count() == 9_500
    assert TimelineEvent.objects.filter(kind="created").count() == 9_500
    audits = AuditEvent.objects.count()
    updated_at = Customer.objects.order_by("pk").values_list("updated_at", flat=True)[0]

    # when the same file is imported again
    report = run(path, dry_run=False, skip_invalid=True)

    # then nothing changes: no new customer, no update, no audit row
    assert (report.created, report.updated, report.unchanged) == (0, 0, 9_500)
    assert Customer.objects.count() == 9_500
    assert AuditEvent.objects.count() == audits
    assert Customer.objects.order_by("pk").values_list("updated_at", flat=True)[0] == updated_at


def test_all_or_nothing_writes_nothing_when_a_row_is_invalid(tmp_path, store_a):
    path = write_csv(
        tmp_path / "m.csv",
        [["王小明", "13800138000", "", "", "", "a01"], ["李四", "1.38001E+10", "", "", "", "a01"]],
    )

    report = run(path, dry_run=False)

    assert report.committed is False
    assert report.summary() == (
        "Nothing imported: 1 row is invalid. Correct it, or import skipping invalid rows."
    )
    assert [(i.row, i.column, i.reason) for i in report.issues] == [
        (3, "手机", "The spreadsheet rounded this number; digits were lost.")
    ]
    assert Customer.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_big5_csv_keeps_traditional_names(tmp_path, store_a):
    names = ["陳靜怡", "黃國強", "鍾麗華", "謝寶釵"]
    path = write_csv(
        tmp_path / "big5.csv",
        [[n, f"1380013800{i}"] for i, n in enumerate(names)],
        headers=["姓名", "手機"],
        encoding="big5",
    )

    report = run(path, dry_run=False, encoding="big5", default_store_id=store_a.pk)

    assert report.created == 4
    assert list(Customer.objects.order_by("phone").values_list("full_name", flat=True)) == names


def test_xlsx_of_traditional_names_with_excel_cells(tmp_path, store_a):
    # given an XLSX with number phones, a date cell, a serial date and traditional names
    path = write_xlsx(
        tmp_path / "members.xlsx",
        [
            ["陳靜怡", 13800138000, datetime.datetime(1990, 5, 17), "女", "", "a01"],
            ["黃國強", 13900139000.0, 32874, "男", "", "Store A"],
            ["鍾麗華", "1.3700137E+10", "1985年3月2日", "F", "", "A01"],
        ],
        headers=["姓名", "手機", "生日", "性別", "郵箱", "門店"],
    )

    report = run(path, dry_run=False)

    assert report.issues == []
    assert list(
        Customer.objects.order_by("phone").values_list("full_name", "phone", "birthday", "gender")
    ) == [
        ("鍾麗華", "+8613700137000", datetime.date(1985, 3, 2), "female"),
        ("陳靜怡", "+8613800138000", datetime.date(1990, 5, 17), "female"),
        ("黃國強", "+8613900139000", datetime.date(1990, 1, 1), "male"),
    ]


def test_update_by_phone_changes_only_given_fields_and_is_audited(tmp_path, store_a):
    # given a customer whose email is known and whose birthday is not
    customer = CustomerFactory(
        full_name="王小明", phone="+8613800138000", email="old@example.cn", home_store=store_a
    )
    path = write_csv(tmp_path / "m.csv", [["王小明", "138 0013 8000", "1990-05-17", "", "", ""]])

    # when a file with the birthday (and a blank email) is imported
    report = run(path, dry_run=False, default_store_id=store_a.pk)

    # then the birthday is set, the email kept, and the change audited
    customer.refresh_from_db()
    assert (report.created, report.updated) == (0, 1)
    assert (customer.birthday, customer.email, customer.birth_month) == (
        datetime.date(1990, 5, 17),
        "old@example.cn",
        5,
    )
    audit = AuditEvent.objects.get(object_type="customers.customer", action="update")
    assert audit.object_pk == str(customer.pk)
    assert audit.changes["birthday"] == [None, "1990-05-17"]
    assert audit.message == "Imported from m.csv"


def test_upsert_by_external_id_changes_the_phone(tmp_path, store_a):
    customer = CustomerFactory(phone="+8613800138000", external_id="VIP-7", home_store=store_a)
    path = write_csv(
        tmp_path / "m.csv", [["王小明", "13900139000", "VIP-7"]], headers=["姓名", "手机", "会员号"]
    )

    report = run(path, dry_run=False, default_store_id=store_a.pk)

    customer.refresh_from_db()
    assert report.updated == 1
    assert (customer.phone, customer.phone_last4, customer.full_name) == (
        "+8613900139000",
        "9000",
        "王小明",
    )


def test_consent_columns_record_consent_events(tmp_path, store_a):
    path = write_csv(
        tmp_path / "m.csv",
        [["王小明", "13800138000", "是", "否"], ["李四", "13900139000", "", "yes"]],
        headers=["姓名", "手机", "短信", "微信"],
    )

    run(path, dry_run=False, default_store_id=store_a.pk)

    wang = Customer.objects.get(phone="+8613800138000")
    li = Customer.objects.get(phone="+8613900139000")
    assert (wang.consent_sms, wang.consent_wechat, li.consent_sms, li.consent_wechat) == (
        True,
        False,
        False,
        True,
    )
    assert sorted(
        ConsentEvent.objects.values_list("customer__full_name", "purpose", "granted", "source")
    ) == [("李四", "wechat", True, "import"), ("王小明", "sms", True, "import")]

    # when the opt-in is withdrawn in a later file
    path = write_csv(
        tmp_path / "m2.csv", [["王小明", "13800138000", "否"]], headers=["姓名", "手机", "短信"]
    )
    run(path, dry_run=False, default_store_id=store_a.pk)

    wang.refresh_from_db()
    assert wang.consent_sms is False
    assert ConsentEvent.objects.filter(customer=wang, purpose="sms").count() == 2


def test_store_manager_cannot_import_into_or_over_another_store(
    tmp_path, store_a, store_b, manager_a
):
    # given a customer of store B
    other = CustomerFactory(full_name="林先生", phone="+8613700137000", home_store=store_b)
    path = write_csv(
        tmp_path / "m.csv",
        [
            ["王小明", "13800138000", "", "", "", "b01"],
            ["林先生改名", "13700137000", "", "", "", "a01"],
        ],
    )

    # when a store manager of store A imports rows naming store B and store B's customer
    report = run(path, actor=manager_a, dry_run=False, skip_invalid=True)

    # then both rows are refused and store B's customer is untouched
    assert [(i.row, i.reason) for i in report.issues] == [
        (2, "Unknown store, or a store you do not work in."),
        (3, "This customer is registered in a store you do not work in."),
    ]
    other.refresh_from_db()
    assert other.full_name == "林先生"
    assert Customer.objects.count() == 1


def test_default_store_must_be_one_the_user_works_in(tmp_path, store_b, manager_a):
    path = write_csv(tmp_path / "m.csv", [["王小明", "13800138000"]], headers=["姓名", "手机"])

    with pytest.raises(Exception, match="You do not work in this store."):
        run(path, actor=manager_a, dry_run=True, default_store_id=store_b.pk)


def test_responsible_staff_must_work_in_the_store(tmp_path, store_a, store_b, sales_a, make_staff):
    make_staff(username="zhou_b", stores=[store_b])
    path = write_csv(
        tmp_path / "m.csv",
        [["王小明", "13800138000", "sales_a"], ["李四", "13900139000", "zhou_b"]],
        headers=["姓名", "手机", "负责人"],
    )

    report = run(path, dry_run=False, skip_invalid=True, default_store_id=store_a.pk)

    assert [(i.row, i.reason) for i in report.issues] == [
        (3, "This staff member does not work in the customer's store.")
    ]
    assert Customer.objects.get().responsible_staff == sales_a


def test_same_name_and_birthday_is_a_warning(tmp_path, store_a):
    CustomerFactory(
        full_name="陳小明",
        phone="+8613700137000",
        birthday=datetime.date(1990, 1, 2),
        home_store=store_a,
    )
    path = write_csv(
        tmp_path / "m.csv",
        [["陈小明", "13800138000", "1990-01-02"], ["陈 小明", "13900139000", "1990-01-02"]],
        headers=["姓名", "手机", "生日"],
    )

    report = run(path, dry_run=True, default_store_id=store_a.pk)

    assert report.issues == []
    assert [(w.row, w.reason) for w in report.warnings] == [
        (
            2,
            "Same name and birthday as the customer 陳小明 (phone ending 7000): possibly the "
            "same person.",
        ),
        (3, "Same name and birthday as row 2: possibly the same person."),
        (
            3,
            "Same name and birthday as the customer 陳小明 (phone ending 7000): possibly the "
            "same person.",
        ),
    ]
    assert report.created == 2


def test_summary_audit_row_of_a_commit(tmp_path, store_a, owner):
    path = write_csv(tmp_path / "m.csv", [["王小明", "13800138000"]], headers=["姓名", "手机"])

    run(path, actor=owner, dry_run=False, default_store_id=store_a.pk)

    summary = AuditEvent.objects.get(object_type="customers.import")
    assert (summary.actor, summary.object_repr, summary.changes["created"]) == (owner, "m.csv", 1)
    created = AuditEvent.objects.get(object_type="customers.customer")
    assert (created.actor, created.action, created.store_id) == (owner, "create", store_a.pk)
    assert created.changes["phone"] == [None, "+8613800138000"]
    assert created.created_at <= timezone.now()


def test_mapping_without_phone_is_refused(tmp_path, store_a):
    path = write_csv(tmp_path / "m.csv", [["王小明", "x"]], headers=["姓名", "备注"])

    with pytest.raises(ImportFileError, match="No column is mapped to Phone."):
        run(path, dry_run=True)
