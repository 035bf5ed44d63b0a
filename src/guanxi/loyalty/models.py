"""Models of the loyalty domain: the member card, the ledger and what rides on it.

A **membership** holds the accounts: one per household, or per customer without a household.
A **card** is the membership's current piece of plastic; replacing a card issues a new card on
the same membership, so every account, balance and entry stays where it was (no balance moves
and the history is reachable from every card the membership ever had).

The **ledger** is double-entry: every transaction has legs that sum to zero per unit (points,
money, sessions). A member's accounts may never go below zero (a database constraint); the
store's counter-accounts take the other side and may. Entries and transactions are append-only:
the database refuses UPDATE and DELETE on them (migration 0002). Balances are cached on the
account row and written only by ``services.ledger.ledger_post``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from guanxi.core.i18n import localized
from guanxi.core.models import BaseModel
from guanxi.core.money import MoneyField
from guanxi.loyalty.choices import (
    MEMBER_KINDS,
    AccountKind,
    CardStatus,
    PointsValidity,
    SpendingOrder,
    TierBasis,
    TierChangeReason,
    TransactionKind,
)

SETTINGS_PK = 1
LIVE_CARD_STATUSES = (CardStatus.ACTIVE, CardStatus.FROZEN, CardStatus.LOST)
SINGLE_ACCOUNT_KINDS = (
    AccountKind.POINTS,
    AccountKind.STORED_VALUE_PRINCIPAL,
    AccountKind.STORED_VALUE_BONUS,
)


class LoyaltySettings(BaseModel):
    """The organisation's loyalty rules: one row (pk 1), edited by the owner."""

    card_prefix = models.CharField(
        _("card number prefix"),
        max_length=6,
        default="GX",
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]*$", _("Use capital letters and digits only."))],
    )
    card_include_store_code = models.BooleanField(_("store code in card numbers"), default=True)
    card_sequence_digits = models.PositiveSmallIntegerField(
        _("digits of the card sequence"),
        default=6,
        validators=[MinValueValidator(4), MaxValueValidator(10)],
    )
    points_validity = models.CharField(
        _("points validity"),
        max_length=32,
        choices=PointsValidity.choices,
        default=PointsValidity.END_OF_FOLLOWING_YEAR,
    )
    points_validity_months = models.PositiveSmallIntegerField(
        _("points validity in months"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Used when points expire a number of months after they are earned."),
    )
    stored_value_spending_order = models.CharField(
        _("stored value spending order"),
        max_length=32,
        choices=SpendingOrder.choices,
        default=SpendingOrder.PRINCIPAL_FIRST,
    )
    points_per_currency_unit = models.DecimalField(
        _("points per currency unit spent"),
        max_digits=6,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Base points earned for each yuan paid, before multipliers. 0 turns earning off."
        ),
    )
    points_redeem_rate = models.PositiveIntegerField(
        _("points per currency unit when paying"),
        default=100,
        validators=[MinValueValidator(1)],
        help_text=_("How many points pay for one yuan at the till, e.g. 100."),
    )
    referral_reward_points = models.PositiveIntegerField(
        _("referral reward (points)"),
        default=500,
        help_text=_(
            "Points given to the referrer when a referred customer first buys. 0 turns it off."
        ),
    )
    tier_basis = models.CharField(
        _("tier basis"),
        max_length=32,
        choices=TierBasis.choices,
        default=TierBasis.LIFETIME,
        help_text=_("The spend that places a member on the tier ladder."),
    )
    tier_downgrade_allowed = models.BooleanField(
        _("nightly re-evaluation may lower a tier"),
        default=False,
        help_text=_(
            "When off, members keep the highest tier they reached. A checkout never lowers a tier."
        ),
    )

    class Meta:
        verbose_name = _("loyalty settings")
        verbose_name_plural = _("loyalty settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=SETTINGS_PK), name="loyalty_settings_one")
        ]

    def __str__(self) -> str:
        return str(_("Loyalty settings"))


class CardSequence(models.Model):
    """The last card sequence number handed out in a store (locked while a number is drawn)."""

    store = models.OneToOneField(
        "staff.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="+"
    )
    last_value = models.PositiveBigIntegerField(_("last sequence number"), default=0)

    class Meta:
        verbose_name = _("card sequence")
        verbose_name_plural = _("card sequences")

    def __str__(self) -> str:
        return f"{self.store_id}: {self.last_value}"


class Membership(BaseModel):
    """The holder of the accounts: a household, or a customer who has none."""

    store_scope = "store"

    store = models.ForeignKey(
        "staff.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loyalty_membership",
    )
    household = models.OneToOneField(
        "customers.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loyalty_membership",
    )
    tier = models.ForeignKey(
        "loyalty.TierLevel",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text=_("Empty means the lowest tier of the ladder."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer__isnull=True, household__isnull=False)
                | models.Q(customer__isnull=False, household__isnull=True),
                name="loyalty_membership_one_holder",
            )
        ]

    def __str__(self) -> str:
        holder = self.household if self.household_id else self.customer
        return str(holder)

    def audit_store_id(self) -> int:
        return self.store_id


class MemberCard(BaseModel):
    """A member card. Only one card of a membership is not "replaced" at a time."""

    store_scope = "membership__store"

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="cards"
    )
    number = models.CharField(_("card number"), max_length=40, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CardStatus.choices, default=CardStatus.ACTIVE
    )
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("member card")
        verbose_name_plural = _("member cards")
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=~models.Q(status=CardStatus.REPLACED),
                name="loyalty_one_live_card_per_membership",
            ),
            models.CheckConstraint(
                condition=models.Q(replaced_by__isnull=True) | models.Q(status=CardStatus.REPLACED),
                name="loyalty_card_successor_only_when_replaced",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def audit_store_id(self) -> int:
        return self.membership.store_id


class LedgerAccount(BaseModel):
    """A balance: a member's (never negative) or one of a store's counter-accounts."""

    store_scope = "store"

    store = models.ForeignKey(
        "staff.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=AccountKind.choices)
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    is_system = models.BooleanField(_("counter-account"), default=False)
    balance = models.DecimalField(_("balance"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_system=True) | models.Q(balance__gte=0),
                name="loyalty_member_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(is_system=True, membership__isnull=True)
                | models.Q(
                    is_system=False, membership__isnull=False, kind__in=sorted(MEMBER_KINDS)
                ),
                name="loyalty_account_owner_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["store", "kind"],
                condition=models.Q(is_system=True),
                name="loyalty_one_counter_account_per_store_kind",
            ),
            models.UniqueConstraint(
                fields=["membership", "kind"],
                condition=models.Q(kind__in=sorted(SINGLE_ACCOUNT_KINDS)),
                name="loyalty_one_member_account_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class LedgerTransaction(models.Model):
    """One posting: its entries sum to zero per unit. Append-only."""

    store_scope = "store"

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=TransactionKind.choices)
    store = models.ForeignKey(
        "staff.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("What the posting belongs to, e.g. an order line."),
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def audit_store_id(self) -> int:
        return self.store_id


class LedgerEntry(models.Model):
    """One leg of a transaction. Append-only."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    transaction = models.ForeignKey(
        LedgerTransaction,
        verbose_name=_("transaction"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    account = models.ForeignKey(
        LedgerAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["account", "created_at"])]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"


class PointLot(models.Model):
    """Points earned together and expiring together: the FIFO expiry schedule of a points
    account. Points leaving the account take the lots that expire first; the remaining points of
    all lots equal the account's balance (kept by ``ledger_post``)."""

    account = models.ForeignKey(
        LedgerAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="lots"
    )
    transaction = models.ForeignKey(
        LedgerTransaction, verbose_name=_("transaction"), on_delete=models.PROTECT, related_name="+"
    )
    earned_at = models.DateTimeField(_("earned at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    points = models.PositiveIntegerField(_("points"))
    remaining = models.PositiveIntegerField(_("remaining"))

    class Meta:
        ordering = ["account", "expires_at", "pk"]
        verbose_name = _("points lot")
        verbose_name_plural = _("points lots")
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=models.Q(remaining__gt=0),
                name="loyalty_lot_open_expiry",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(remaining__lte=models.F("points")),
                name="loyalty_lot_remaining_within_points",
            )
        ]

    def __str__(self) -> str:
        return f"{self.remaining}/{self.points}"


class BonusRule(BaseModel):
    """Top up at least ``minimum_topup`` and get ``bonus`` on top (the best rule applies)."""

    store_scope = "store"

    store = models.ForeignKey(
        "staff.Store",
        verbose_name=_("store"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for every store."),
    )
    minimum_topup = MoneyField(_("minimum top-up"))
    bonus = MoneyField(_("bonus"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-minimum_topup", "pk"]
        verbose_name = _("bonus rule")
        verbose_name_plural = _("bonus rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_topup__gt=0, bonus__gte=0),
                name="loyalty_bonus_rule_positive",
            )
        ]

    def __str__(self) -> str:
        return f"≥ {self.minimum_topup}: +{self.bonus}"


class ServicePackage(BaseModel):
    """A prepaid package of service sessions; its sessions are the balance of its own account."""

    store_scope = "membership__store"

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="packages"
    )
    account = models.OneToOneField(
        LedgerAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="package"
    )
    service_name = models.CharField(_("service"), max_length=200)
    service_id = models.PositiveBigIntegerField(_("service ID"), null=True, blank=True)
    sessions_total = models.PositiveIntegerField(_("sessions"))
    valid_until = models.DateField(_("valid until"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("service package")
        verbose_name_plural = _("service packages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sessions_total__gt=0), name="loyalty_package_has_sessions"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_name} × {self.sessions_total}"

    def audit_store_id(self) -> int:
        return self.membership.store_id


class PackageSessionUse(models.Model):
    """Who gave a package session, at which visit (the ledger holds the session itself)."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    package = models.ForeignKey(
        ServicePackage, verbose_name=_("package"), on_delete=models.PROTECT, related_name="uses"
    )
    transaction = models.OneToOneField(
        LedgerTransaction, verbose_name=_("transaction"), on_delete=models.PROTECT, related_name="+"
    )
    beautician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beautician"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visit_reference = models.CharField(_("visit"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("package session")
        verbose_name_plural = _("package sessions")

    def __str__(self) -> str:
        return f"{self.package_id} @ {self.created_at:%Y-%m-%d}"


class TierLevel(BaseModel):
    """One rung of the member tier ladder (Regular, VIP, …), organisation-wide.

    A membership reaches a level when its spend (see ``LoyaltySettings.tier_basis``) is at least
    the level's threshold. Ranks and thresholds rise together (checked by ``services.tiers``).
    """

    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("1 is the lowest tier; higher ranks are better.")
    )
    name_en = models.CharField(_("name (English)"), max_length=60)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=60)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=60)
    threshold = MoneyField(
        _("spend threshold"),
        unique=True,
        validators=[MinValueValidator(0)],
        help_text=_("The spend from which a member reaches this tier."),
    )
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    points_multiplier = models.DecimalField(
        _("points multiplier"),
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Points earned are multiplied by this, e.g. 1.5."),
    )
    birthday_gift = models.CharField(_("birthday gift"), max_length=200, blank=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0), name="loyalty_tier_threshold_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100),
                name="loyalty_tier_discount_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(points_multiplier__gte=1), name="loyalty_tier_multiplier_min_one"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language; Chinese falls back to the other script, then
        English."""
        return localized(
            self.name_en, self.name_zh_hans, self.name_zh_hant, translation.get_language()
        )


class TierChange(models.Model):
    """One move of a membership on the tier ladder. Append-only (migration 0003)."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        related_name="tier_changes",
    )
    from_level = models.ForeignKey(
        TierLevel,
        verbose_name=_("from tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_level = models.ForeignKey(
        TierLevel, verbose_name=_("to tier"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=32, choices=TierChangeReason.choices)
    spend = MoneyField(_("spend at the time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.from_level_id} → {self.to_level_id}"

    def audit_store_id(self) -> int:
        return self.membership.store_id


# Models kept in modules of their own; imported here so Django finds them with the app's models.
from guanxi.loyalty.models_earning import *  # noqa: E402, F403
from guanxi.loyalty.models_referrals import *  # noqa: E402, F403
