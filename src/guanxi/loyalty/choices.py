"""Choices of the loyalty domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    FROZEN = "frozen", _("Frozen")
    LOST = "lost", _("Reported lost")
    REPLACED = "replaced", _("Replaced")


class AccountKind(models.TextChoices):
    # A member's own accounts: never below zero.
    POINTS = "points", _("Points")
    STORED_VALUE_PRINCIPAL = "stored_value_principal", _("Stored value (paid)")
    STORED_VALUE_BONUS = "stored_value_bonus", _("Stored value (bonus)")
    PACKAGE_SESSIONS = "package_sessions", _("Package sessions")
    # The store's counter-accounts: they take the other side of every posting and may go negative.
    POINTS_ISSUED = "points_issued", _("Points issued")
    POINTS_REDEEMED = "points_redeemed", _("Points redeemed")
    POINTS_EXPIRED = "points_expired", _("Points expired")
    STORED_VALUE_CASH = "stored_value_cash", _("Stored value cash received")
    STORED_VALUE_BONUS_GRANTED = "stored_value_bonus_granted", _("Stored value bonus granted")
    STORED_VALUE_SPENT = "stored_value_spent", _("Stored value spent")
    PACKAGE_SESSIONS_SOLD = "package_sessions_sold", _("Package sessions sold")
    PACKAGE_SESSIONS_USED = "package_sessions_used", _("Package sessions used")


MEMBER_KINDS = frozenset(
    {
        AccountKind.POINTS,
        AccountKind.STORED_VALUE_PRINCIPAL,
        AccountKind.STORED_VALUE_BONUS,
        AccountKind.PACKAGE_SESSIONS,
    }
)


class Unit(models.TextChoices):
    POINTS = "points", _("points")
    MONEY = "money", _("money")
    SESSIONS = "sessions", _("sessions")


# Keyed by the kind's value: model fields hold plain strings.
UNIT_OF_KIND: dict[str, Unit] = {
    AccountKind.POINTS: Unit.POINTS,
    AccountKind.POINTS_ISSUED: Unit.POINTS,
    AccountKind.POINTS_REDEEMED: Unit.POINTS,
    AccountKind.POINTS_EXPIRED: Unit.POINTS,
    AccountKind.STORED_VALUE_PRINCIPAL: Unit.MONEY,
    AccountKind.STORED_VALUE_BONUS: Unit.MONEY,
    AccountKind.STORED_VALUE_CASH: Unit.MONEY,
    AccountKind.STORED_VALUE_BONUS_GRANTED: Unit.MONEY,
    AccountKind.STORED_VALUE_SPENT: Unit.MONEY,
    AccountKind.PACKAGE_SESSIONS: Unit.SESSIONS,
    AccountKind.PACKAGE_SESSIONS_SOLD: Unit.SESSIONS,
    AccountKind.PACKAGE_SESSIONS_USED: Unit.SESSIONS,
}


class TransactionKind(models.TextChoices):
    SALE = "sale", _("Sale")
    REDEMPTION = "redemption", _("Redemption")
    REFUND = "refund", _("Refund")
    EXPIRY = "expiry", _("Expiry")
    ADJUSTMENT = "adjustment", _("Adjustment")
    IMPORT = "import", _("Import")
    REVERSAL = "reversal", _("Reversal")
    TOPUP = "topup", _("Top-up")
    SPEND = "spend", _("Stored value spend")
    PACKAGE_SALE = "package_sale", _("Package sale")
    PACKAGE_USE = "package_use", _("Package session")


class PointsValidity(models.TextChoices):
    END_OF_FOLLOWING_YEAR = "end_of_following_year", _("Until the end of the following year")
    MONTHS = "months", _("A number of months after they are earned")
    NEVER = "never", _("Points never expire")


class SpendingOrder(models.TextChoices):
    PRINCIPAL_FIRST = "principal_first", _("Paid value first, then bonus")
    BONUS_FIRST = "bonus_first", _("Bonus first, then paid value")


class TierBasis(models.TextChoices):
    LIFETIME = "lifetime", _("Lifetime spend")
    ROLLING_12_MONTHS = "rolling_12_months", _("Spend in the last 12 months")


class TierChangeReason(models.TextChoices):
    CHECKOUT = "checkout", _("Upgrade at checkout")
    REEVALUATION = "reevaluation", _("Scheduled re-evaluation")
    MANUAL = "manual", _("Set by hand")
