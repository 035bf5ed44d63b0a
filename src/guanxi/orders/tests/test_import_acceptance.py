"""The acceptance of the order import: a file of 1,000 orders and about 2,500 lines with 50 bad
rows is checked, imported skipping the bad orders (with points), imported again without any
change; GBK and XLSX files; a store manager's import stays in their stores."""

import datetime
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from guanxi.catalog.tests.factories import ProductFactory
from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.core.permissions import Role
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.customers.tests.imports.files import write_csv, write_xlsx
from guanxi.loyalty.choices import AccountKind, TransactionKind
from guanxi.loyalty.models import LedgerAccount, LedgerEntry, LedgerTransaction, Membership
from guanxi.loyalty.services import card_issue, ledger_reconcile
from guanxi.orders.choices import OrderSource
from guanxi.orders.imports import cli  # noqa: F401 - the capability and the importer
from guanxi.orders.models import Order, OrderLine, Payment
from guanxi.orders.services.imports import OrderImportOptions, order_import_run
from guanxi.orders.tests.import_files import HEADERS, Member, order_file
from guanxi.staff.tests.factories import StoreFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 1, 1, 9, 0)  # local time, Asia/Shanghai
TIERS = ((Decimal(30000), "VIP Health Angel"), (Decimal(10000), "VIP Health Star"))
TIERS += ((Decimal(3000), "VIP"), (Decimal(0), "Regular"))


def call(*args):
    """Run ``guanxi import``; (exit status, output lines)."""
    out = StringIO()
    try:
        call_command("import", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


@pytest.fixture
def world(store_a, owner):
    """Two stores (one named in Chinese), 20 products, 3 staff and 60 members: 20 named by
    phone (10 of them with a card), 20 by external ID, 20 by card number."""
    jingan = StoreFactory(name="静安店", code="ja01")
    skus = []
    for n in range(20):
        product = ProductFactory(sku=f"SKU-{n:03d}", price=f"{19 + 7 * n}.90")
        skus.append((product.sku, Decimal(product.price)))
    staff = [UserFactory(username=name).username for name in ("zhang.wei", "li.na", "wang.fang")]
    members = []
    for n in range(60):
        customer = CustomerFactory(
            home_store=store_a if n % 2 else jingan,
            phone=f"+86139000000{n:02d}",
            external_id=f"M-{n:04d}" if 20 <= n < 40 else None,
        )
        card = card_issue(customer=customer, actor=owner) if n < 10 or n >= 40 else None
        if n < 20:
            key = f"139 0000 00{n:02d}" if n % 3 else f"+86 139000000{n:02d}"
        elif n < 40:
            key = customer.external_id
        else:
            key = card.number.lower() if n % 4 == 0 else card.number
        members.append(Member(key, customer.pk, card.membership_id if card is not None else None))
    data = order_file(
        members=members,
        skus=skus,
        stores=["a01", "静安店"],
        staff=staff,
        orders=1000,
        bad=50,
        start=START,
    )
    return SimpleNamespace(jingan=jingan, members=members, file=data)


def expected_points(data):
    """Points per membership: the base rate is 1 point per yuan and every member is on the
    lowest tier (multiplier 1) while the file is imported; one rounding per order."""
    points = defaultdict(int)
    for member, total, _lines in data.good.values():
        if member.membership_id is not None:
            points[member.membership_id] += int(total.to_integral_value(rounding=ROUND_FLOOR))
    return dict(points)


def snapshot():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        AuditEvent.objects.count(),
        TimelineEvent.objects.count(),
        LedgerEntry.objects.count(),
        sorted(LedgerAccount.objects.values_list("pk", "balance")),
        sorted(Membership.objects.values_list("pk", "tier_id")),
    )


def test_the_file_has_the_size_of_the_acceptance(world):
    assert len(world.file.good) + len(world.file.bad_references) == 1000
    assert 2400 <= len(world.file.rows) <= 2600
    assert len(world.file.bad) == 50


def test_dry_run_reports_exactly_the_bad_rows_with_column_and_reason(tmp_path, world):
    path = write_csv(tmp_path / "orders.csv", world.file.rows, headers=HEADERS)

    report = order_import_run(
        path=path, options=OrderImportOptions(file_name="orders.csv"), actor=None
    )

    found = {issue.row: (issue.column, issue.reason) for issue in report.issues}
    assert found == world.file.bad
    assert len(report.issues) == 50
    assert report.rows == len(world.file.rows)
    assert report.orders == 950
    assert report.lines == sum(lines for _m, _t, lines in world.file.good.values())
    assert report.invalid_orders == 50
    assert Order.objects.count() == 0


def test_all_or_nothing_writes_nothing_when_a_row_is_invalid(tmp_path, world):
    path = write_csv(tmp_path / "orders.csv", world.file.rows, headers=HEADERS)
    before = snapshot()

    status, output = call("orders", str(path))

    assert status == 1
    assert output[-1] == (
        "Nothing imported: 50 rows are invalid. Correct them, or import skipping invalid rows."
    )
    assert snapshot() == before


def test_skip_invalid_with_points_then_a_second_import_changes_nothing(tmp_path, world):
    path = write_csv(tmp_path / "orders.csv", world.file.rows, headers=HEADERS)
    good = world.file.good
    lines = sum(count for _m, _t, count in good.values())
    points = expected_points(world.file)

    # when the file is imported skipping the invalid orders, with points
    status, output = call("orders", str(path), "--skip-invalid", "--award-points")

    # then every good order is there with its total, member, lines and no payment
    assert status == 1
    assert len([line for line in output if line.startswith("invalid: ")]) == 50
    orders = Order.objects.filter(source=OrderSource.IMPORT)
    assert orders.count() == 950
    assert OrderLine.objects.count() == lines
    assert Payment.objects.count() == 0
    assert not orders.filter(reference__in=world.file.bad_references).exists()
    totals = dict(orders.values_list("reference", "total"))
    assert totals == {reference: total for reference, (_m, total, _n) in good.items()}
    customers = dict(orders.values_list("reference", "customer_id"))
    assert customers == {reference: m.customer_id for reference, (m, _t, _n) in good.items()}
    memberships = dict(orders.values_list("reference", "membership_id"))
    assert memberships == {reference: m.membership_id for reference, (m, _t, _n) in good.items()}
    # the points: exactly the expected, through import postings, and the ledger reconciles
    balances = dict(
        LedgerAccount.objects.filter(kind=AccountKind.POINTS).values_list(
            "membership_id", "balance"
        )
    )
    assert {pk: int(balance) for pk, balance in balances.items() if balance} == points
    assert sum(orders.values_list("points_earned", flat=True)) == sum(points.values())
    assert set(LedgerTransaction.objects.values_list("kind", flat=True)) == {TransactionKind.IMPORT}
    assert ledger_reconcile() == []
    # the tiers: every membership where its spend puts it (upgrades only)
    spend = defaultdict(Decimal)
    for member, total, _n in good.values():
        if member.membership_id is not None:
            spend[member.membership_id] += total
    tiers = dict(Membership.objects.values_list("pk", "tier__name_en"))
    expected_tiers = {
        pk: next(name for threshold, name in TIERS if amount >= threshold)
        for pk, amount in spend.items()
    }
    assert {pk: tiers[pk] or "Regular" for pk in spend} == expected_tiers
    upgrades = sum(1 for name in expected_tiers.values() if name != "Regular")
    assert output[-1] == (
        f"Imported. New orders: 950 (lines: {lines}); already imported: 0; invalid rows "
        f"skipped: 50. Points awarded: {sum(points.values())}; memberships moved up a tier: "
        f"{upgrades}."
    )
    # one audit row per order and one for the import
    assert AuditEvent.objects.filter(object_type="orders.order").count() == 950
    summary = AuditEvent.objects.get(object_type="orders.import")
    assert summary.changes["orders"] == 950
    assert summary.changes["invalid_rows"] == 50

    # when the same file is imported again
    before = snapshot()
    status, output = call("orders", str(path), "--skip-invalid", "--award-points")

    # then nothing changes
    assert status == 1
    assert snapshot() == before
    assert output[-1] == (
        "Imported. New orders: 0 (lines: 0); already imported: 950; invalid rows skipped: 50. "
        "Points awarded: 0; memberships moved up a tier: 0."
    )


def test_a_gbk_file_keeps_the_chinese_names(tmp_path, world):
    path = write_csv(tmp_path / "orders.csv", world.file.rows, headers=HEADERS, encoding="gbk")

    report = order_import_run(
        path=path,
        options=OrderImportOptions(file_name="orders.csv", dry_run=False, skip_invalid=True),
        actor=None,
    )

    assert report.encoding == "gb18030"
    assert {issue.row: (issue.column, issue.reason) for issue in report.issues} == world.file.bad
    unknown = next(i for i in report.issues if i.reason == "No store has this code or name.")
    assert (unknown.column, unknown.value) == ("门店", "徐汇店")
    in_jingan = {
        row[0] for row in world.file.rows if row[7] == "静安店"
    } - world.file.bad_references
    assert (
        set(Order.objects.filter(store=world.jingan).values_list("reference", flat=True))
        == in_jingan
    )


def test_an_xlsx_file_with_typed_cells(tmp_path, world, store_a):
    member = world.members[1]
    rows = [
        ["X-1", datetime.datetime(2026, 3, 8, 15, 30), member.key, "SKU-002", 2, 33.9, 67.8, "a01"],
        ["X-1", datetime.datetime(2026, 3, 8, 15, 30), member.key, "SKU-003", 1, None, 40.9, "a01"],
        ["X-2", datetime.date(2026, 3, 9), member.key, None, None, None, 1280, "静安店"],
    ]
    path = write_xlsx(tmp_path / "orders.xlsx", rows, headers=HEADERS[:8])

    report = order_import_run(
        path=path, options=OrderImportOptions(file_name="orders.xlsx", dry_run=False), actor=None
    )

    assert report.kind == "xlsx"
    assert report.issues == []
    first = Order.objects.get(reference="X-1")
    assert first.ordered_at == datetime.datetime(2026, 3, 8, 7, 30, tzinfo=datetime.UTC)
    assert (first.store_id, first.total) == (store_a.pk, Decimal("108.70"))
    assert list(first.lines.values_list("sku", "quantity", "unit_price", "amount")) == [
        ("SKU-002", 2, Decimal("33.90"), Decimal("67.80")),
        ("SKU-003", 1, Decimal("40.90"), Decimal("40.90")),
    ]
    second = Order.objects.get(reference="X-2")
    assert second.ordered_at == datetime.datetime(2026, 3, 8, 16, 0, tzinfo=datetime.UTC)
    assert (second.store_id, second.total) == (world.jingan.pk, Decimal("1280.00"))
    assert list(second.lines.values_list("kind", "quantity", "amount")) == [
        ("other", 1, Decimal("1280.00"))
    ]


def test_a_store_manager_cannot_import_into_another_store(tmp_path, world, make_staff, store_a):
    manager = make_staff(role=Role.STORE_MANAGER, stores=[store_a], username="manager_a")
    home = dict(Customer.objects.values_list("pk", "home_store_id"))
    in_a = next(m for m in world.members if home[m.customer_id] == store_a.pk)
    elsewhere = next(m for m in world.members if home[m.customer_id] != store_a.pk)
    rows = [
        ["M-1", "2026-05-01 10:00", in_a.key, "", "", "", "100", "a01", ""],
        ["M-2", "2026-05-01 11:00", in_a.key, "", "", "", "100", "静安店", ""],
        ["M-3", "2026-05-01 12:00", elsewhere.key, "", "", "", "100", "a01", ""],
    ]
    path = write_csv(tmp_path / "orders.csv", rows, headers=HEADERS)

    report = order_import_run(
        path=path,
        options=OrderImportOptions(file_name="orders.csv", dry_run=False, skip_invalid=True),
        actor=manager,
    )

    assert [(i.row, i.column, i.reason) for i in report.issues] == [
        (3, "门店", "You do not work in this store."),
        (4, "客户", "This customer is registered in a store you do not work in."),
    ]
    assert list(Order.objects.values_list("reference", "store_id")) == [("M-1", store_a.pk)]
    with pytest.raises(ApplicationError, match="You do not work in this store."):
        order_import_run(
            path=path,
            options=OrderImportOptions(file_name="orders.csv", default_store_id=world.jingan.pk),
            actor=manager,
        )
