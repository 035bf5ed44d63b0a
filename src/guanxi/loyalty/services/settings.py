"""The owner's loyalty settings and the stored-value bonus rules ("top up 1,000, get 100").

Each write checks the owner's ``loyalty.settings`` capability (``actor=None`` is the system: the
seed command, a migration) and is audited through ``model_create``/``model_update``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from guanxi.core.money import format_money
from guanxi.core.permissions import require_capability
from guanxi.core.services import model_create, model_update
from guanxi.loyalty.models import SETTINGS_PK, BonusRule, LoyaltySettings
from guanxi.loyalty.selectors import SETTINGS_CAPABILITY
from guanxi.loyalty.services.cards import luhn_check_digit

SETTINGS_FIELDS = (
    "card_prefix",
    "card_include_store_code",
    "card_sequence_digits",
    "points_validity",
    "points_validity_months",
    "points_per_currency_unit",
    "points_redeem_rate",
    "stored_value_spending_order",
    "referral_reward_points",
)
BONUS_RULE_FIELDS = ("store", "minimum_topup", "bonus")
EXAMPLE_SEQUENCE = 123


def _require(actor: Any) -> None:
    if actor is not None:
        require_capability(actor, SETTINGS_CAPABILITY)


def card_number_example(
    *, prefix: str, include_store_code: bool, digits: int, store_code: str
) -> str:
    """What the card numbers look like with these settings: the 123rd card of ``store_code``
    (formatted as ``services.cards.card_number_next`` formats a real one)."""
    code = store_code.upper().replace("-", "").replace("_", "") if include_store_code else ""
    body = f"{prefix}{code}{EXAMPLE_SEQUENCE:0{digits}d}"
    return body + luhn_check_digit(body)


@transaction.atomic
def loyalty_settings_update(*, data: dict[str, Any], actor: Any) -> LoyaltySettings:
    """Change the card numbering, points and stored-value settings (the tier policy has its own
    page, ``services.tiers.tier_policy_update``). Fields outside this page are ignored.

    New card numbers follow the new format; cards already issued keep theirs. A new points
    validity applies to points earned from now on.
    """
    _require(actor)
    settings, _created = LoyaltySettings.objects.select_for_update().get_or_create(pk=SETTINGS_PK)
    changes = {name: value for name, value in data.items() if name in SETTINGS_FIELDS}
    if "card_prefix" in changes:
        changes["card_prefix"] = (changes["card_prefix"] or "").strip().upper()
    settings, _changed = model_update(instance=settings, data=changes, actor=actor)
    return settings


def _bonus_rule_check(rule: BonusRule) -> None:
    """The rules a top-up relies on; messages for the form's fields."""
    errors: dict[str, str] = {}
    if rule.minimum_topup is None or rule.minimum_topup <= 0:
        errors["minimum_topup"] = _("Enter a minimum top-up above zero.")
    if rule.bonus is None or rule.bonus < 0:
        errors["bonus"] = _("The bonus cannot be negative.")
    elif rule.minimum_topup is not None and rule.bonus > rule.minimum_topup:
        errors["bonus"] = _("The bonus cannot be more than the minimum top-up.")
    if not errors and rule.is_active:
        same_stores = Q(store__isnull=True) if rule.store_id is None else Q(store_id=rule.store_id)
        twin = BonusRule.objects.filter(
            same_stores, is_active=True, minimum_topup=rule.minimum_topup
        ).exclude(pk=rule.pk)
        if twin.exists():
            errors["minimum_topup"] = _(
                "An active rule for the same stores already starts at %(amount)s."
            ) % {"amount": format_money(Decimal(rule.minimum_topup))}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def bonus_rule_create(
    *, store: Any, minimum_topup: Decimal, bonus: Decimal, actor: Any
) -> BonusRule:
    """A new active rule for one store (``store=None``: every store)."""
    _require(actor)
    rule = BonusRule(store=store, minimum_topup=minimum_topup, bonus=bonus, is_active=True)
    _bonus_rule_check(rule)
    return model_create(instance=rule, actor=actor)


@transaction.atomic
def bonus_rule_update(*, rule: BonusRule, data: dict[str, Any], actor: Any) -> BonusRule:
    """Change a rule's store, minimum top-up or bonus; top-ups already made keep their bonus."""
    _require(actor)
    rule = BonusRule.objects.select_for_update().get(pk=rule.pk)
    changes = {name: value for name, value in data.items() if name in BONUS_RULE_FIELDS}
    values = {name: getattr(rule, name) for name in BONUS_RULE_FIELDS} | changes
    _bonus_rule_check(BonusRule(pk=rule.pk, is_active=rule.is_active, **values))
    rule, _changed = model_update(instance=rule, data=changes, actor=actor)
    return rule


@transaction.atomic
def bonus_rule_deactivate(*, rule: BonusRule, actor: Any) -> BonusRule:
    """Stop a rule from giving bonus on new top-ups (it stays listed, greyed out)."""
    _require(actor)
    rule = BonusRule.objects.select_for_update().get(pk=rule.pk)
    rule, _changed = model_update(instance=rule, data={"is_active": False}, actor=actor)
    return rule
