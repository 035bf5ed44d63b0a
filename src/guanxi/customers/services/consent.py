"""Consent: per-channel marketing consent and the separate sensitive-data consent.

Every grant or withdrawal is a new ``ConsentEvent`` (append-only); the current state of each
purpose is the latest event by time, cached on the customer as ``consent_<purpose>``. Opt-out
links in messages carry a signed token per customer and channel, so anyone who received the
message can withdraw without signing in, and nobody can forge a link for another customer.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.services import model_delete
from guanxi.customers.choices import Channel, ConsentPurpose, ConsentSource
from guanxi.customers.models import ConsentEvent, ContactSuppression, Customer
from guanxi.customers.selectors.consent import contact_hash

ALL_CHANNELS = "all"
OPT_OUT_SALT = "guanxi.customers.opt-out"
# A suppression after an erasure is lifted only by a consent the person gives anew, not by an
# old spreadsheet imported again.
SOURCES_NOT_LIFTING_SUPPRESSION = frozenset({ConsentSource.IMPORT})
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


def _locked(customer: Customer) -> Customer:
    """The customer's row, locked until the end of the transaction."""
    return Customer.objects.select_for_update().get(pk=customer.pk)


def _latest_granted(customer_id: int, purpose: str) -> bool:
    latest = (
        ConsentEvent.objects.filter(customer_id=customer_id, purpose=purpose)
        .order_by("-recorded_at", "-pk")
        .values_list("granted", flat=True)
        .first()
    )
    return bool(latest)


def _suppression_lift(*, customer: Customer, actor: Any) -> bool:
    suppression = ContactSuppression.objects.filter(phone_hash=contact_hash(customer.phone)).first()
    if suppression is None:
        return False
    model_delete(instance=suppression, actor=actor)
    return True


@transaction.atomic
def consent_record(
    *,
    customer: Customer,
    purpose: str,
    granted: bool,
    source: str,
    actor: Any,
    note: str = "",
    at: datetime.datetime | None = None,
) -> ConsentEvent:
    """Record that the customer granted or withdrew consent for ``purpose``.

    ``at`` backdates the record (a form signed last week); the cached state follows the latest
    record by time. A channel grant given anew lifts the suppression an erasure put on the phone
    number.
    """
    if purpose not in ConsentPurpose.values:
        raise ValidationError({"purpose": _("Choose a valid purpose.")})
    if source not in ConsentSource.values:
        raise ValidationError({"source": _("Choose a valid source.")})
    now = timezone.now()
    at = at or now
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError({"at": _("Consent cannot be recorded in the future.")})
    locked = _locked(customer)
    if locked.erased_at is not None:
        raise ApplicationError(
            _("This customer's personal data has been erased."), code="customer_erased"
        )
    event = ConsentEvent(
        customer=locked,
        purpose=purpose,
        granted=granted,
        recorded_at=at,
        source=source,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=(note or "").strip(),
    )
    event.full_clean()
    event.save()

    field = f"consent_{purpose}"
    before = getattr(locked, field)
    after = _latest_granted(locked.pk, purpose)
    if after != before:
        setattr(locked, field, after)
        locked.save(update_fields=[field, "updated_at"])
    setattr(customer, field, after)
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=locked,
        changes={field: [before, after]},
        message=(
            _("Consent granted: %(purpose)s (%(source)s).")
            if granted
            else _("Consent withdrawn: %(purpose)s (%(source)s).")
        )
        % {
            "purpose": ConsentPurpose(purpose).label,
            "source": ConsentSource(source).label,
        },
    )
    if (
        granted
        and purpose != ConsentPurpose.SENSITIVE
        and source not in (SOURCES_NOT_LIFTING_SUPPRESSION)
    ):
        _suppression_lift(customer=locked, actor=actor)
    return event


@transaction.atomic
def consent_opt_out(
    *, customer: Customer, channel: str, source: str, actor: Any, note: str = ""
) -> list[ConsentEvent]:
    """Withdraw marketing consent on one channel, or on every channel with ``"all"``.

    A withdrawal is recorded even for a channel that was not granted: the explicit refusal is
    itself worth keeping. Sensitive-data consent is not a channel and is not touched.
    """
    if channel == ALL_CHANNELS:
        channels = list(Channel.values)
    elif channel in Channel.values:
        channels = [channel]
    else:
        raise ValidationError({"channel": _("Choose a valid channel.")})
    return [
        consent_record(
            customer=customer,
            purpose=name,
            granted=False,
            source=source,
            actor=actor,
            note=note,
        )
        for name in channels
    ]


# --- Signed opt-out links --------------------------------------------------------------------


def opt_out_token(*, customer_id: int, channel: str) -> str:
    """The signed token of an opt-out link for one customer and one channel (or ``"all"``)."""
    if channel != ALL_CHANNELS and channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    return signing.dumps({"c": customer_id, "ch": channel}, salt=OPT_OUT_SALT, compress=True)


def opt_out_url(*, customer_id: int, channel: str) -> str:
    """The path of the public opt-out page; the marketing domain puts it in its messages."""
    token = opt_out_token(customer_id=customer_id, channel=channel)
    return reverse("customers:opt-out", kwargs={"token": token})


def opt_out_token_read(token: str) -> tuple[int, str]:
    """The customer id and channel of a token, or ``ApplicationError`` for a forged or
    damaged link. Tokens do not expire: a withdrawal is always welcome."""
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
        customer_id, channel = int(data["c"]), str(data["ch"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ApplicationError(
            _("This opt-out link is not valid. Please contact the store."), code="bad_link"
        ) from exc
    if channel != ALL_CHANNELS and channel not in Channel.values:
        raise ApplicationError(
            _("This opt-out link is not valid. Please contact the store."), code="bad_link"
        )
    return customer_id, channel


@transaction.atomic
def consent_opt_out_by_link(*, token: str) -> tuple[Customer | None, str]:
    """Withdraw the consent an opt-out link names; nobody is signed in.

    Returns the customer (``None`` when they no longer exist) and the channel. An erased
    customer has no consent left to withdraw, so nothing is written for them.
    """
    customer_id, channel = opt_out_token_read(token)
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None or customer.erased_at is not None:
        return None, channel
    consent_opt_out(
        customer=customer, channel=channel, source=ConsentSource.OPT_OUT_LINK, actor=None
    )
    return customer, channel
