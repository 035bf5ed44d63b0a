"""Importing orders: lines and totals, the member named in several ways, the rules across the
rows of one order, points, tiers, audit and timeline."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from guanxi.catalog.tests.factories import CategoryFactory, ProductFactory
from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.customers.imports.reading import ImportFileError, read_table
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory
from guanxi.customers.tests.imports.files import write_csv
from guanxi.loyalty.choices import AccountKind, TierChangeReason, TransactionKind
from guanxi.loyalty.models import (
    CategoryMultiplier,
    LedgerAccount,
    LedgerTransaction,
    PointLot,
    TierChange,
)
from guanxi.loyalty.services import card_issue, card_replace, ledger_reconcile
from guanxi.orders.choices import LineKind, OrderSource
from guanxi.orders.imports import cli  # noqa: F401 - the capability and the importer
from guanxi.orders.imports.mapping import resolve_mapping, suggest_mapping
from guanxi.orders.models import Order
from guanxi.orders.services import imports
from guanxi.orders.services.imports import (
    OrderImportOptions,
    order_import_rows,
    order_import_run,
)
from guanxi.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADERS = ["Order", "Time", "Customer", "SKU", "Quantity", "Unit price", "Amount", "Store"]


def run(tmp_path, rows, *, headers=HEADERS, actor=None, **options):
    path = write_csv(tmp_path / "orders.csv", rows, headers=headers)
    options.setdefault("dry_run", False)
    return order_import_run(
        path=path, options=OrderImportOptions(file_name="orders.csv", **options), actor=actor
    )


def issues(report):
    return [(i.row, i.column, i.reason) for i in report.issues]


@pytest.fixture
def wang(store_a):
    return CustomerFactory(
        home_store=store_a, full_name="王芳", phone="+8613800138000", external_id="OLD-7"
    )


@pytest.fixture
def cream(db):
    return ProductFactory(sku="CR-01", name_en="Night cream", price="128.00", cost="40.00")


def test_rows_of_one_reference_are_the_lines_of_one_order(tmp_path, store_a, wang, cream):
    serum = ProductFactory(sku="SE-02", name_en="Serum", price="99.00")
    rows = [
        ["A-1", "2026-03-08 15:30", "13800138000", "CR-01", "2", "125", "250.00", "a01"],
        ["B-9", "2026-03-09 10:00", "OLD-7", "", "", "", "88", "a01"],
        ["A-1", "2026-03-08 15:30", "13800138000", "se-02", "1", "", "99", "a01"],
    ]

    report = run(tmp_path, rows)

    assert issues(report) == []
    assert (report.orders, report.lines) == (2, 3)
    first = Order.objects.get(reference="A-1")
    assert first.source == OrderSource.IMPORT
    assert (first.customer_id, first.store_id) == (wang.pk, store_a.pk)
    assert (first.subtotal, first.total) == (Decimal("349.00"), Decimal("349.00"))
    assert first.ordered_at == datetime.datetime(2026, 3, 8, 7, 30, tzinfo=datetime.UTC)
    assert list(
        first.lines.values_list(
            "position",
            "kind",
            "product",
            "category",
            "sku",
            "description",
            "quantity",
            "unit_price",
            "unit_cost",
            "discount",
            "amount",
            "store",
        )
    ) == [
        (1, "product", cream.pk, cream.category_id, "CR-01", "Night cream", 2,
         Decimal("125.00"), Decimal("40.00"), Decimal("0.00"), Decimal("250.00"), store_a.pk),
        (2, "product", serum.pk, serum.category_id, "SE-02", "Serum", 1,
         Decimal("99.00"), None, Decimal("0.00"), Decimal("99.00"), store_a.pk),
    ]  # fmt: skip
    second = Order.objects.get(reference="B-9")
    assert list(second.lines.values_list("kind", "description", "quantity", "amount")) == [
        (LineKind.OTHER, "Imported sale", 1, Decimal("88.00"))
    ]
    assert second.payments.count() == 0


def test_quantity_times_unit_price_may_differ_from_the_amount_by_a_cent(
    tmp_path, store_a, wang, cream
):
    rows = [
        ["A-1", "2026-03-08 15:30", "13800138000", "CR-01", "3", "33.33", "99.98", "a01"],
        ["A-2", "2026-03-08 15:30", "13800138000", "CR-01", "3", "33.33", "100.00", "a01"],
        ["A-3", "2026-03-08 15:30", "13800138000", "CR-01", "3", "33.33", "100.01", "a01"],
    ]

    report = run(tmp_path, rows, skip_invalid=True)

    assert issues(report) == [
        (4, "Unit price", "Quantity × unit price is 99.99, but the amount is 100.01.")
    ]
    lines = {
        o.reference: (o.subtotal, *o.lines.values_list("unit_price", "discount", "amount").get())
        for o in Order.objects.all()
    }
    assert lines == {
        "A-1": (Decimal("99.99"), Decimal("33.33"), Decimal("0.01"), Decimal("99.98")),
        "A-2": (Decimal("100.00"), Decimal("33.33"), Decimal("0.00"), Decimal("100.00")),
    }


def test_the_member_is_found_by_phone_external_id_or_card_number(tmp_path, store_a, owner):
    by_phone = CustomerFactory(home_store=store_a, phone="+8613900000001")
    by_id = CustomerFactory(home_store=store_a, external_id="13900000002")
    card = card_issue(customer=CustomerFactory(home_store=store_a), actor=owner)
    old_number = card.number
    new_card = card_replace(card=card, actor=owner)
    rows = [
        ["P", "2026-03-08 10:00", "139-0000-0001", "", "", "", "10", "a01"],
        ["E", "2026-03-08 10:00", "13900000002", "", "", "", "10", "a01"],
        ["C", "2026-03-08 10:00", f" {new_card.number.lower()} ", "", "", "", "10", "a01"],
        ["R", "2026-03-08 10:00", old_number, "", "", "", "10", "a01"],
    ]

    report = run(tmp_path, rows)

    assert issues(report) == []
    found = {o.reference: (o.customer_id, o.membership_id, o.card_id) for o in Order.objects.all()}
    assert found == {
        "P": (by_phone.pk, None, None),
        "E": (by_id.pk, None, None),
        "C": (new_card.membership.customer_id, new_card.membership_id, new_card.pk),
        "R": (new_card.membership.customer_id, new_card.membership_id, card.pk),
    }


def test_a_value_that_names_two_customers_is_refused(tmp_path, store_a):
    CustomerFactory(home_store=store_a, phone="+8613900000001")
    CustomerFactory(home_store=store_a, external_id="13900000001")
    rows = [["P", "2026-03-08 10:00", "13900000001", "", "", "", "10", "a01"]]

    report = run(tmp_path, rows)

    assert issues(report) == [
        (
            2,
            "Customer",
            "This matches more than one customer (as a phone number, an external ID or a card "
            "number); use a separate column for each.",
        )
    ]
    assert Order.objects.count() == 0


def test_separate_member_columns(tmp_path, store_a, owner, wang):
    card = card_issue(customer=wang, actor=owner)
    other = CustomerFactory(home_store=store_a, phone="+8613900000009")
    headers = ["订单号", "时间", "手机", "会员号", "会员卡号", "金额", "门店"]
    rows = [
        ["A", "2026-03-08 10:00", "13800138000", "OLD-7", card.number, "10", "a01"],
        ["B", "2026-03-08 10:00", "", "", card.number, "10", "a01"],
        ["C", "2026-03-08 10:00", "13900000009", "OLD-7", "", "10", "a01"],
        ["D", "2026-03-08 10:00", "13700000000", "", "", "10", "a01"],
        ["E", "2026-03-08 10:00", "", "NOPE", "", "10", "a01"],
        ["F", "2026-03-08 10:00", "", "", "GX0000", "10", "a01"],
        ["G", "2026-03-08 10:00", "12345", "", "", "10", "a01"],
    ]

    report = run(tmp_path, rows, headers=headers, skip_invalid=True)

    assert issues(report) == [
        (4, "会员号", "The customer columns of this row name different customers."),
        (5, "手机", "No customer has this phone number."),
        (6, "会员号", "No customer has this external ID."),
        (7, "会员卡号", "No member card has this number."),
        (8, "手机", "This is not a valid phone number."),
    ]
    assert set(Order.objects.values_list("reference", "customer_id", "card_id")) == {
        ("A", wang.pk, card.pk),
        ("B", wang.pk, card.pk),
    }
    assert other.pk not in Order.objects.values_list("customer_id", flat=True)


def test_a_household_card_files_the_order_under_the_household(tmp_path, store_a, owner):
    household = HouseholdFactory(store=store_a)
    first = CustomerFactory(home_store=store_a, household=household, phone="+8613900000001")
    CustomerFactory(home_store=store_a, household=household)
    card = card_issue(customer=first, actor=owner)
    rows = [
        ["H-1", "2026-03-08 10:00", card.number, "", "", "", "10", "a01"],
        ["H-2", "2026-03-08 10:00", "13900000001", "", "", "", "10", "a01"],
    ]

    report = run(tmp_path, rows)

    assert issues(report) == []
    assert set(Order.objects.values_list("reference", "customer_id", "membership_id")) == {
        ("H-1", None, card.membership_id),
        ("H-2", first.pk, card.membership_id),
    }


def test_the_rows_of_one_order_must_agree(tmp_path, store_a, store_b, wang, cream):
    CustomerFactory(home_store=store_a, phone="+8613900000001")
    rows = [
        ["A", "2026-03-08 10:00", "13800138000", "CR-01", "1", "", "10", "a01"],
        ["A", "2026-03-08 10:00", "13900000001", "CR-01", "1", "", "10", "a01"],
        ["A", "2026-03-08 10:01", "", "CR-01", "1", "", "10", ""],
        ["A", "", "", "CR-01", "1", "", "10", "b01"],
        ["B", "2026-03-08 10:00", "13800138000", "CR-01", "1", "", "10", "a01"],
        ["B", "2026-03-08 10:00", "13800138000", "", "", "", "10", "a01"],
        ["C", "2026-03-08 10:00", "13800138000", "", "", "", "10", "a01"],
        ["C", "2026-03-08 10:00", "13800138000", "", "", "", "10", "a01"],
    ]

    report = run(tmp_path, rows, skip_invalid=True)

    assert issues(report) == [
        (3, "Customer", "Another customer than row 2 of the same order."),
        (4, "Time", "Another time of sale than row 2 of the same order."),
        (5, "Store", "Another store than row 2 of the same order."),
        (
            7,
            "SKU",
            "The SKU is missing: the rows of an order with several rows each name a product "
            "(row 6 has the same order reference).",
        ),
        (
            8,
            "SKU",
            "The SKU is missing: the rows of an order with several rows each name a product "
            "(row 9 has the same order reference).",
        ),
        (
            9,
            "SKU",
            "The SKU is missing: the rows of an order with several rows each name a product "
            "(row 8 has the same order reference).",
        ),
    ]
    assert report.invalid_orders == 3
    assert Order.objects.count() == 0


def test_blank_cells_of_later_rows_take_the_order_values(tmp_path, store_a, wang, cream):
    rows = [
        ["A", "2026-03-08 10:00", "13800138000", "CR-01", "1", "", "10", "a01"],
        ["A", "", "", "CR-01", "1", "", "20", ""],
    ]

    report = run(tmp_path, rows)

    assert issues(report) == []
    order = Order.objects.get()
    assert (order.customer_id, order.store_id, order.total) == (wang.pk, store_a.pk, 30)


def test_missing_cells_and_unknown_things(tmp_path, store_a, wang, cream):
    UserFactory(username="li.na")
    erased = CustomerFactory(home_store=store_a, phone="+8613900000005", erased_at=timezone.now())
    headers = [*HEADERS, "Staff"]
    rows = [
        ["", "2026-03-08 10:00", "13800138000", "", "", "", "10", "a01", ""],
        ["A", "", "13800138000", "", "", "", "10", "a01", ""],
        ["B", "2026-03-08 10:00", "", "", "", "", "10", "a01", ""],
        ["C", "2026-03-08 10:00", "13800138000", "", "", "", "", "a01", ""],
        ["D", "2026-03-08 10:00", "13800138000", "", "", "", "10", "", ""],
        ["E", "2026-03-08 10:00", "13800138000", "NOPE", "", "", "10", "a01", ""],
        ["F", "2026-03-08 10:00", "13800138000", "CR-01", "", "", "10", "zz", ""],
        ["G", "2026-03-08 10:00", "13800138000", "CR-01", "", "", "10", "a01", "Li.Na"],
        ["H", "2026-03-08 10:00", "13800138000", "CR-01", "", "", "10", "a01", "nobody"],
        ["I", "2026-03-08 10:00", erased.phone, "", "", "", "10", "a01", ""],
        ["J", "2026-03-08 10:00", "13800138000", "CR-01", "0", "", "10", "a01", ""],
    ]

    report = run(tmp_path, rows, headers=headers, skip_invalid=True)

    assert issues(report) == [
        (2, "Order", "The order reference is missing."),
        (3, "Time", "The time of sale is missing."),
        (4, "Customer", "The customer is missing."),
        (5, "Amount", "The amount is missing."),
        (6, "Store", "No store: fill in the store column or choose a default store."),
        (7, "SKU", "No product has this SKU."),
        (8, "Store", "No store has this code or name."),
        (10, "Staff", "No staff member has this username."),
        (11, "Customer", "This customer's personal data has been erased."),
        (12, "Quantity", "The quantity must be a whole number of at least 1."),
    ]
    order = Order.objects.get()
    assert order.reference == "G"
    assert order.lines.get().staff.username == "li.na"


def test_a_default_store_fills_rows_without_one(tmp_path, store_a, store_b, wang):
    rows = [
        ["A", "2026-03-08 10:00", "13800138000", "", "", "", "10", ""],
        ["B", "2026-03-08 10:00", "13800138000", "", "", "", "10", "b01"],
    ]

    run(tmp_path, rows, default_store_id=store_a.pk)

    assert dict(Order.objects.values_list("reference", "store_id")) == {
        "A": store_a.pk,
        "B": store_b.pk,
    }


def test_a_mapping_needs_the_required_columns_and_a_member():
    headers = ["订单号", "时间", "金额", "门店"]

    assert suggest_mapping(headers) == {
        "订单号": "reference",
        "时间": "ordered_at",
        "金额": "amount",
        "门店": "store",
    }
    with pytest.raises(ImportFileError) as error:
        resolve_mapping(headers, suggest_mapping(headers))
    assert error.value.message == (
        "No column names the customer: map a column to the customer, the phone, the external ID "
        "or the card number."
    )
    with pytest.raises(ImportFileError) as error:
        resolve_mapping(["手机", "金额"], {"手机": "phone", "金额": "amount"})
    assert error.value.message == "No column is mapped to Order reference, Time of sale."


def test_points_and_tier_with_award_points(tmp_path, store_a, owner, wang):
    skin = CategoryFactory()
    CategoryMultiplier.objects.create(category=skin, multiplier=Decimal("2.0"))
    ProductFactory(sku="CR-01", category=skin)
    ProductFactory(sku="SE-02")
    card = card_issue(customer=wang, actor=owner)
    rows = [
        ["A", "2026-03-08 10:00", "13800138000", "CR-01", "1", "", "1000.50", "a01"],
        ["A", "2026-03-08 10:00", "13800138000", "SE-02", "1", "", "2000.75", "a01"],
        ["B", "2026-03-09 10:00", "13800138000", "", "", "", "0.99", "a01"],
        # earned in 2023: expired at the start of 2025, so not awarded
        ["OLD", "2023-06-01 10:00", "13800138000", "", "", "", "500", "a01"],
    ]

    report = run(tmp_path, rows, award_points=True)

    # 1000.50 × 2 + 2000.75 = 4001.75 → 4001; 0.99 → 0; the 2023 order → 0
    assert issues(report) == []
    assert report.points == 4001
    orders = {o.reference: o for o in Order.objects.all()}
    assert {r: o.points_earned for r, o in orders.items()} == {"A": 4001, "B": 0, "OLD": 0}
    assert list(orders["A"].lines.values_list("points_earned", flat=True)) == [2001, 2000]
    account = LedgerAccount.objects.get(membership=card.membership, kind=AccountKind.POINTS)
    assert account.balance == 4001
    posting = LedgerTransaction.objects.get()
    assert (posting.kind, posting.reference) == (TransactionKind.IMPORT, f"order:{orders['A'].pk}")
    # the points expire as if earned at the time of the sale: at the end of the following year
    lot = PointLot.objects.get()
    assert timezone.localtime(lot.expires_at).isoformat() == "2028-01-01T00:00:00+08:00"
    assert ledger_reconcile() == []
    # 3,001.74 + 0.99 + 500 of spend: VIP, as at the checkout
    change = TierChange.objects.get()
    assert (change.to_level.name_en, change.reason, change.spend) == (
        "VIP",
        TierChangeReason.CHECKOUT,
        Decimal("3502.24"),
    )
    assert report.tier_upgrades == 1


def test_without_award_points_no_points_but_the_tier_follows(tmp_path, store_a, owner, wang):
    card = card_issue(customer=wang, actor=owner)
    rows = [["A", "2026-03-08 10:00", "13800138000", "", "", "", "12000", "a01"]]

    report = run(tmp_path, rows)

    assert report.points == 0
    assert Order.objects.get().points_earned == 0
    assert LedgerTransaction.objects.count() == 0
    card.membership.refresh_from_db()
    assert card.membership.tier.name_en == "VIP Health Star"
    assert report.summary() == (
        "Imported. New orders: 1 (lines: 1); already imported: 0; invalid rows skipped: 0. "
        "Memberships moved up a tier: 1."
    )


def test_audit_and_timeline(tmp_path, store_a, owner, wang):
    rows = [["A", "2026-03-08 10:00", "13800138000", "", "", "", "88", "a01"]]

    run(tmp_path, rows, actor=owner)

    order = Order.objects.get()
    assert order.created_by == owner
    audit = AuditEvent.objects.get(object_type="orders.order")
    assert (audit.actor_id, audit.object_pk, audit.store_id, audit.message) == (
        owner.pk,
        str(order.pk),
        store_a.pk,
        "Imported from orders.csv",
    )
    assert audit.changes["reference"] == [None, "A"]
    assert audit.changes["total"] == [None, "88.00"]
    assert audit.changes["lines"] == [None, [["Imported sale", 1, "88.00"]]]
    summary = AuditEvent.objects.get(object_type="orders.import")
    assert summary.changes["orders"] == 1
    event = TimelineEvent.objects.get(domain="orders")
    assert (event.customer_id, event.kind, event.occurred_at, event.object_pk) == (
        wang.pk,
        "purchase",
        order.ordered_at,
        str(order.pk),
    )
    assert event.title == f"Purchase {order.number}: CN¥88.00"


def test_a_batch_skips_references_saved_meanwhile(tmp_path, store_a, wang):
    rows = [["A", "2026-03-08 10:00", "13800138000", "", "", "", "88", "a01"]]
    report = run(tmp_path, rows, dry_run=True)
    assert report.orders == 1
    run(tmp_path, rows)
    from guanxi.orders.imports.validation import RowParser  # the checked order, built again

    parser = RowParser(
        headers=HEADERS,
        columns=resolve_mapping(HEADERS, suggest_mapping(HEADERS)),
        actor=None,
        default_store_id=None,
        now=timezone.now(),
    )
    parsed = [parser.parse(2, rows[0])]
    parser.resolve_members(parsed)
    order = parser.assemble(parsed)

    result = order_import_rows(orders=[order], actor=None)

    assert (result.orders, result.already_imported) == (0, 1)
    assert Order.objects.count() == 1


def test_a_sales_assistant_may_not_import(tmp_path, sales_a):
    rows = [["A", "2026-03-08 10:00", "13800138000", "", "", "", "88", "a01"]]

    with pytest.raises(PermissionDenied):
        run(tmp_path, rows, actor=sales_a)

    assert Order.objects.count() == 0


def test_the_example_file_of_the_user_guide_maps_every_column():
    example = Path(__file__).resolve().parents[4] / "docs" / "examples" / "orders-import.csv"
    table = read_table(example)

    columns = resolve_mapping(table.headers, suggest_mapping(table.headers))

    assert list(columns.values()) == [
        "reference", "ordered_at", "customer", "sku", "quantity", "unit_price", "amount",
        "store", "staff",
    ]  # fmt: skip
    assert [cells[0] for _number, cells in table.rows] == [
        "POS-20260301-001", "POS-20260301-001", "POS-20260301-002", "POS-20260302-001",
        "POS-20260302-002",
    ]  # fmt: skip


def test_a_batch_that_collides_with_another_import_is_retried_once(
    tmp_path, store_a, wang, monkeypatch
):
    rows = [["A", "2026-03-08 10:00", "13800138000", "", "", "", "88", "a01"]]
    run(tmp_path, rows)
    real = imports.imported_references
    calls = []

    def blind_twice(references):
        # another import saved "A" after this one looked: the first attempt does not see it
        calls.append(1)
        return set() if len(calls) <= 2 else real(references)

    monkeypatch.setattr(imports, "imported_references", blind_twice)

    report = run(tmp_path, rows)

    assert len(calls) == 3
    assert (report.orders, report.already_imported) == (0, 1)
    assert Order.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="orders.order").count() == 1


def test_an_imported_order_can_be_returned_without_payments(tmp_path, store_a, wang, cream, owner):
    """The money of an imported sale went back through the other system: the return records
    the goods and reverses the spend, and refunds nothing here."""
    from guanxi.orders.models import Refund
    from guanxi.orders.services import order_return

    run(tmp_path, [["R-1", "2026-03-08 15:30", "13800138000", "CR-01", "2", "", "256", "a01"]])
    order = Order.objects.get(reference="R-1")

    returned = order_return(order=order, lines=[(order.lines.get(), 1)], actor=owner)

    order.refresh_from_db()
    assert returned.amount == Decimal("128.00")
    assert order.returned_total == Decimal("128.00")
    assert order.lines.get().quantity_returned == 1
    assert Refund.objects.filter(order_return=returned).count() == 0
    assert ledger_reconcile() == []
