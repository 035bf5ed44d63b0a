import datetime
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from guanxi.core import registry
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.core.registry import CustomerDataHandler
from guanxi.core.timeline import timeline_event_add
from guanxi.customers.models import ConsentEvent, ContactSuppression, Customer, SensitiveProfile
from guanxi.customers.selectors import CustomerFilters
from guanxi.customers.selectors.consent import contact_hash, marketing_contactable
from guanxi.customers.selectors.sensitive import sensitive_profile_get
from guanxi.customers.services.consent import consent_record
from guanxi.customers.services.customer import customer_create, customer_update
from guanxi.customers.services.exports import customer_export_prepare
from guanxi.customers.services.rights import customer_data_export, customer_erase
from guanxi.customers.services.sensitive import sensitive_profile_update
from guanxi.customers.tests.factories import HouseholdFactory, TagFactory

NAME = "陳美玲"
PHONE = "+8613912345678"
EMAIL = "meiling.chen@example.com"


@pytest.fixture
def handler_calls(monkeypatch):
    """A domain registered with the customer-data registry, recording what it was asked."""
    calls = []

    def export(customer_id):
        calls.append(("export", customer_id))
        return [{"order": "A-1", "total": "120.00"}]

    def erase(customer_id, actor):
        calls.append(("erase", customer_id))
        return 3

    # Only the customers domain's own handler and this one: what later domains register is
    # tested in their own suites.
    for key in [k for k in registry.CUSTOMER_DATA if k != "customers"]:
        monkeypatch.delitem(registry.CUSTOMER_DATA, key)
    monkeypatch.setitem(
        registry.CUSTOMER_DATA,
        "orders_test",
        CustomerDataHandler(key="orders_test", label="Orders", export=export, erase=erase),
    )
    return calls


@pytest.fixture
def rich_customer(store_a, owner, manager_a):
    """A customer with a history everywhere: created and edited through the services, with
    consent, skin data, tags, a household, timeline entries and an export that searched for
    their phone."""
    customer = customer_create(
        full_name=NAME,
        phone=PHONE,
        home_store=store_a,
        actor=owner,
        email=EMAIL,
        birthday=datetime.date(1990, 5, 4),
        street="幸福路 8 號",
        occupation="Teacher",
        tags=[TagFactory(name="VIP")],
    )
    customer_update(
        customer=customer,
        data={"full_name": NAME, "hobbies": "Tea", "household": HouseholdFactory(store=store_a)},
        actor=owner,
    )
    for purpose in ("sms", "sensitive"):
        consent_record(
            customer=customer,
            purpose=purpose,
            granted=True,
            source="form",
            actor=owner,
            note=f"Signed by {NAME}",
        )
    sensitive_profile_update(
        customer=customer, data={"skin_type": "oily", "health_notes": "Eczema"}, actor=owner
    )
    sensitive_profile_get(customer=customer, user=owner)
    timeline_event_add(
        customer_id=customer.pk,
        domain="service",
        kind="call",
        title=f"Called {NAME}",
        detail=f"Asked to reach her at {EMAIL} or 13912345678",
    )
    customer_export_prepare(actor=manager_a, filters=CustomerFilters(search="13912345678"))
    customer.refresh_from_db()
    return customer


def _text_values(model):
    for row in model.objects.all():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                yield (
                    row.pk,
                    field.name,
                    json.dumps(getattr(row, field.attname), ensure_ascii=False),
                )
            elif isinstance(field, models.CharField | models.TextField):
                yield row.pk, field.name, str(getattr(row, field.attname) or "")


def test_erasure_leaves_no_personal_value_anywhere(rich_customer, owner, handler_calls):
    # given the values that identified the person, in every form they were written
    secrets = [NAME, "陈美玲", PHONE, "13912345678", EMAIL, "幸福路", "Eczema"]

    # when
    customer_erase(customer=rich_customer, actor=owner, reason="Written request", source="form")

    # then no text or JSON column of the customer, the timeline or the audit log holds them
    found = [
        (model.__name__, pk, name, secret)
        for model in (Customer, TimelineEvent, AuditEvent, ConsentEvent)
        for pk, name, value in _text_values(model)
        for secret in secrets
        if secret in value
    ]
    assert found == []


def test_erasure_anonymises_the_row_and_keeps_it(rich_customer, owner, handler_calls):
    pk = rich_customer.pk

    customer = customer_erase(customer=rich_customer, actor=owner, reason="Written request")

    assert customer.pk == pk
    assert customer.full_name == f"Erased customer #{pk}"
    assert customer.phone == f"+0{pk}"
    assert (customer.email, customer.street, customer.birthday, customer.external_id) == (
        "",
        "",
        None,
        None,
    )
    assert (customer.household_id, list(customer.tags.all())) == (None, [])
    assert customer.name_key == f"erasedcustomer#{pk}"
    assert customer.phone_last4 == f"+0{pk}"[-4:]
    assert customer.erased_at is not None
    assert (customer.consent_sms, customer.consent_sensitive) == (False, False)
    assert SensitiveProfile.objects.count() == 0
    assert handler_calls == [("erase", pk)]


def test_erasure_is_audited_once_and_every_row_about_the_customer_is_redacted(
    rich_customer, owner, handler_calls
):
    customer_erase(customer=rich_customer, actor=owner, reason="Written request")

    erased = AuditEvent.objects.filter(action=AuditAction.DELETE, object_type="customers.customer")
    assert erased.count() == 1
    row = erased.get()
    assert row.object_repr == f"Erased customer #{rich_customer.pk}"
    assert row.changes["full_name"] == ["[erased]", f"Erased customer #{rich_customer.pk}"]
    assert row.changes["handlers"] == {"orders_test": 3}
    assert row.message == "Personal data erased: Written request"
    about = AuditEvent.objects.filter(
        object_type__in=("customers.customer", "customers.sensitiveprofile"),
        object_pk=str(rich_customer.pk),
    ).exclude(pk=row.pk)
    assert about.filter(redacted_at__isnull=True).count() == 0
    created = about.get(action=AuditAction.CREATE, object_type="customers.customer")
    assert created.changes["full_name"] == [None, "[erased]"]
    assert created.changes["phone"] == [None, "[erased]"]
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.changes["filters"] == {"search": "[erased]"}
    assert export.redacted_at is not None


def test_a_second_redaction_of_an_audit_row_is_refused_by_the_database(
    rich_customer, owner, handler_calls
):
    customer_erase(customer=rich_customer, actor=owner, reason="Written request")
    row = AuditEvent.objects.filter(redacted_at__isnull=False).first()

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(message="again", redacted_at=timezone.now())

    row.refresh_from_db()
    assert row.message != "again"


def test_the_erased_phone_is_suppressed_until_a_new_explicit_consent(
    rich_customer, owner, store_a, handler_calls
):
    customer_erase(customer=rich_customer, actor=owner, reason="Written request")
    assert ContactSuppression.objects.filter(phone_hash=contact_hash(PHONE)).count() == 1

    # the person comes back; an old spreadsheet imported again does not make them contactable
    back = customer_create(full_name="Chen Meiling", phone=PHONE, home_store=store_a, actor=owner)
    consent_record(customer=back, purpose="sms", granted=True, source="import", actor=owner)
    assert list(marketing_contactable(channel="sms")) == []

    # a consent they give anew does
    consent_record(customer=back, purpose="sms", granted=True, source="store", actor=owner)
    assert list(marketing_contactable(channel="sms")) == [back]
    assert ContactSuppression.objects.count() == 0


def test_erasure_needs_the_rights_capability(rich_customer, sales_a, handler_calls):
    before = Customer.objects.values().get(pk=rich_customer.pk)

    with pytest.raises(PermissionDenied):
        customer_erase(customer=rich_customer, actor=sales_a, reason="x")

    assert Customer.objects.values().get(pk=rich_customer.pk) == before
    assert handler_calls == []


def test_a_customer_is_erased_only_once(rich_customer, owner, handler_calls):
    customer_erase(customer=rich_customer, actor=owner, reason="Written request")

    with pytest.raises(ApplicationError):
        customer_erase(customer=rich_customer, actor=owner, reason="Again")

    assert (
        AuditEvent.objects.filter(
            action=AuditAction.DELETE, object_type="customers.customer"
        ).count()
        == 1
    )


def test_download_my_data_holds_every_section_as_json_and_csv(rich_customer, owner, handler_calls):
    content, filename = customer_data_export(customer=rich_customer, actor=owner)

    assert filename.startswith(f"customer-{rich_customer.pk}-data-")
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert sorted(archive.namelist()) == [
        "audit_log.csv",
        "consent_events.csv",
        "customer.csv",
        "data.json",
        "orders_test.csv",
        "sensitive_profile.csv",
        "timeline.csv",
    ]
    data = json.loads(archive.read("data.json"))
    sections = data["sections"]
    assert sections["customer"][0]["full_name"] == NAME
    assert sections["customer"][0]["tags"] == "VIP"
    assert sections["sensitive_profile"][0]["health_notes"] == "Eczema"
    assert [e["purpose"] for e in sections["consent_events"]] == ["sensitive", "sms"]
    assert sections["orders_test"] == [{"order": "A-1", "total": "120.00"}]
    customer_csv = archive.read("customer.csv").decode("utf-8")
    assert customer_csv.startswith("\ufeff")
    assert "'+8613912345678" in customer_csv
    audit = AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_pk=str(rich_customer.pk)
    ).get()
    assert audit.changes["sections"]["orders_test"] == 1
    assert handler_calls == [("export", rich_customer.pk)]


def test_download_my_data_needs_the_rights_capability(rich_customer, sales_a, handler_calls):
    exports_before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()

    with pytest.raises(PermissionDenied):
        customer_data_export(customer=rich_customer, actor=sales_a)

    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == exports_before
    assert handler_calls == []
