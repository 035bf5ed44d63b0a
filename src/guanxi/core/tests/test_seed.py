import datetime
import hashlib
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction

from guanxi.core import seeding
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.core.seeding import demo_password, seed_run, seeder_register, seeders

# Through the app registry: core may not import the domains above it (import-linter layers).
Customer = apps.get_model("customers", "Customer")
ConsentEvent = apps.get_model("customers", "ConsentEvent")
Household = apps.get_model("customers", "Household")
SensitiveProfile = apps.get_model("customers", "SensitiveProfile")
Tag = apps.get_model("customers", "Tag")
Organisation = apps.get_model("staff", "Organisation")
Store = apps.get_model("staff", "Store")
User = apps.get_model("staff", "User")

TODAY = "2026-03-15"
PHONE = re.compile(r"^\+861[3-9]\d{9}$")


def seed(*args, stderr=None, **kwargs):
    out = StringIO()
    call_command(
        "seed", f"--today={TODAY}", *args, stdout=out, stderr=stderr or StringIO(), **kwargs
    )
    return out.getvalue()


def digest():
    """A fingerprint of the seeded rows by natural keys, so that primary keys do not matter."""
    rows = [Organisation.objects.get().name]
    rows += list(
        Store.objects.order_by("code").values_list(
            "code", "name", "address", "phone", "opening_hours", "created_at"
        )
    )
    for user in User.objects.order_by("username").prefetch_related("stores"):
        rows.append(
            (
                user.username,
                user.full_name,
                user.role,
                user.email,
                user.phone,
                user.language,
                user.date_joined,
                sorted(s.code for s in user.stores.all()),
            )
        )
    rows += list(
        Customer.objects.order_by("phone").values_list(
            "phone",
            "full_name",
            "gender",
            "birthday",
            "email",
            "home_store__code",
            "responsible_staff__username",
            "created_at",
            "updated_at",
            "name_key",
            "search_key",
            "phone_last4",
            "birth_month",
            "province",
            "city",
            "district",
            "street",
            "occupation",
            "income_band",
            "hobbies",
            "preferred_channel",
            "source",
            "referrer__phone",
            "household__name",
            "household__created_at",
            "external_id",
            "completeness",
            *(f"consent_{p}" for p in ("sms", "email", "wechat", "phone", "mail", "sensitive")),
        )
    )
    rows += list(
        Customer.tags.through.objects.order_by("customer__phone", "tag__name").values_list(
            "customer__phone", "tag__name", "tag__colour"
        )
    )
    rows += list(
        ConsentEvent.objects.order_by("customer__phone", "recorded_at", "purpose").values_list(
            "customer__phone",
            "purpose",
            "granted",
            "recorded_at",
            "source",
            "recorded_by__username",
        )
    )
    rows += list(
        SensitiveProfile.objects.order_by("customer__phone").values_list(
            "customer__phone", "skin_type", "skin_concerns", "health_notes", "created_at"
        )
    )
    rows.append(Household.objects.count())
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def seeded_digest(*args):
    """Seed inside a transaction that is rolled back, so every seed starts from an empty
    database whatever tables later domains add."""
    with transaction.atomic():
        seed(*args)
        result = digest()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_creates_stores_staff_and_customers():
    seed("--customers=200", "--seed=3", "--stores=3")

    stores = list(Store.objects.order_by("pk"))
    assert [s.code for s in stores] == ["SH01", "BJ01", "GZ01"]
    assert all(s.address and s.phone.startswith("+86") and s.opening_hours for s in stores)
    assert Organisation.objects.get().name == "Guanxi Beauty & Health"
    assert User.objects.filter(role=Role.OWNER).count() == 1
    assert User.objects.filter(role=Role.MARKETER).count() == 1
    for store in stores:
        staff = store.staff.all()
        assert staff.filter(role=Role.STORE_MANAGER).count() == 1
        assert staff.filter(role=Role.SERVICE_AGENT).count() == 1
        assert 2 <= staff.filter(role=Role.SALES).count() <= 3
    assert Customer.objects.count() == 200
    assert Customer.objects.values("phone").distinct().count() == 200
    assert all(PHONE.match(phone) for phone in Customer.objects.values_list("phone", flat=True))


@pytest.mark.django_db
def test_reports_progress_on_stderr():
    err = StringIO()

    seed("--customers=120", "--seed=3", stderr=err)

    assert "customers: 120/120 (100%)" in err.getvalue()


@pytest.mark.django_db
def test_more_stores_than_cities_open_second_branches():
    seed("--customers=0", "--stores=18")

    codes = list(Store.objects.order_by("pk").values_list("code", flat=True))
    assert codes[:2] == ["SH01", "BJ01"]
    assert codes[16:] == ["SH02", "BJ02"]
    assert Store.objects.values("name").distinct().count() == 18
    assert User.objects.filter(username="manager.sh02", stores__code="SH02").exists()


@pytest.mark.django_db
def test_every_staff_member_but_the_owner_belongs_to_a_store():
    seed("--customers=0", "--seed=3", "--stores=2")

    assert list(User.objects.filter(stores__isnull=True).values_list("username", flat=True)) == [
        "owner"
    ]
    assert User.objects.get(username="marketer").stores.count() == 2
    assert User.objects.get(username="sales1.bj01").stores.get().code == "BJ01"


@pytest.mark.django_db
def test_customers_are_plausible():
    seed("--customers=200", "--seed=5")

    today = datetime.date.fromisoformat(TODAY)
    customers = list(Customer.objects.select_related("responsible_staff"))
    for customer in customers:
        if customer.birthday is not None:
            age = (today - customer.birthday).days / 365.25
            assert 18 <= age < 76
        assert (
            datetime.timedelta(0)
            < today - customer.created_at.date()
            <= datetime.timedelta(days=3 * 365 + 1)
        )
        assert customer.updated_at == customer.created_at
        if customer.responsible_staff is not None:
            assert customer.responsible_staff.stores.filter(pk=customer.home_store_id).exists()
    with_birthday = sum(c.birthday is not None for c in customers)
    assert 150 <= with_birthday <= 190  # about 85 %
    assert {c.gender for c in customers} >= {"female", "male"}
    assert all(c.email.endswith((".com", ".net", ".org")) for c in customers if c.email)
    assert Customer._meta.get_field("created_at").auto_now_add is True


@pytest.mark.django_db
def test_same_seed_gives_same_data():
    first = seeded_digest("--customers=200", "--seed=11")
    second = seeded_digest("--customers=200", "--seed=11")
    other = seeded_digest("--customers=200", "--seed=12")

    assert first == second
    assert other != first


@pytest.mark.django_db
def test_writes_one_audit_row_summing_up():
    seed("--customers=200", "--seed=3", "--stores=2")

    event = AuditEvent.objects.get(object_type="seed")
    assert event.action == "create"
    assert event.object_type == "seed"
    staff = User.objects.count()
    counts = event.changes["counts"]
    # the first seeders' counts, in the order they ran; later domains' seeders add theirs
    # the first seeders' counts; later domains' seeders add theirs (PostgreSQL's jsonb does not
    # keep key order, the message does)
    assert {
        "stores": 2,
        "staff members": staff,
        "customers": 200,
        "households": Household.objects.count(),
        "tags": 10,
        "consent records": ConsentEvent.objects.count(),
        "skin and health profiles": SensitiveProfile.objects.count(),
    }.items() <= counts.items()
    assert event.message.startswith(f"Seeded 2 stores, {staff:,} staff members, 200 customers, ")
    assert event.message.endswith(" (seed 3).")
    assert event.changes["seed"] == 3


@pytest.mark.django_db
def test_prints_the_owner_login_and_one_account_per_role():
    output = seed("--customers=10", "--seed=4")

    password = demo_password(4)
    assert "http://127.0.0.1:8000" in output
    assert "username: owner" in output
    assert f"password: {password}" in output
    for username in ("manager.sh01", "sales1.sh01", "service.sh01", "marketer"):
        assert username in output
        assert User.objects.get(username=username).check_password(password)
    assert User.objects.get(username="owner").check_password(password)


@pytest.mark.django_db
def test_password_option_sets_every_password():
    output = seed("--customers=0", "--password=Peony-Garden-88")

    assert "password: Peony-Garden-88" in output
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1  # hashed once for everyone
    assert User.objects.get(username="sales2.sh01").check_password("Peony-Garden-88")


@pytest.mark.django_db
def test_if_empty_leaves_a_seeded_database_alone_and_prints_the_login():
    seed("--customers=50", "--seed=2")
    before = digest()

    output = seed("--if-empty", "--customers=50", "--seed=2")

    assert "nothing was seeded" in output
    assert "username: owner" in output
    assert f"password: {demo_password(2)}" in output
    assert digest() == before
    assert Customer.objects.count() == 50
    assert AuditEvent.objects.filter(object_type="seed").count() == 1


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database():
    output = seed("--if-empty", "--customers=20", "--seed=2")

    assert Customer.objects.count() == 20
    assert "username: owner" in output


@pytest.mark.django_db
def test_refuses_to_seed_over_an_existing_owner(owner):
    with pytest.raises(CommandError, match="already has an owner"):
        seed("--customers=20")

    assert list(User.objects.values_list("username", flat=True)) == ["owner"]
    assert Customer.objects.count() == 0
    assert Store.objects.count() == 0


@pytest.mark.django_db
def test_if_empty_with_another_owner_does_not_claim_the_demo_password(owner):
    output = seed("--if-empty", "--seed=2")

    assert "username: owner" in output
    assert demo_password(2) not in output
    assert Store.objects.count() == 0


@pytest.mark.django_db
def test_seeders_run_by_order_then_name(monkeypatch):
    monkeypatch.setattr(seeding, "SEEDERS", {})
    calls = []
    seeder_register("orders", 30, lambda context: calls.append("orders"))
    seeder_register("staff", 10, lambda context: calls.append("staff"))
    seeder_register("loyalty", 30, lambda context: calls.append("loyalty"))
    seeder_register("customers", 20, lambda context: calls.append(f"customers {context.seed}"))

    seed_run(customers=0, seed=9, today=datetime.date(2026, 3, 15))

    assert [entry.name for entry in seeders()] == ["staff", "customers", "loyalty", "orders"]
    assert calls == ["staff", "customers 9", "loyalty", "orders"]
