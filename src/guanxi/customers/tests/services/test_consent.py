import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent
from guanxi.customers.choices import ConsentSource
from guanxi.customers.models import ConsentEvent, ContactSuppression
from guanxi.customers.selectors.consent import contact_hash
from guanxi.customers.services.consent import (
    consent_opt_out,
    consent_opt_out_by_link,
    consent_record,
    opt_out_token,
    opt_out_token_read,
)
from guanxi.customers.tests.factories import CustomerFactory


@pytest.fixture
def customer(store_a):
    return CustomerFactory(home_store=store_a, full_name="王芳", phone="+8613800138000")


def test_grant_appends_an_event_caches_the_state_and_audits(customer, sales_a):
    # when
    event = consent_record(
        customer=customer,
        purpose="sms",
        granted=True,
        source=ConsentSource.FORM,
        actor=sales_a,
        note="Signed at the counter",
    )

    # then
    customer.refresh_from_db()
    assert customer.consent_sms is True
    assert (event.purpose, event.granted, event.source, event.recorded_by) == (
        "sms",
        True,
        "form",
        sales_a,
    )
    assert event.note == "Signed at the counter"
    audit = AuditEvent.objects.get(action=AuditAction.UPDATE, object_pk=str(customer.pk))
    assert audit.object_type == "customers.customer"
    assert audit.changes == {"consent_sms": [False, True]}
    assert audit.message == "Consent granted: SMS (Signed form)."
    assert audit.actor == sales_a


def test_withdrawal_after_a_grant_clears_the_state(customer, sales_a):
    consent_record(customer=customer, purpose="email", granted=True, source="store", actor=sales_a)

    consent_record(customer=customer, purpose="email", granted=False, source="phone", actor=sales_a)

    customer.refresh_from_db()
    assert customer.consent_email is False
    assert list(
        ConsentEvent.objects.filter(customer=customer).values_list("granted", flat=True)
    ) == [False, True]


def test_a_backdated_grant_does_not_undo_a_later_withdrawal(customer, sales_a):
    # given a withdrawal today
    consent_record(
        customer=customer, purpose="wechat", granted=False, source="store", actor=sales_a
    )

    # when a form signed last week is recorded
    consent_record(
        customer=customer,
        purpose="wechat",
        granted=True,
        source="form",
        actor=sales_a,
        at=timezone.now() - datetime.timedelta(days=7),
    )

    # then the latest decision by time still holds
    customer.refresh_from_db()
    assert customer.consent_wechat is False
    assert ConsentEvent.objects.filter(customer=customer).count() == 2


@pytest.mark.parametrize(
    ("purpose", "source", "at_offset"),
    [
        pytest.param("fax", "store", 0, id="unknown_purpose_case"),
        pytest.param("sms", "carrier_pigeon", 0, id="unknown_source_case"),
        pytest.param("sms", "store", 1, id="future_case"),
    ],
)
def test_invalid_records_are_refused_and_nothing_is_written(
    customer, sales_a, purpose, source, at_offset
):
    at = timezone.now() + datetime.timedelta(days=at_offset) if at_offset else None

    with pytest.raises(ValidationError):
        consent_record(
            customer=customer, purpose=purpose, granted=True, source=source, actor=sales_a, at=at
        )

    assert ConsentEvent.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_an_erased_customer_cannot_consent(customer, sales_a):
    customer.erased_at = timezone.now()
    customer.save(update_fields=["erased_at"])

    with pytest.raises(ApplicationError):
        consent_record(
            customer=customer, purpose="sms", granted=True, source="store", actor=sales_a
        )

    assert ConsentEvent.objects.count() == 0


def test_opt_out_of_all_withdraws_every_channel_but_not_sensitive_data(customer, sales_a):
    for purpose in ("sms", "email", "sensitive"):
        consent_record(
            customer=customer, purpose=purpose, granted=True, source="store", actor=sales_a
        )

    events = consent_opt_out(customer=customer, channel="all", source="phone", actor=sales_a)

    customer.refresh_from_db()
    assert sorted(e.purpose for e in events) == ["email", "mail", "phone", "sms", "wechat"]
    assert {e.granted for e in events} == {False}
    assert (customer.consent_sms, customer.consent_email, customer.consent_sensitive) == (
        False,
        False,
        True,
    )


def test_opt_out_of_an_unknown_channel_is_refused(customer, sales_a):
    with pytest.raises(ValidationError):
        consent_opt_out(customer=customer, channel="sensitive", source="store", actor=sales_a)

    assert ConsentEvent.objects.count() == 0


def test_an_opt_out_link_withdraws_without_anyone_signed_in(customer, sales_a):
    consent_record(customer=customer, purpose="sms", granted=True, source="store", actor=sales_a)
    token = opt_out_token(customer_id=customer.pk, channel="sms")

    found, channel = consent_opt_out_by_link(token=token)

    customer.refresh_from_db()
    assert (found, channel, customer.consent_sms) == (customer, "sms", False)
    event = ConsentEvent.objects.filter(customer=customer).first()
    assert (event.source, event.recorded_by, event.granted) == ("opt_out_link", None, False)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), id="signature_case"
        ),
        pytest.param(lambda t: "garbage", id="garbage_case"),
    ],
)
def test_a_forged_opt_out_link_is_refused(customer, tamper):
    token = tamper(opt_out_token(customer_id=customer.pk, channel="all"))

    with pytest.raises(ApplicationError):
        opt_out_token_read(token)

    assert ConsentEvent.objects.count() == 0


def test_a_new_explicit_grant_lifts_the_suppression_of_the_phone(customer, sales_a):
    ContactSuppression.objects.create(phone_hash=contact_hash(customer.phone), reason="erased")

    consent_record(customer=customer, purpose="sms", granted=True, source="form", actor=sales_a)

    assert ContactSuppression.objects.count() == 0
    deleted = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert deleted.object_type == "customers.contactsuppression"


@pytest.mark.parametrize(
    ("purpose", "source"),
    [
        pytest.param("sms", "import", id="imported_grant_case"),
        pytest.param("sensitive", "form", id="sensitive_data_case"),
        pytest.param("sms", "store", id="withdrawal_case"),
    ],
)
def test_other_records_keep_the_suppression(customer, sales_a, purpose, source):
    ContactSuppression.objects.create(phone_hash=contact_hash(customer.phone), reason="erased")
    granted = not (purpose == "sms" and source == "store")

    consent_record(
        customer=customer, purpose=purpose, granted=granted, source=source, actor=sales_a
    )

    assert ContactSuppression.objects.count() == 1
