"""The member tier ladder: which level a spend reaches, moving memberships up (and down), and
editing the ladder and its policy.

The spend itself belongs to the orders domain, which registers a source
with ``tier_spend_register(fn)`` (orders imports loyalty, not the other way round);
``fn(membership, since)`` returns the membership's spend since ``since`` (``None``: ever). Until a source is registered the nightly re-evaluation does nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.money import money_round
from guanxi.core.permissions import require_capability
from guanxi.core.services import model_create, model_update
from guanxi.core.timeline import timeline_event_add
from guanxi.loyalty.choices import TierBasis, TierChangeReason
from guanxi.loyalty.models import (
    SETTINGS_PK,
    LoyaltySettings,
    Membership,
    TierChange,
    TierLevel,
)

logger = logging.getLogger(__name__)

CAPABILITY = "loyalty.tiers"
ROLLING_WINDOW = datetime.timedelta(days=365)

SpendSource = Callable[[Membership, datetime.datetime | None], Decimal]
_SPEND_SOURCES: list[SpendSource] = []


def tier_spend_register(fn: SpendSource) -> None:
    """Register a source of spend; the spend of a membership is the sum over all sources."""
    if fn not in _SPEND_SOURCES:
        _SPEND_SOURCES.append(fn)


def tier_spend_sources() -> list[SpendSource]:
    return list(_SPEND_SOURCES)


def tier_spend_since(
    *, basis: str, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """Where the spend of ``basis`` starts: never for lifetime, a year ago for rolling."""
    if basis == TierBasis.ROLLING_12_MONTHS:
        return (now or timezone.now()) - ROLLING_WINDOW
    return None


def tier_for_spend(amount: Decimal) -> TierLevel | None:
    """The highest level whose threshold ``amount`` reaches (``None`` with an empty ladder)."""
    return (
        TierLevel.objects.filter(threshold__lte=money_round(amount)).order_by("-threshold").first()
    )


def _effective_level(membership: Membership) -> TierLevel | None:
    """The membership's level; an empty tier means the lowest level of the ladder."""
    if membership.tier_id:
        return membership.tier
    return TierLevel.objects.order_by("rank").first()


@transaction.atomic
def tier_evaluate(
    *, membership: Membership, spend: Decimal, reason: str, actor: Any
) -> TierChange | None:
    """Move the membership to the level ``spend`` reaches, when the rules allow.

    Upgrades always; downgrades only on the scheduled re-evaluation and only when the policy
    allows them. Returns the recorded change, or ``None`` when the tier stays.
    """
    spend = money_round(spend)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("tier")
        .get(pk=membership.pk)
    )
    current = _effective_level(membership)
    target = tier_for_spend(spend)
    if target is None or current is None or target.pk == current.pk:
        return None
    upgrade = target.rank > current.rank
    if not upgrade:
        settings = LoyaltySettings.objects.filter(pk=SETTINGS_PK).first()
        allowed = settings is not None and settings.tier_downgrade_allowed
        if reason != TierChangeReason.REEVALUATION or not allowed:
            return None
    from_level = membership.tier
    model_update(instance=membership, data={"tier": target}, actor=actor)
    change = TierChange.objects.create(
        membership=membership,
        from_level=from_level,
        to_level=target,
        reason=reason,
        spend=spend,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=membership,
        message=_("Tier changed from %(old)s to %(new)s (%(reason)s).")
        % {"old": current.name, "new": target.name, "reason": change.get_reason_display()},
    )
    if upgrade:
        transaction.on_commit(lambda: _queue_upgrade_notify(change.pk))
    return change


def _queue_upgrade_notify(change_pk: int) -> None:
    from guanxi.loyalty.tasks import tier_upgrade_notify

    tier_upgrade_notify(change_pk)


def tier_upgrade_notify(*, change: TierChange) -> int:
    """Put "Upgraded to <level>" on the timeline of every customer of the membership.

    Returns how many customers got the event. Real messages (SMS, WeChat) come from the
    marketing domain later.
    """
    membership = change.membership
    if membership.household is not None:
        from guanxi.customers.selectors.households import household_members

        customers = list(household_members(household=membership.household))
    else:
        customers = [c for c in (membership.customer,) if c is not None]
    title = _("Upgraded to %(level)s") % {"level": change.to_level.name}
    for customer in customers:
        timeline_event_add(
            customer_id=customer.pk,
            domain="loyalty",
            kind="tier_upgrade",
            title=title,
            store_id=membership.store_id,
            actor=change.actor,
            obj=change,
        )
    return len(customers)


def tier_reevaluate_all(*, now: datetime.datetime | None = None) -> int:
    """Re-evaluate every membership against its spend; returns how many changed tier."""
    sources = tier_spend_sources()
    if not sources:
        logger.info("Tier re-evaluation skipped: no spend source is registered.")
        return 0
    settings = LoyaltySettings.objects.filter(pk=SETTINGS_PK).first()
    basis = settings.tier_basis if settings else TierBasis.LIFETIME
    since = tier_spend_since(basis=basis, now=now)
    changed = 0
    for membership in Membership.objects.order_by("pk").iterator():
        spend = sum((Decimal(fn(membership, since)) for fn in sources), Decimal(0))
        change = tier_evaluate(
            membership=membership, spend=spend, reason=TierChangeReason.REEVALUATION, actor=None
        )
        changed += change is not None
    logger.info("Tier re-evaluation: %d memberships changed tier.", changed)
    return changed


# --- Editing the ladder ---------------------------------------------------------------------------


def _check_ladder_order() -> None:
    """Ranks and thresholds must rise together, or a higher rank could be easier to reach."""
    thresholds = list(TierLevel.objects.order_by("rank").values_list("threshold", flat=True))
    if thresholds != sorted(thresholds):
        raise ValidationError(
            {"threshold": _("A higher rank needs a higher spend threshold than the ranks below.")}
        )


@transaction.atomic
def tier_level_create(*, actor: Any, **data: Any) -> TierLevel:
    require_capability(actor, CAPABILITY)
    level = model_create(instance=TierLevel(**data), actor=actor)
    _check_ladder_order()
    return level


@transaction.atomic
def tier_level_update(*, level: TierLevel, data: dict[str, Any], actor: Any) -> TierLevel:
    require_capability(actor, CAPABILITY)
    level, _changed = model_update(instance=level, data=data, actor=actor)
    _check_ladder_order()
    return level


@transaction.atomic
def tier_policy_update(*, data: dict[str, Any], actor: Any) -> LoyaltySettings:
    require_capability(actor, CAPABILITY)
    settings, _created = LoyaltySettings.objects.select_for_update().get_or_create(pk=SETTINGS_PK)
    allowed = {"tier_basis", "tier_downgrade_allowed"}
    settings, _changed = model_update(
        instance=settings, data={k: v for k, v in data.items() if k in allowed}, actor=actor
    )
    return settings
