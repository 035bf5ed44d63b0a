"""The customer's rights: "download my data" and erasure.

``customer_data_export`` gathers everything held about one customer, in this domain and in every
domain registered with ``guanxi.core.registry.customer_data_register``, as JSON and as CSV files
in one ZIP.

``customer_erase`` anonymises the person while keeping the business records that others rely
on. The customer row stays (its primary key anchors orders, ledgers and statistics) with every
personal field blanked; the skin and health data are deleted; the timeline and the audit log
lose the personal values they contain (the database lets each audit row be redacted once, and
only so); every registered domain anonymises its own records. Order totals and ledgers stay as
they are: a handler's ``erase`` must never change an amount. The phone number is added to the
suppression list as a keyed hash, so marketing does not contact it again until the person gives
a new explicit consent.

The erasure is audited as one row with the action "Deleted" (personal data are destroyed; the
row's ``changes`` say which fields, never their old values).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import _plain, audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent, TimelineEvent
from guanxi.core.permissions import require_capability
from guanxi.core.registry import customer_data_handlers
from guanxi.core.timeline import timeline_event_add
from guanxi.customers import names
from guanxi.customers.choices import ConsentPurpose, ConsentSource
from guanxi.customers.exports import BOM, neutralise
from guanxi.customers.models import ConsentEvent, ContactSuppression, Customer, SensitiveProfile
from guanxi.customers.selectors.consent import contact_hash
from guanxi.customers.services.completeness import customer_completeness_refresh
from guanxi.customers.services.consent import consent_record
from guanxi.customers.services.customer import derived_fields
from guanxi.customers.services.sensitive import SENSITIVE_FIELDS

CAPABILITY = "customers.rights"
ERASED = "[erased]"
SUPPRESSION_REASON = "erased"
TIMELINE_DOMAIN = "customers"
MIN_REDACTED_LENGTH = 2
MIN_NATIONAL_DIGITS = 7
# The customer's fields that say who the person is; all are blanked by an erasure and their
# values redacted from the audit rows about the customer.
PERSONAL_FIELDS = (
    "full_name",
    "gender",
    "birthday",
    "phone",
    "email",
    "province",
    "city",
    "district",
    "street",
    "preferred_channel",
    "occupation",
    "income_band",
    "hobbies",
    "referrer",
    "household",
    "tags",
    "external_id",
)
BLANK_VALUES: dict[str, Any] = {
    "gender": "",
    "birthday": None,
    "email": "",
    "province": "",
    "city": "",
    "district": "",
    "street": "",
    "preferred_channel": "",
    "occupation": "",
    "income_band": "",
    "hobbies": "",
    "referrer": None,
    "household": None,
    "external_id": None,
}
CUSTOMER_OBJECT_TYPES = ("customers.customer", "customers.sensitiveprofile")


def erased_name(pk: int) -> str:
    return f"Erased customer #{pk}"


def erased_phone(pk: int) -> str:
    """A placeholder that keeps the phone column unique but is no number: E.164 has no country
    code starting with 0."""
    return f"+0{pk}"


# --- Download my data ------------------------------------------------------------------------


def _customer_data(customer: Customer) -> dict[str, Any]:
    data = {f.name: _plain(getattr(customer, f.attname)) for f in Customer._meta.concrete_fields}
    data["home_store"] = customer.home_store.name
    staff = customer.responsible_staff
    data["responsible_staff"] = (staff.get_full_name() or staff.get_username()) if staff else ""
    data["household"] = customer.household.name if customer.household else ""
    data["referrer"] = customer.referrer.full_name if customer.referrer else ""
    data["tags"] = ", ".join(tag.name for tag in customer.tags.all())
    return data


def _sensitive_data(customer: Customer) -> list[dict[str, Any]]:
    profile = SensitiveProfile.objects.filter(customer_id=customer.pk).first()
    if profile is None:
        return []
    return [
        {
            "skin_type": profile.skin_type,
            "skin_concerns": ", ".join(profile.skin_concerns),
            "health_notes": profile.health_notes,
            "updated_at": _plain(profile.updated_at),
        }
    ]


def _consent_data(customer: Customer) -> list[dict[str, Any]]:
    return [
        {
            "recorded_at": _plain(event.recorded_at),
            "purpose": event.purpose,
            "granted": event.granted,
            "source": event.source,
            "recorded_by": event.recorded_by.get_username() if event.recorded_by else "",
            "note": event.note,
        }
        for event in ConsentEvent.objects.filter(customer=customer).select_related("recorded_by")
    ]


def _timeline_data(customer: Customer) -> list[dict[str, Any]]:
    return [
        {
            "occurred_at": _plain(event.occurred_at),
            "domain": event.domain,
            "kind": event.kind,
            "channel": event.channel,
            "title": event.title,
            "detail": event.detail,
        }
        for event in TimelineEvent.objects.filter(customer_id=customer.pk).order_by(
            "occurred_at", "pk"
        )
    ]


def _about_customer(customer_id: int) -> Q:
    return Q(object_type__in=CUSTOMER_OBJECT_TYPES, object_pk=str(customer_id))


def _audit_data(customer: Customer) -> list[dict[str, Any]]:
    return [
        {
            "time": _plain(event.created_at),
            "action": event.action,
            "staff_member": event.actor_name,
            "object_type": event.object_type,
            "details": event.message,
            "changes": json.dumps(event.changes, ensure_ascii=False, sort_keys=True),
        }
        for event in AuditEvent.objects.filter(_about_customer(customer.pk)).order_by(
            "created_at", "pk"
        )
    ]


def _csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(_cell(row.get(column))) for column in columns])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def customer_data_sections(*, customer: Customer) -> dict[str, list[dict[str, Any]]]:
    """Everything held about the customer, one list of flat records per section."""
    sections: dict[str, list[dict[str, Any]]] = {
        "customer": [_customer_data(customer)],
        "sensitive_profile": _sensitive_data(customer),
        "consent_events": _consent_data(customer),
        "timeline": _timeline_data(customer),
        "audit_log": _audit_data(customer),
    }
    for handler in customer_data_handlers():
        if handler.export is not None and handler.key not in sections:
            sections[handler.key] = [dict(row) for row in handler.export(customer.pk)]
    return sections


@transaction.atomic
def customer_data_export(*, customer: Customer, actor: Any) -> tuple[bytes, str]:
    """A ZIP of everything held about the customer ("download my data"): ``data.json`` with
    every section, and one CSV per section. Returns the bytes and a file name; audited."""
    require_capability(actor, CAPABILITY)
    if customer.erased_at is not None:
        raise ApplicationError(
            _("This customer's personal data has been erased."), code="customer_erased"
        )
    sections = customer_data_sections(customer=customer)
    payload = {
        "exported_at": _plain(timezone.now()),
        "customer_id": customer.pk,
        "sections": sections,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(payload, ensure_ascii=False, indent=2, default=str)
        )
        for name, rows in sections.items():
            archive.writestr(f"{name}.csv", _csv_bytes(rows))
    audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        obj=customer,
        changes={"sections": {name: len(rows) for name, rows in sections.items()}},
        message=_("Customer's data downloaded (right of access)."),
    )
    filename = f"customer-{customer.pk}-data-{timezone.localdate():%Y%m%d}.zip"
    return buffer.getvalue(), filename


# --- Erasure ---------------------------------------------------------------------------------


def _personal_values(customer: Customer) -> list[str]:
    """The strings that identify the person, longest first (so that a phone number is redacted
    before the digits inside it)."""
    values = {customer.full_name, customer.email or "", customer.phone}
    if customer.full_name:
        values |= {
            names.to_simplified(customer.full_name),
            names.to_traditional(customer.full_name),
        }
    try:
        number = phonenumbers.parse(customer.phone, None)
    except phonenumbers.NumberParseException:
        number = None
    national = phonenumbers.national_significant_number(number) if number else ""
    if len(national) >= MIN_NATIONAL_DIGITS:
        values.add(national)  # how staff type it in a search box
    if customer.external_id:
        values.add(customer.external_id)
    return sorted(
        (v for v in values if len(v.strip()) >= MIN_REDACTED_LENGTH), key=len, reverse=True
    )


def _redact_text(text: str, values: Iterable[str]) -> str:
    for value in values:
        if value in text:
            text = text.replace(value, ERASED)
    return text


def _redact(value: Any, values: list[str]) -> Any:
    if isinstance(value, str):
        return _redact_text(value, values)
    if isinstance(value, list):
        return [_redact(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, values) for k, v in value.items()}
    return value


def _erased_value(value: Any) -> Any:
    return value if value in (None, "", []) else ERASED


def _redacted_changes(event: AuditEvent, values: list[str], about: bool) -> Any:
    changes = event.changes
    if about and isinstance(changes, dict):
        personal = (
            set(PERSONAL_FIELDS)
            if event.object_type == "customers.customer"
            else set(SENSITIVE_FIELDS)
        )
        changes = {
            key: (
                [_erased_value(v) for v in change]
                if key in personal and isinstance(change, list)
                else change
            )
            for key, change in changes.items()
        }
    return _redact(changes, values)


def _audit_redact(*, customer_id: int, values: list[str], new_name: str) -> int:
    """Redact the personal values from the audit rows about the customer and from any other
    row that names their phone number or e-mail address. Returns how many rows changed.

    A name is looked for only in the rows about the customer: another customer may bear the
    same name. A row already redacted once (it named another erased customer too) is left as
    the database requires.
    """
    now = timezone.now()
    unique_values = [v for v in values if v.isascii()]  # phone numbers and e-mail address
    mentions = Q()
    for value in unique_values:
        mentions |= Q(changes_text__contains=value) | Q(message__contains=value)
        mentions |= Q(object_repr__contains=value)
    events = AuditEvent.objects.filter(redacted_at__isnull=True).annotate(
        changes_text=Cast("changes", TextField())
    )
    events = events.filter(_about_customer(customer_id) | mentions)
    count = 0
    for event in events.order_by("pk").iterator(chunk_size=500):
        about = event.object_type in CUSTOMER_OBJECT_TYPES and event.object_pk == str(customer_id)
        update = {
            "changes": _redacted_changes(event, values, about),
            "message": _redact_text(event.message, values),
            "object_repr": new_name if about else _redact_text(event.object_repr, values),
        }
        if not about and all(getattr(event, k) == v for k, v in update.items()):
            continue
        AuditEvent.objects.filter(pk=event.pk).update(**update, redacted_at=now)
        count += 1
    return count


def _timeline_redact(*, customer_id: int, values: list[str]) -> int:
    """Blank the personal values in the customer's timeline, and in events elsewhere that are
    about this customer (a referral on the referrer's timeline, say)."""
    events = TimelineEvent.objects.filter(
        Q(customer_id=customer_id) | Q(object_type="customers.customer", object_pk=str(customer_id))
    )
    count = 0
    for event in events.iterator(chunk_size=500):
        title = _redact_text(event.title, values)[:200]
        detail = _redact_text(event.detail, values)
        if (title, detail) != (event.title, event.detail):
            TimelineEvent.objects.filter(pk=event.pk).update(title=title, detail=detail)
            count += 1
    return count


def _erased_field_value(customer: Customer, name: str) -> Any:
    if name == "tags":
        return []
    field = Customer._meta.get_field(name)
    attname = getattr(field, "attname", name)
    return _plain(getattr(customer, attname))


def _suppress(phone: str, actor: Any) -> None:
    phone_hash = contact_hash(phone)
    if ContactSuppression.objects.filter(phone_hash=phone_hash).exists():
        return
    suppression = ContactSuppression.objects.create(
        phone_hash=phone_hash, reason=SUPPRESSION_REASON
    )
    audit_record(action=AuditAction.CREATE, actor=actor, obj=suppression)


@transaction.atomic
def customer_erase(
    *, customer: Customer, actor: Any, reason: str, source: str = ConsentSource.STORE
) -> Customer:
    """Erase the customer's personal data everywhere (see the module's docstring).

    ``source`` is how the customer asked (in store, by phone …): every consent they had is
    withdrawn with that source. ``reason`` is kept in the audit row; it must not repeat personal
    data.
    """
    require_capability(actor, CAPABILITY)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the data are erased (e.g. the request).")})
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.erased_at is not None:
        raise ApplicationError(
            _("This customer's personal data has already been erased."), code="customer_erased"
        )
    values = _personal_values(locked)
    old_phone = locked.phone
    erased_fields = [
        name
        for name in PERSONAL_FIELDS
        if (locked.tags.exists() if name == "tags" else getattr(locked, name) not in (None, ""))
    ]

    for purpose in ConsentPurpose.values:
        if locked.has_consent(purpose):
            consent_record(
                customer=locked,
                purpose=purpose,
                granted=False,
                source=source,
                actor=actor,
                note="erasure",
            )
    ConsentEvent.objects.filter(customer=locked).exclude(note__in=("", "erasure")).update(note="")
    SensitiveProfile.objects.filter(customer_id=locked.pk).delete()

    handler_counts = {
        handler.key: handler.erase(locked.pk, actor)
        for handler in customer_data_handlers()
        if handler.erase is not None
    }

    new_name = erased_name(locked.pk)
    locked.full_name = new_name
    locked.phone = erased_phone(locked.pk)
    for name, blank in BLANK_VALUES.items():
        setattr(locked, name, blank)
    for name, value in derived_fields(locked).items():
        setattr(locked, name, value)
    locked.erased_at = timezone.now()
    locked.full_clean()
    locked.save()
    locked.tags.clear()
    customer_completeness_refresh(customer=locked)

    timeline_count = _timeline_redact(customer_id=locked.pk, values=values)
    audit_count = _audit_redact(customer_id=locked.pk, values=values, new_name=new_name)
    _suppress(old_phone, actor)
    audit_record(
        action=AuditAction.DELETE,
        actor=actor,
        obj=locked,
        object_repr=new_name,
        changes={
            **{name: [ERASED, _erased_field_value(locked, name)] for name in erased_fields},
            "handlers": handler_counts,
            "timeline_events": timeline_count,
            "audit_rows": audit_count,
        },
        message=(_("Personal data erased: %(reason)s") % {"reason": reason})[:300],
    )
    timeline_event_add(
        customer_id=locked.pk,
        domain=TIMELINE_DOMAIN,
        kind="erased",
        title=_("Personal data erased"),
        store_id=locked.home_store_id,
        actor=actor,
        obj=locked,
    )
    customer.refresh_from_db()
    return customer


def erasure_confirmation_matches(*, customer: Customer, typed: str) -> bool:
    """Whether what staff typed is the last 4 digits of the customer's phone number."""
    digits = "".join(ch for ch in (typed or "") if ch.isdigit())
    return len(digits) == 4 and customer.phone.endswith(digits)
