"""Referral rewards: the referrer of a customer is rewarded once, when the customer first buys.

Checkout calls ``referral_reward_on_purchase`` for every order with a customer. It returns at
once (two cheap reads, no lock) when the customer has no referrer, the referral was already
settled or the reward is set to 0 points. Otherwise, under a lock on the referred customer's
row, it settles the referral exactly once: a ``ReferralReward`` row (the referred customer is
unique) and, when the referrer has an active card, ``points_award`` to it. A referral that
cannot be paid — the referrer has no card, the card is not active, the referrer was erased — is
settled as *skipped* with the reason, and is not paid later.

Nothing here raises for a missing or unusable card: a referral never stops a sale.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.timeline import timeline_event_add
from guanxi.customers.models import Customer
from guanxi.loyalty.choices import CardStatus
from guanxi.loyalty.models import ReferralReward, ReferralRewardStatus, ReferralSkipReason
from guanxi.loyalty.selectors import card_for_customer, loyalty_settings_get
from guanxi.loyalty.services.points import points_award

TIMELINE_DOMAIN = "loyalty"


def referral_reward_on_purchase(
    *, customer: Any, reference: str, actor: Any, store_id: int
) -> ReferralReward | None:
    """Settle the referral of ``customer`` on their purchase ``reference`` made in ``store_id``.

    Returns the settlement made now (paid or skipped), or ``None`` when there was nothing to do:
    no referrer, already settled, or the reward is off (0 points).
    """
    if customer is None or not customer.referrer_id:
        return None
    if ReferralReward.objects.filter(referred_id=customer.pk).exists():
        return None
    points = loyalty_settings_get().referral_reward_points
    if points <= 0:
        return None
    return _settle(
        customer_pk=customer.pk,
        points=points,
        reference=reference,
        actor=actor,
        store_id=store_id,
    )


def _skip_reason(referrer: Customer, card: Any) -> str:
    if referrer.erased_at is not None:
        return ReferralSkipReason.REFERRER_ERASED
    if card is None:
        return ReferralSkipReason.REFERRER_NO_CARD
    if card.status != CardStatus.ACTIVE:
        return ReferralSkipReason.REFERRER_CARD_NOT_ACTIVE
    return ""


@transaction.atomic
def _settle(
    *, customer_pk: int, points: int, reference: str, actor: Any, store_id: int
) -> ReferralReward | None:
    # Two tills selling to the same customer at once queue here; the second finds it settled.
    referred = Customer.objects.select_for_update().get(pk=customer_pk)
    if referred.referrer_id is None:
        return None
    if ReferralReward.objects.filter(referred_id=referred.pk).exists():
        return None
    referrer = Customer.objects.get(pk=referred.referrer_id)
    card = card_for_customer(referrer)
    reason = _skip_reason(referrer, card)
    staff = actor if getattr(actor, "is_authenticated", False) else None
    reward = ReferralReward(
        referred=referred,
        referrer=referrer,
        store_id=store_id,
        reference=str(reference)[:64],
        created_by=staff,
    )
    if reason:
        reward.status, reward.skip_reason = ReferralRewardStatus.SKIPPED, reason
    else:
        assert card is not None  # _skip_reason returned "" only for a card
        # The memo stays free of names: the ledger is append-only and outlives an erasure.
        posting = points_award(
            card=card,
            points=points,
            reason=_("Referral reward (customer #%(pk)s)") % {"pk": referred.pk},
            actor=actor,
            reference=reference,
        )
        reward.status, reward.points = ReferralRewardStatus.PAID, points
        reward.membership_id, reward.ledger_transaction = card.membership_id, posting
    reward.full_clean()
    reward.save()
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=reward,
        changes={
            "referred": [None, referred.pk],
            "referrer": [None, referrer.pk],
            "status": [None, reward.status],
            "points": [None, reward.points],
            "skip_reason": [None, reward.skip_reason],
            "reference": [None, reward.reference],
        },
    )
    if reward.status == ReferralRewardStatus.PAID:
        timeline_event_add(
            customer_id=referrer.pk,
            domain=TIMELINE_DOMAIN,
            kind="referral_reward",
            title=_("Referral reward: %(points)s points for %(name)s")
            % {"points": points, "name": referred.full_name},
            store_id=store_id,
            actor=staff,
            obj=referred,  # an erasure of the referred customer blanks their name here
        )
    return reward
