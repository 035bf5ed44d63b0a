"""Reads about consent: the current state per purpose, the history of grants and withdrawals,
who may be contacted on a channel, and whether a phone number is suppressed after an erasure.

Suppressed numbers are kept only as a keyed hash (HMAC-SHA256 with ``SECRET_KEY``) of the E.164
form, so the list of erased people cannot be read back from the database.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Min, QuerySet

from guanxi.core.permissions import scope
from guanxi.customers.choices import Channel, ConsentPurpose
from guanxi.customers.models import ConsentEvent, ContactSuppression, Customer

HASH_CHUNK = 2000


@dataclass(frozen=True)
class ConsentState:
    """One purpose on the consent panel: granted or not, and the event that decided it."""

    purpose: str
    label: Any
    granted: bool
    last_event: ConsentEvent | None

    @property
    def is_channel(self) -> bool:
        return self.purpose != ConsentPurpose.SENSITIVE


def contact_hash(phone: str) -> str:
    """The keyed hash a suppressed phone number is stored as."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, phone.strip().encode(), hashlib.sha256).hexdigest()


def phone_is_suppressed(*, phone: str) -> bool:
    return ContactSuppression.objects.filter(phone_hash=contact_hash(phone)).exists()


def consent_event_list(*, customer: Customer) -> QuerySet[ConsentEvent]:
    """Every grant and withdrawal of one customer, newest first, with who recorded it.

    The caller has already looked the customer up in the user's scope.
    """
    return ConsentEvent.objects.filter(customer=customer).select_related("recorded_by")


def consent_states(*, customer: Customer) -> list[ConsentState]:
    """The current state of every purpose, in the order of ``ConsentPurpose``, each with the
    latest event about it (``None`` when nothing was ever recorded)."""
    latest: dict[str, ConsentEvent] = {}
    for event in consent_event_list(customer=customer):
        latest.setdefault(event.purpose, event)
    return [
        ConsentState(
            purpose=str(purpose),
            label=purpose.label,
            granted=customer.has_consent(purpose),
            last_event=latest.get(purpose),
        )
        for purpose in ConsentPurpose
    ]


def _suppressed_pks(customers: QuerySet[Customer]) -> set[int]:
    """The customers among ``customers`` whose phone number is suppressed.

    A hash cannot be matched in SQL, so the phones are hashed here; but only customers whose
    row changed after the oldest suppression can carry a suppressed number (a number is unique,
    and an erased customer's number is replaced), which keeps the candidates few.
    """
    since = ContactSuppression.objects.aggregate(first=Min("created_at"))["first"]
    if since is None:
        return set()
    hashes = set(ContactSuppression.objects.values_list("phone_hash", flat=True))
    candidates: Iterable[tuple[int, str]] = (
        customers.filter(updated_at__gte=since)
        .order_by()
        .values_list("pk", "phone")
        .iterator(chunk_size=HASH_CHUNK)
    )
    return {pk for pk, phone in candidates if contact_hash(phone) in hashes}


def marketing_contactable(*, channel: str, user: Any = None) -> QuerySet[Customer]:
    """The customers who may be contacted for marketing on ``channel``: they consented on it,
    they are not erased, and their phone number is not suppressed.

    For the marketing domain. With ``user``, limited to the customers that user may see.
    """
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    customers = Customer.objects.filter(**{f"consent_{channel}": True}, erased_at__isnull=True)
    if user is not None:
        customers = scope(customers, user)
    suppressed = _suppressed_pks(customers)
    if suppressed:
        customers = customers.exclude(pk__in=suppressed)
    return customers.order_by("pk")
