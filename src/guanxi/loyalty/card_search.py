"""Find a customer by the number of their member card (typed, or scanned from the barcode) in
every customer search box: the header quick search, the list, the autocomplete and the API."""

from __future__ import annotations

import re

from django.db.models import Q

from guanxi.customers.selectors.customer import customer_search_provider_register
from guanxi.loyalty.models import MemberCard, Membership

CARD_NUMBER = re.compile(r"[A-Z0-9]{6,40}")


def card_number_q(term: str) -> Q | None:
    """The customers who hold the card ``term`` (any card of the membership, replaced ones
    included, so an old card still finds its holder)."""
    number = re.sub(r"[\s-]", "", term).upper()
    if not CARD_NUMBER.fullmatch(number) or not any(c.isdigit() for c in number):
        return None
    memberships = Membership.objects.filter(
        pk__in=MemberCard.objects.filter(number=number).values("membership_id")
    )
    return Q(pk__in=memberships.filter(customer__isnull=False).values("customer_id")) | Q(
        household_id__in=memberships.filter(household__isnull=False).values("household_id")
    )


customer_search_provider_register("loyalty.card_number", card_number_q)
