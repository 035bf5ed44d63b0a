"""Models of points earning rules, promotions, coupons and the gift catalogue.

Earning (``services.earning``): base rate (``LoyaltySettings.points_per_currency_unit``) × the
member's tier multiplier × the highest **category multiplier** found on the line's category or
any of its parent categories × the highest **promotion** multiplier running that day.

Coupons (``services.coupons``) take money off an order; each use is recorded once per reference
(an order) and the limits are checked under a lock on the coupon row.

Gifts (``services.gifts``) are bought with points; the stock is checked and lowered under a lock
on the gift row, in the same database transaction as the points posting.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from guanxi.core.i18n import localized
from guanxi.core.models import BaseModel
from guanxi.core.money import MoneyField

__all__ = [
    "CategoryMultiplier",
    "Coupon",
    "CouponKind",
    "CouponUse",
    "Gift",
    "GiftRedemption",
    "Promotion",
]


class CategoryMultiplier(BaseModel):
    """Points on a category (and on its subcategories) are multiplied by ``multiplier``."""

    category = models.OneToOneField(
        "catalog.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    multiplier = models.DecimalField(
        _("points multiplier"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Points on this category and its subcategories are multiplied by this, e.g. 2. "
            "0 means no points."
        ),
    )

    class Meta:
        ordering = ["category__name_en", "pk"]
        verbose_name = _("category multiplier")
        verbose_name_plural = _("category multipliers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(multiplier__gte=0), name="loyalty_category_multiplier_min_zero"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} × {self.multiplier}"


class Promotion(BaseModel):
    """A points promotion: from ``starts_on`` to ``ends_on`` (both days included, local dates),
    points are multiplied by ``multiplier`` — in every store or one, on everything or one
    category with its subcategories."""

    store_scope = "store"

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    multiplier = models.DecimalField(
        _("points multiplier"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(1)],
        help_text=_("Points earned during the promotion are multiplied by this, e.g. 2."),
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for everything; a category includes its subcategories."),
    )
    store = models.ForeignKey(
        "staff.Store",
        verbose_name=_("store"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for every store."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="loyalty_promotion_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(multiplier__gte=1), name="loyalty_promotion_multiplier_min_one"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_store_id(self) -> int | None:
        return self.store_id


class CouponKind(models.TextChoices):
    PERCENT = "percent", _("Percentage off")
    AMOUNT = "amount", _("Fixed amount off")


class Coupon(BaseModel):
    """A discount code. Personal when ``customer`` is set; limited to one store when ``store``
    is."""

    store_scope = "store"

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Letters and digits the customer shows or says at the till."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CouponKind.choices)
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        # xgettext:no-python-format
        help_text=_("The percentage (e.g. 10 for 10% off) or the amount of money off."),
    )
    minimum_spend = MoneyField(
        _("minimum spend"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("The order must come to at least this before the coupon."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only this customer may use it (a personal coupon)."),
    )
    store = models.ForeignKey(
        "staff.Store",
        verbose_name=_("store"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for every store."),
    )
    max_uses = models.PositiveIntegerField(
        _("uses in total"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    max_uses_per_customer = models.PositiveIntegerField(
        _("uses per customer"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-valid_until", "code"]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="loyalty_coupon_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(value__gt=0, minimum_spend__gte=0),
                name="loyalty_coupon_value_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100),
                name="loyalty_coupon_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def audit_store_id(self) -> int | None:
        return self.store_id


class CouponUse(models.Model):
    """One use of a coupon, once per reference (e.g. an order number)."""

    store_scope = "store"

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    coupon = models.ForeignKey(
        Coupon, verbose_name=_("coupon"), on_delete=models.PROTECT, related_name="uses"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    store = models.ForeignKey(
        "staff.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=64)
    discount = MoneyField(_("discount"))
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
        verbose_name = _("coupon use")
        verbose_name_plural = _("coupon uses")
        constraints = [
            models.UniqueConstraint(
                fields=["coupon", "reference"], name="loyalty_coupon_use_once_per_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.coupon_id}: {self.reference}"

    def audit_store_id(self) -> int:
        return self.store_id


class Gift(BaseModel):
    """A gift of the catalogue members buy with points."""

    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100, blank=True)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100, blank=True)
    points = models.PositiveIntegerField(
        _("points"), validators=[MinValueValidator(1)], help_text=_("Points for one gift.")
    )
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["points", "name_en", "pk"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gt=0, stock__gte=0), name="loyalty_gift_points_stock"
            )
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


class GiftRedemption(models.Model):
    """Gifts handed over for points at a store. The points left through ``transaction``."""

    store_scope = "store"

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    card = models.ForeignKey(
        "loyalty.MemberCard",
        verbose_name=_("card"),
        on_delete=models.PROTECT,
        related_name="gift_redemptions",
    )
    gift = models.ForeignKey(
        Gift, verbose_name=_("gift"), on_delete=models.PROTECT, related_name="redemptions"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    points = models.PositiveIntegerField(_("points"))
    store = models.ForeignKey(
        "staff.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transaction = models.OneToOneField(
        "loyalty.LedgerTransaction",
        verbose_name=_("transaction"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("gift redemption")
        verbose_name_plural = _("gift redemptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0, points__gt=0),
                name="loyalty_gift_redemption_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.gift_id} × {self.quantity}"

    def audit_store_id(self) -> int:
        return self.store_id
