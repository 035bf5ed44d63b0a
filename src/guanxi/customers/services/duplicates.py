"""Likely duplicates of a customer about to be created or imported.

``duplicate_candidates`` is the one entry point the create form, the import and the API share;
its signature is kept stable:

    duplicate_candidates(*, full_name, phone, birthday, user, exclude_pk=None)
        -> list[DuplicateCandidate]

A candidate is a customer ``user`` may see that has

- the same phone number (after normalisation to E.164; a phone that does not parse matches
  nothing). The phone is unique, so saving such a customer fails anyway: the candidate says who
  already has it.
- the same name and the same birthday, where the name is compared by ``name_key``: simplified
  characters, lower case, no spaces, so 陳小明, 陈小明 and "陈 小明" are one name. Without a
  birthday no name match is made: common names are shared by many people.

Customers of stores ``user`` does not work in are never returned (they could not be opened).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from guanxi.customers.models import Customer
from guanxi.customers.names import name_key
from guanxi.customers.phones import phone_normalise
from guanxi.customers.selectors.customer import customer_list

CANDIDATE_LIMIT = 10


@dataclass(frozen=True)
class DuplicateCandidate:
    customer: Customer
    same_phone: bool
    same_name_and_birthday: bool


def duplicate_candidates(
    *,
    full_name: str,
    phone: str,
    birthday: datetime.date | None,
    user: Any,
    exclude_pk: int | None = None,
) -> list[DuplicateCandidate]:
    """The customers the given details probably describe already, same phone first, then the
    oldest record first; at most ``CANDIDATE_LIMIT``."""
    try:
        normalised = phone_normalise(phone) if phone else ""
    except ValidationError:
        normalised = ""
    key = name_key(full_name or "")
    match = Q()
    if normalised:
        match |= Q(phone=normalised)
    if key and birthday is not None:
        match |= Q(name_key=key, birthday=birthday)
    if not match:
        return []
    customers = customer_list(user=user).filter(match).order_by("created_at", "pk")
    if exclude_pk is not None:
        customers = customers.exclude(pk=exclude_pk)
    candidates = [
        DuplicateCandidate(
            customer=customer,
            same_phone=bool(normalised) and customer.phone == normalised,
            same_name_and_birthday=(
                birthday is not None and customer.name_key == key and customer.birthday == birthday
            ),
        )
        for customer in customers[:CANDIDATE_LIMIT]
    ]
    return sorted(candidates, key=lambda c: not c.same_phone)
