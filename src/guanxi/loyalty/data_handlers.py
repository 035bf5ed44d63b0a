"""The loyalty domain's entry in the customer-data registry (``guanxi.core.registry``).

- export: the customer's card numbers and balances, and their ledger;
- erase: the ledger keeps no personal data (amounts, kinds, staff and order references), so
  there is nothing to blank; the membership and its balances stay for the accounts to balance;
- merge: a card of the customer folded away moves to the customer kept when the kept one has no
  card of their own (their membership is re-pointed: no balance moves). When both have a card,
  the merge is refused: the balances would have to be combined by hand first (see
  docs/user/loyalty-ledger.md).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.registry import CustomerDataHandler, customer_data_register
from guanxi.loyalty.models import LedgerEntry, Membership


def loyalty_export(customer_id: int) -> list[dict[str, Any]]:
    membership = Membership.objects.filter(customer_id=customer_id).first()
    if membership is None:
        from guanxi.customers.models import Customer

        household_id = (
            Customer.objects.filter(pk=customer_id).values_list("household_id", flat=True).first()
        )
        membership = (
            Membership.objects.filter(household_id=household_id).first() if household_id else None
        )
    if membership is None:
        return []
    rows: list[dict[str, Any]] = [
        {"card": card.number, "status": card.status, "issued_at": card.created_at.isoformat()}
        for card in membership.cards.order_by("created_at", "pk")
    ]
    entries = (
        LedgerEntry.objects.filter(account__membership=membership)
        .select_related("transaction", "account")
        .order_by("pk")
    )
    rows += [
        {
            "time": entry.created_at.isoformat(),
            "account": entry.account.kind,
            "transaction": entry.transaction.kind,
            "amount": str(entry.amount),
            "memo": entry.transaction.memo,
        }
        for entry in entries
    ]
    return rows


def loyalty_erase(customer_id: int, actor: Any) -> int:
    return 0


def loyalty_merge(source_id: int, target_id: int, actor: Any) -> int:
    source = Membership.objects.select_for_update().filter(customer_id=source_id).first()
    if source is None:
        return 0
    from guanxi.customers.models import Customer

    target = Customer.objects.get(pk=target_id)
    if Membership.objects.filter(customer_id=target_id).exists() or (
        target.household_id and Membership.objects.filter(household_id=target.household_id).exists()
    ):
        raise ApplicationError(
            _("Both customers have a member card; combine their balances before merging."),
            code="both_have_cards",
        )
    if target.household_id:
        Membership.objects.filter(pk=source.pk).update(
            customer=None, household_id=target.household_id
        )
    else:
        Membership.objects.filter(pk=source.pk).update(customer_id=target_id)
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=source,
        changes={"customer": [source_id, None if target.household_id else target_id]},
        message=_("Card moved by a customer merge"),
    )
    return 1


customer_data_register(
    CustomerDataHandler(
        key="loyalty",
        label=gettext_lazy("Member card and balances"),
        merge=loyalty_merge,
        export=loyalty_export,
        erase=loyalty_erase,
        order=50,
    )
)
