"""The member card: numbering, issue, freeze, loss and replacement.

Card numbers are ``<prefix><STORE CODE><sequence><check digit>`` (prefix, whether the store code
is included and the sequence length come from ``LoyaltySettings``). The check digit is Luhn's over
the number's characters read as digits (letters count as two digits, A=10 … Z=35, as in IBANs),
so a mistyped digit or two swapped neighbours are caught at the till.

Replacement issues a new card on the same membership: the accounts belong to the membership, so
the new card has every balance at once and no money moves.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.services import model_create, model_update
from guanxi.loyalty.choices import AccountKind, CardStatus
from guanxi.loyalty.models import (
    SINGLE_ACCOUNT_KINDS,
    CardSequence,
    LedgerAccount,
    MemberCard,
    Membership,
)
from guanxi.loyalty.selectors import card_for_customer, loyalty_settings_get


def _digits(text: str) -> str:
    return "".join(str(int(ch, 36)) for ch in text.upper())


def luhn_check_digit(text: str) -> str:
    """The digit that makes ``text`` + digit pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(_digits(text))):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def card_number_is_valid(number: str) -> bool:
    number = number.strip().upper()
    return len(number) > 1 and number.isalnum() and luhn_check_digit(number[:-1]) == number[-1]


def card_number_next(*, store: Any) -> str:
    """Draw the store's next sequence number (its row locked) and format it."""
    config = loyalty_settings_get()
    CardSequence.objects.get_or_create(store=store)
    sequence = CardSequence.objects.select_for_update().get(store=store)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    store_code = (
        store.code.upper().replace("-", "").replace("_", "")
        if config.card_include_store_code
        else ""
    )
    body = f"{config.card_prefix}{store_code}{sequence.last_value:0{config.card_sequence_digits}d}"
    return body + luhn_check_digit(body)


def _membership_for(customer: Any, actor: Any) -> Membership:
    if customer.household_id:
        found = Membership.objects.filter(household_id=customer.household_id).first()
        if found is None:
            found = model_create(
                instance=Membership(household=customer.household, store=customer.household.store),
                actor=actor,
            )
    else:
        found = Membership.objects.filter(customer=customer).first()
        if found is None:
            found = model_create(
                instance=Membership(customer=customer, store=customer.home_store), actor=actor
            )
    for kind in SINGLE_ACCOUNT_KINDS:
        LedgerAccount.objects.get_or_create(
            membership=found, kind=kind, defaults={"store_id": found.store_id}
        )
    return found


@transaction.atomic
def card_issue(*, customer: Any, actor: Any) -> MemberCard:
    """Issue the member card of a customer's household (or of the customer alone)."""
    if customer.erased_at is not None:
        raise ApplicationError(_("An erased customer cannot get a card."), code="erased")
    existing = card_for_customer(customer)
    if existing is not None:
        raise ApplicationError(
            _("This customer already has card %(number)s.") % {"number": existing.number},
            code="card_exists",
        )
    membership = _membership_for(customer, actor)
    return model_create(
        instance=MemberCard(membership=membership, number=card_number_next(store=membership.store)),
        actor=actor,
    )


def _card_locked(card: MemberCard) -> MemberCard:
    return MemberCard.objects.select_for_update().select_related("membership").get(pk=card.pk)


def _card_status_set(
    card: MemberCard, *, allowed_from: tuple[str, ...], status: str, actor: Any
) -> MemberCard:
    locked = _card_locked(card)
    if locked.status not in allowed_from:
        raise ApplicationError(
            _("Card %(number)s is %(status)s; this cannot be done now.")
            % {"number": locked.number, "status": locked.get_status_display()},
            code="card_status",
        )
    model_update(instance=locked, data={"status": status}, actor=actor)
    return locked


@transaction.atomic
def card_freeze(*, card: MemberCard, actor: Any) -> MemberCard:
    """Stop every use of the card until it is unfrozen."""
    return _card_status_set(
        card, allowed_from=(CardStatus.ACTIVE,), status=CardStatus.FROZEN, actor=actor
    )


@transaction.atomic
def card_unfreeze(*, card: MemberCard, actor: Any) -> MemberCard:
    return _card_status_set(
        card, allowed_from=(CardStatus.FROZEN,), status=CardStatus.ACTIVE, actor=actor
    )


@transaction.atomic
def card_report_lost(*, card: MemberCard, actor: Any) -> MemberCard:
    """Block a lost card; the balances wait for the replacement."""
    return _card_status_set(
        card,
        allowed_from=(CardStatus.ACTIVE, CardStatus.FROZEN),
        status=CardStatus.LOST,
        actor=actor,
    )


@transaction.atomic
def card_replace(*, card: MemberCard, actor: Any) -> MemberCard:
    """Issue a new card on the same membership; the old one is marked replaced and points to it.
    The balances stay on the membership's accounts, so nothing moves in the ledger."""
    old = _card_locked(card)
    if old.status == CardStatus.REPLACED:
        raise ApplicationError(
            _("Card %(number)s was already replaced.") % {"number": old.number}, code="card_status"
        )
    number = card_number_next(store=old.membership.store)
    # The partial unique index allows one live card per membership: retire the old one first.
    MemberCard.objects.filter(pk=old.pk).update(status=CardStatus.REPLACED, replaced_by=None)
    new = MemberCard(membership=old.membership, number=number)
    new.full_clean()
    new.save()
    MemberCard.objects.filter(pk=old.pk).update(replaced_by=new)
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=old,
        changes={"status": [old.status, CardStatus.REPLACED], "replaced_by": [None, new.pk]},
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=new,
        changes={"number": [None, new.number], "replaces": [None, old.pk]},
    )
    old.status, old.replaced_by = CardStatus.REPLACED, new
    return new


def card_require_usable(card: MemberCard) -> MemberCard:
    """Lock the card and refuse anything but an active card. Lock order: card, then accounts."""
    locked = _card_locked(card)
    if locked.status != CardStatus.ACTIVE:
        raise ApplicationError(
            _("Card %(number)s is %(status)s and cannot be used.")
            % {"number": locked.number, "status": locked.get_status_display()},
            code="card_not_active",
        )
    return locked


def member_account(card: MemberCard, kind: str | AccountKind) -> LedgerAccount:
    return LedgerAccount.objects.get(membership_id=card.membership_id, kind=kind)
