"""Models of referral rewards.

A **referral reward** settles the referral of one referred customer, once: when the customer
first buys, their referrer's membership is credited ``LoyaltySettings.referral_reward_points``
(status *paid*), or, when that cannot be done — the referrer has no card, it is not active, or
the referrer was erased — the referral is settled without points (status *skipped*, with the
reason). The referred customer is unique: a referral is never paid twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ReferralReward", "ReferralRewardStatus", "ReferralSkipReason"]


class ReferralRewardStatus(models.TextChoices):
    PAID = "paid", _("Reward paid")
    SKIPPED = "skipped", _("Reward not paid")


class ReferralSkipReason(models.TextChoices):
    REFERRER_NO_CARD = "referrer_no_card", _("The referrer has no member card")
    REFERRER_CARD_NOT_ACTIVE = "referrer_card_not_active", _("The referrer's card is not active")
    REFERRER_ERASED = "referrer_erased", _("The referrer's personal data was erased")


class ReferralReward(models.Model):
    """The one settlement of a referred customer's referral. Never updated."""

    store_scope = "store"

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    referred = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("referred customer"),
        on_delete=models.PROTECT,
        related_name="referral_reward",
    )
    referrer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("referrer"),
        on_delete=models.PROTECT,
        related_name="referral_rewards_earned",
    )
    store = models.ForeignKey(
        "staff.Store",
        verbose_name=_("store"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the referred customer's first purchase was made."),
    )
    membership = models.ForeignKey(
        "loyalty.Membership",
        verbose_name=_("membership credited"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referral_rewards",
    )
    points = models.PositiveIntegerField(_("points"), default=0)
    reference = models.CharField(
        _("order reference"),
        max_length=64,
        blank=True,
        help_text=_("The first purchase of the referred customer."),
    )
    ledger_transaction = models.OneToOneField(
        "loyalty.LedgerTransaction",
        verbose_name=_("ledger transaction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referral_reward",
    )
    status = models.CharField(_("status"), max_length=16, choices=ReferralRewardStatus.choices)
    skip_reason = models.CharField(
        _("reason"), max_length=32, choices=ReferralSkipReason.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral reward")
        verbose_name_plural = _("referral rewards")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status=ReferralRewardStatus.PAID,
                    points__gt=0,
                    ledger_transaction__isnull=False,
                    membership__isnull=False,
                    skip_reason="",
                )
                | (
                    models.Q(
                        status=ReferralRewardStatus.SKIPPED,
                        points=0,
                        ledger_transaction__isnull=True,
                    )
                    & ~models.Q(skip_reason="")
                ),
                name="loyalty_referral_paid_or_skipped_with_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(referred=models.F("referrer")),
                name="loyalty_referral_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} ← {self.referred_id}: {self.status}"

    def audit_store_id(self) -> int:
        return self.store_id
