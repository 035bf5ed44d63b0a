"""The customers domain's own entry in the customer-data registry (``guanxi.core.registry``).

When two customers are merged (``services.merge.customer_merge``), every domain's handler moves
its records from the customer folded away onto the one kept. This handler moves what the
customers domain itself keeps about a customer besides the master fields: tags, consent records,
the skin and health data, and the customers they referred. It runs first (``order=0``) so that
later handlers see the kept customer's final consent.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.core.registry import CustomerDataHandler, customer_data_register
from guanxi.customers.choices import ConsentPurpose
from guanxi.customers.models import ConsentEvent, Customer, SensitiveProfile

CUSTOMERS_HANDLER_KEY = "customers"


def consent_flags(customer_id: int) -> dict[str, bool]:
    """The cached consent booleans as the consent records say: the latest record per purpose
    (by time, then by id); a purpose never recorded is not consented."""
    flags = {f"consent_{purpose}": False for purpose in ConsentPurpose.values}
    latest_first = ConsentEvent.objects.filter(customer_id=customer_id).order_by(
        "purpose", "-recorded_at", "-pk"
    )
    seen: set[str] = set()
    for purpose, granted in latest_first.values_list("purpose", "granted"):
        if purpose not in seen:
            seen.add(purpose)
            flags[f"consent_{purpose}"] = granted
    return flags


def _merge_tags(source_id: int, target_id: int) -> int:
    through = Customer.tags.through
    kept = set(through.objects.filter(customer_id=target_id).values_list("tag_id", flat=True))
    added = [
        through(customer_id=target_id, tag_id=tag_id)
        for tag_id in through.objects.filter(customer_id=source_id).values_list("tag_id", flat=True)
        if tag_id not in kept
    ]
    through.objects.bulk_create(added)
    return len(added)


def _merge_sensitive_profile(source_id: int, target_id: int, *, consented: bool) -> int:
    """Move the source's skin and health data when the target has none and, after the consent
    records were combined, has the sensitive-data consent; otherwise it goes with the source."""
    if not consented or SensitiveProfile.objects.filter(customer_id=target_id).exists():
        return 0
    return SensitiveProfile.objects.filter(customer_id=source_id).update(customer_id=target_id)


def customers_merge(source_id: int, target_id: int, actor: Any) -> int:
    """Move tags, consent records, sensitive data and referrals; returns how many records
    moved. The caller (``customer_merge``) holds both rows locked and audits the merge."""
    moved = _merge_tags(source_id, target_id)
    moved += ConsentEvent.objects.filter(customer_id=source_id).update(customer_id=target_id)
    flags = consent_flags(target_id)
    Customer.objects.filter(pk=target_id).update(**flags)
    moved += _merge_sensitive_profile(
        source_id, target_id, consented=flags[f"consent_{ConsentPurpose.SENSITIVE}"]
    )
    moved += (
        Customer.objects.filter(referrer_id=source_id)
        .exclude(pk=target_id)
        .update(referrer_id=target_id)
    )
    return moved


customer_data_register(
    CustomerDataHandler(
        key=CUSTOMERS_HANDLER_KEY,
        label=_("Customer"),
        merge=customers_merge,
        order=0,
    )
)
