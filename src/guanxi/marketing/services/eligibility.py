"""Who may come to a member event: each rule of the event checked, with a reason for each.

- **tier**: the customer's membership (their household's, or their own) is on the minimum tier
  or higher; a membership without a tier is on the lowest rung. Without a card, no tier.
- **spend**: the membership's spend in the period reaches the minimum. The spend comes from the
  sources registered with loyalty (``tier_spend_sources()``; orders registers the sales), summed
  from ``spend_since`` (local midnight), or over the last ``spend_days`` days, or ever.
- **package**: the membership holds a treatment package with sessions left, valid on the day the
  event starts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.money import format_money, money_round
from guanxi.loyalty.selectors import card_for_customer, package_list, tier_level_list
from guanxi.loyalty.services.tiers import tier_spend_sources
from guanxi.marketing.models import MemberEvent


@dataclass(frozen=True)
class RuleCheck:
    rule: str  # "customer", "tier", "spend" or "package"
    passed: bool
    message: str


@dataclass(frozen=True)
class Eligibility:
    checks: list[RuleCheck] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def reasons(self) -> list[str]:
        """Why the customer may not come: one translated sentence per failed rule."""
        return [check.message for check in self.checks if not check.passed]


def spend_period_start(event: MemberEvent, now: datetime.datetime) -> datetime.datetime | None:
    """Where the spend rule starts counting (``None``: every purchase ever)."""
    if event.spend_since is not None:
        return timezone.make_aware(datetime.datetime.combine(event.spend_since, datetime.time()))
    if event.spend_days:
        return now - datetime.timedelta(days=event.spend_days)
    return None


def membership_spend(membership: Any, since: datetime.datetime | None) -> Decimal:
    """The membership's spend since ``since`` over every registered spend source."""
    if membership is None:
        return Decimal("0.00")
    total = sum((Decimal(fn(membership, since)) for fn in tier_spend_sources()), Decimal(0))
    return money_round(total)


def _tier_check(event: MemberEvent, card: Any) -> RuleCheck:
    minimum = event.minimum_tier
    assert minimum is not None
    if card is None:
        return RuleCheck(
            "tier",
            False,
            _("Needs the tier %(minimum)s or higher; the customer has no member card.")
            % {"minimum": minimum.name},
        )
    level = card.membership.tier or tier_level_list().first()
    if level is not None and level.rank >= minimum.rank:
        return RuleCheck("tier", True, _("Tier %(tier)s.") % {"tier": level.name})
    return RuleCheck(
        "tier",
        False,
        _("Needs the tier %(minimum)s or higher; the customer is %(tier)s.")
        % {"minimum": minimum.name, "tier": level.name if level else "—"},
    )


def _spend_check(event: MemberEvent, card: Any, now: datetime.datetime) -> RuleCheck:
    minimum = event.minimum_spend
    assert minimum is not None
    since = spend_period_start(event, now)
    spend = membership_spend(card.membership if card else None, since)
    values = {
        "spend": format_money(spend),
        "minimum": format_money(minimum),
        "since": timezone.localtime(since).date().isoformat() if since else "",
    }
    if spend >= minimum:
        if since is None:
            return RuleCheck("spend", True, _("Spent %(spend)s in all.") % values)
        return RuleCheck("spend", True, _("Spent %(spend)s since %(since)s.") % values)
    if since is None:
        message = _("Needs a spend of %(minimum)s; the customer spent %(spend)s in all.")
    else:
        message = _("Needs a spend of %(minimum)s since %(since)s; the customer spent %(spend)s.")
    return RuleCheck("spend", False, message % values)


def _package_check(event: MemberEvent, card: Any) -> RuleCheck:
    day = timezone.localtime(event.starts_at).date()
    package = None
    if card is not None:
        package = (
            package_list(card=card)
            .filter(account__balance__gt=0, valid_until__gte=day)
            .order_by("valid_until", "pk")
            .first()
        )
    if package is None:
        return RuleCheck(
            "package",
            False,
            _("Needs a treatment package with sessions left, valid on %(day)s.")
            % {"day": day.isoformat()},
        )
    return RuleCheck(
        "package",
        True,
        _("Holds %(service)s with %(sessions)s sessions left.")
        % {"service": package.service_name, "sessions": int(package.account.balance)},
    )


def event_eligibility(
    *, event: MemberEvent, customer: Any, now: datetime.datetime | None = None
) -> Eligibility:
    """Check every rule of ``event`` for ``customer``; ``Eligibility.reasons`` says what fails."""
    now = now or timezone.now()
    if customer.erased_at is not None:
        return Eligibility(
            [RuleCheck("customer", False, _("The customer's personal data was erased."))]
        )
    checks: list[RuleCheck] = []
    needs_card = event.minimum_tier_id or event.minimum_spend is not None or event.requires_package
    card = card_for_customer(customer) if needs_card else None
    if event.minimum_tier_id:
        checks.append(_tier_check(event, card))
    if event.minimum_spend is not None:
        checks.append(_spend_check(event, card, now))
    if event.requires_package:
        checks.append(_package_check(event, card))
    return Eligibility(checks)
