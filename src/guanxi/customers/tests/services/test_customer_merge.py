import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.core.permissions import Role
from guanxi.core.registry import CUSTOMER_DATA, CustomerDataHandler
from guanxi.core.timeline import timeline_event_add
from guanxi.customers.models import ConsentEvent, Customer, SensitiveProfile
from guanxi.customers.services.customer import MASTER_FIELDS
from guanxi.customers.services.merge import MERGE_FIELDS, customer_merge
from guanxi.customers.tests.factories import CustomerFactory, HouseholdFactory, TagFactory

pytestmark = pytest.mark.django_db

MESSAGE = "merged customer #{source} into #{target}"


def consent(customer, purpose, granted, *, minutes_ago):
    return ConsentEvent.objects.create(
        customer=customer,
        purpose=purpose,
        granted=granted,
        recorded_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        source="store",
    )


def state():
    """What a refused merge must leave as it was."""
    return (
        sorted(Customer.objects.values_list("pk", "full_name", "email", "completeness")),
        sorted(Customer.tags.through.objects.values_list("customer_id", "tag_id")),
        sorted(ConsentEvent.objects.values_list("pk", "customer_id")),
        sorted(TimelineEvent.objects.values_list("pk", "customer_id")),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def recorded_handler(monkeypatch):
    """A handler of another domain, as the orders or loyalty domain will register one."""
    calls = []

    def merge(source_id, target_id, actor):
        calls.append((source_id, target_id, actor.pk))
        return 7

    # Only the customers domain's own handler and this one: what later domains register is
    # tested in their own suites.
    for key in [k for k in CUSTOMER_DATA if k != "customers"]:
        monkeypatch.delitem(CUSTOMER_DATA, key)

    monkeypatch.setitem(
        CUSTOMER_DATA, "fake", CustomerDataHandler(key="fake", label="Fake", merge=merge)
    )
    return calls


def test_every_related_record_moves_to_the_target(store_a, manager_a, recorded_handler):
    # given a duplicate with tags, consent, skin data, a referral and a timeline
    vip, new = TagFactory(name="VIP"), TagFactory(name="New")
    target = CustomerFactory(home_store=store_a, full_name="陈小明", tags=[vip])
    source = CustomerFactory(home_store=store_a, full_name="陳小明", tags=[vip, new])
    consent(source, "sensitive", True, minutes_ago=10)
    consent(source, "sms", True, minutes_ago=10)
    consent(target, "sms", False, minutes_ago=5)
    SensitiveProfile.objects.create(customer=source, skin_type="dry", health_notes="Allergic")
    referred = CustomerFactory(home_store=store_a, referrer=source)
    timeline_event_add(customer_id=source.pk, domain="orders", kind="purchase", title="Bought")

    # when the manager merges it into the target
    customer_merge(source=source, target=target, actor=manager_a)

    # then everything is the target's and the source is gone
    target.refresh_from_db()
    assert not Customer.objects.filter(pk=source.pk).exists()
    assert sorted(t.name for t in target.tags.all()) == ["New", "VIP"]
    assert ConsentEvent.objects.filter(customer=target).count() == 3
    assert (target.consent_sensitive, target.consent_sms) == (True, False)
    assert SensitiveProfile.objects.get(customer=target).health_notes == "Allergic"
    assert Customer.objects.get(pk=referred.pk).referrer_id == target.pk
    assert list(
        TimelineEvent.objects.filter(customer_id=target.pk, kind="purchase").values_list(
            "title", flat=True
        )
    ) == ["Bought"]
    assert TimelineEvent.objects.filter(customer_id=source.pk).count() == 0
    assert recorded_handler == [(source.pk, target.pk, manager_a.pk)]


def test_empty_fields_are_filled_and_choices_are_honoured(store_a, manager_a):
    household = HouseholdFactory(store=store_a)
    target = CustomerFactory(
        home_store=store_a, full_name="Li Wei", email="", city="上海", phone="+8613900000001"
    )
    source = CustomerFactory(
        home_store=store_a,
        full_name="Li Wei",
        email="li@example.com",
        city="北京",
        occupation="Teacher",
        phone="+8613900000002",
        birthday=datetime.date(1988, 3, 9),
        household=household,
    )

    customer_merge(
        source=source,
        target=target,
        actor=manager_a,
        field_choices={"occupation": "target", "phone": "source"},
    )

    target.refresh_from_db()
    assert target.email == "li@example.com"
    assert target.city == "上海"
    assert target.occupation == ""
    assert target.phone == "+8613900000002"
    assert target.phone_last4 == "0002"
    assert (target.birthday, target.birth_month) == (datetime.date(1988, 3, 9), 3)
    assert target.household == household


def test_the_merge_is_audited_as_one_update_and_one_delete(store_a, manager_a, monkeypatch):
    for key in [k for k in CUSTOMER_DATA if k != "customers"]:
        monkeypatch.delitem(CUSTOMER_DATA, key)
    target = CustomerFactory(home_store=store_a, email="")
    source = CustomerFactory(home_store=store_a, email="a@example.com")
    timeline_event_add(customer_id=source.pk, domain="service", kind="call", title="Called")
    before = AuditEvent.objects.count()

    customer_merge(source=source, target=target, actor=manager_a)

    events = AuditEvent.objects.order_by("pk")[before:]
    message = MESSAGE.format(source=source.pk, target=target.pk)
    assert [(e.action, e.object_pk, e.message) for e in events] == [
        (AuditAction.DELETE, str(source.pk), message),
        (AuditAction.UPDATE, str(target.pk), message),
    ]
    update = events[1]
    assert update.actor_id == manager_a.pk
    assert update.changes["email"] == ["", "a@example.com"]
    assert update.changes["merged_records"] == [None, {"customers": 0, "timeline": 1}]
    assert events[0].changes["email"] == ["a@example.com", None]


def test_the_target_timeline_tells_of_the_merge(store_a, manager_a):
    target = CustomerFactory(home_store=store_a)
    source = CustomerFactory(home_store=store_a, full_name="Zhou Min")

    customer_merge(source=source, target=target, actor=manager_a)

    event = TimelineEvent.objects.get(customer_id=target.pk, kind="merged")
    assert event.title == f"Merged with the duplicate record Zhou Min (#{source.pk})"
    assert event.actor_id == manager_a.pk


def test_a_customer_of_another_store_is_not_found(store_a, store_b, manager_a):
    target = CustomerFactory(home_store=store_a)
    source = CustomerFactory(home_store=store_b)
    before = state()

    with pytest.raises(Customer.DoesNotExist):
        customer_merge(source=source, target=target, actor=manager_a)

    assert state() == before


@pytest.mark.parametrize("role", [Role.SALES, Role.SERVICE_AGENT, Role.MARKETER])
def test_roles_without_the_capability_are_refused(store_a, make_staff, role):
    target = CustomerFactory(home_store=store_a)
    source = CustomerFactory(home_store=store_a, email="x@example.com")
    before = state()

    with pytest.raises(PermissionDenied):
        customer_merge(source=source, target=target, actor=make_staff(role=role, stores=[store_a]))

    assert state() == before


def test_a_customer_cannot_be_merged_into_itself(store_a, owner):
    customer = CustomerFactory(home_store=store_a)
    before = state()

    with pytest.raises(ValidationError):
        customer_merge(source=customer, target=customer, actor=owner)

    assert state() == before


def test_an_erased_customer_cannot_be_merged(store_a, owner):
    target = CustomerFactory(home_store=store_a)
    source = CustomerFactory(home_store=store_a, erased_at=timezone.now())
    before = state()

    with pytest.raises(ValidationError):
        customer_merge(source=source, target=target, actor=owner)

    assert state() == before


def test_a_failing_handler_changes_nothing(store_a, owner, monkeypatch):
    def merge(source_id, target_id, actor):
        raise RuntimeError("orders down")

    monkeypatch.setitem(
        CUSTOMER_DATA, "broken", CustomerDataHandler(key="broken", label="x", merge=merge)
    )
    target = CustomerFactory(home_store=store_a, tags=[TagFactory(name="A")])
    source = CustomerFactory(home_store=store_a, email="s@example.com", tags=[TagFactory(name="B")])
    consent(source, "sms", True, minutes_ago=1)
    before = state()

    with pytest.raises(RuntimeError):
        customer_merge(source=source, target=target, actor=owner)

    assert state() == before


def test_the_targets_own_skin_data_is_kept(store_a, owner):
    target = CustomerFactory(home_store=store_a, consent_sensitive=True)
    source = CustomerFactory(home_store=store_a)
    consent(target, "sensitive", True, minutes_ago=3)
    SensitiveProfile.objects.create(customer=target, health_notes="Target's")
    SensitiveProfile.objects.create(customer=source, health_notes="Source's")

    customer_merge(source=source, target=target, actor=owner)

    assert list(SensitiveProfile.objects.values_list("customer_id", "health_notes")) == [
        (target.pk, "Target's")
    ]


def test_skin_data_is_not_moved_to_a_customer_who_withdrew_consent(store_a, owner):
    target = CustomerFactory(home_store=store_a)
    source = CustomerFactory(home_store=store_a, consent_sensitive=True)
    consent(source, "sensitive", True, minutes_ago=30)
    consent(target, "sensitive", False, minutes_ago=1)
    SensitiveProfile.objects.create(customer=source, health_notes="Source's")

    customer_merge(source=source, target=target, actor=owner)

    target.refresh_from_db()
    assert target.consent_sensitive is False
    assert SensitiveProfile.objects.count() == 0


def test_nobody_is_left_referring_themselves(store_a, owner):
    source = CustomerFactory(home_store=store_a)
    target = CustomerFactory(home_store=store_a, referrer=source)
    source.referrer = target
    source.save()

    customer_merge(source=source, target=target, actor=owner)

    target.refresh_from_db()
    assert target.referrer_id is None


def test_a_staff_member_of_another_store_is_refused(store_a, store_b, owner, make_staff):
    # given a target whose responsible staff member works only in store A, and a source of B
    staff_a = make_staff(role=Role.SALES, stores=[store_a])
    target = CustomerFactory(home_store=store_a, responsible_staff=staff_a)
    source = CustomerFactory(home_store=store_b)
    before = state()

    # when the owner keeps the source's store but the target's staff member
    with pytest.raises(ValidationError) as error:
        customer_merge(
            source=source, target=target, actor=owner, field_choices={"home_store": "source"}
        )

    assert list(error.value.message_dict) == ["responsible_staff"]
    assert state() == before


def test_every_master_field_can_be_merged():
    assert set(MERGE_FIELDS) == MASTER_FIELDS
