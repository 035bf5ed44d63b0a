"""Referral rewards in the customer-data registry (``guanxi.core.registry``).

- export: the referrals the customer was rewarded for, and their own referral's settlement
  (status, points, reason, time; no other customer's name);
- erase: the rows hold no personal data (ids, points and an order reference), nothing to blank;
- merge: rewards earned by the customer folded away move to the one kept. The folded customer's
  own settlement moves too, unless the kept customer has one already (a referral is settled
  once: the kept customer's stays, the other row is deleted, audited; its points stay in the
  ledger) or the two customers referred each other (the row would name one person twice).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.audit import audit_record, snapshot
from guanxi.core.choices import AuditAction
from guanxi.core.registry import CustomerDataHandler, customer_data_register
from guanxi.loyalty.models import ReferralReward


def referral_export(customer_id: int) -> list[dict[str, Any]]:
    rewards = ReferralReward.objects.filter(
        Q(referrer_id=customer_id) | Q(referred_id=customer_id)
    ).order_by("created_at", "pk")
    return [
        {
            "role": "referrer" if reward.referrer_id == customer_id else "referred",
            "time": reward.created_at.isoformat(),
            "status": reward.status,
            "points": reward.points,
            "reason": reward.skip_reason,
            "order": reward.reference,
        }
        for reward in rewards
    ]


def referral_erase(customer_id: int, actor: Any) -> int:
    return 0


def _delete(reward: ReferralReward, actor: Any) -> None:
    audit_record(
        action=AuditAction.DELETE,
        actor=actor,
        obj=reward,
        changes={name: [value, None] for name, value in snapshot(reward).items()},
        message=_("Referral settlement folded away by a customer merge"),
    )
    reward.delete()


def referral_merge(source_id: int, target_id: int, actor: Any) -> int:
    moved = 0
    rewards = ReferralReward.objects.select_for_update().filter(
        Q(referrer_id=source_id) | Q(referred_id=source_id)
    )
    target_settled = ReferralReward.objects.filter(referred_id=target_id).exists()
    for reward in rewards.order_by("pk"):
        before = {"referrer": reward.referrer_id, "referred": reward.referred_id}
        referrer = target_id if reward.referrer_id == source_id else reward.referrer_id
        referred = target_id if reward.referred_id == source_id else reward.referred_id
        if referrer == referred or (reward.referred_id == source_id and target_settled):
            _delete(reward, actor)
            continue
        ReferralReward.objects.filter(pk=reward.pk).update(
            referrer_id=referrer, referred_id=referred
        )
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=reward,
            changes={
                name: [old, new]
                for (name, old), new in zip(before.items(), (referrer, referred), strict=True)
                if old != new
            },
            message=_("Moved by a customer merge"),
        )
        moved += 1
    return moved


customer_data_register(
    CustomerDataHandler(
        key="loyalty.referrals",
        label=gettext_lazy("Referral rewards"),
        merge=referral_merge,
        export=referral_export,
        erase=referral_erase,
        order=55,
    )
)
