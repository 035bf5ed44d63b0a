"""Models of the orders domain: orders, their lines and payments, and returns.

An order is written once, by one service call, in one database transaction with every ledger
posting it causes (``services.checkout``). Afterwards only returns change it: a return records
which quantities of which lines came back and which refunds were paid, and moves
``OrderLine.quantity_returned`` under a lock on the order row, so a line is never returned twice.

Amounts: ``OrderLine.amount`` is what the member paid for the line after every discount;
``Order.total`` is the sum of the line amounts and equals the sum of the payments.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import BaseModel
from guanxi.core.money import MoneyField
from guanxi.orders.choices import LineKind, OrderSource, OrderStatus, PaymentMethod


class Order(BaseModel):
    """One sale to a member (or a walk-in customer) in one store."""

    store_scope = "store"

    store = models.ForeignKey(
        "staff.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    card = models.ForeignKey(
        "loyalty.MemberCard",
        verbose_name=_("member card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    membership = models.ForeignKey(
        "loyalty.Membership",
        verbose_name=_("membership"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    ordered_at = models.DateTimeField(_("time of sale"), db_index=True)
    source = models.CharField(
        _("source"), max_length=16, choices=OrderSource.choices, default=OrderSource.TILL
    )
    reference = models.CharField(
        _("order reference"),
        max_length=64,
        blank=True,
        help_text=_("The order's number in the system it came from (external POS, import)."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.COMPLETED
    )
    subtotal = MoneyField(_("subtotal"), default=0, help_text=_("Before discounts."))
    tier_discount = MoneyField(_("tier discount"), default=0)
    coupon_code = models.CharField(_("coupon"), max_length=40, blank=True)
    coupon_discount = MoneyField(_("coupon discount"), default=0)
    total = MoneyField(_("total"), default=0)
    returned_total = MoneyField(_("returned"), default=0)
    points_earned = models.PositiveIntegerField(_("points earned"), default=0)
    tier_discount_percent = models.DecimalField(
        _("tier discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cashier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-ordered_at", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["customer", "ordered_at"]),
            models.Index(fields=["store", "ordered_at"]),
            models.Index(fields=["membership", "ordered_at"]),
            # Looking an order up by the reference of the system it came from, any source.
            models.Index(fields=["reference"], name="orders_order_reference"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "reference"],
                condition=~models.Q(reference=""),
                name="orders_reference_unique_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0, subtotal__gte=0, returned_total__gte=0)
                & models.Q(returned_total__lte=models.F("total")),
                name="orders_order_amounts",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The receipt number."""
        return f"{self.pk or 0:08d}"

    def audit_store_id(self) -> int:
        return self.store_id


class OrderLine(models.Model):
    """One item of an order, with the store and the staff member who served it."""

    store_scope = "order__store"

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("line"))
    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices)
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    description = models.CharField(_("item"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = MoneyField(_("unit price"))
    unit_cost = MoneyField(_("unit cost"), null=True, blank=True)
    discount = MoneyField(_("discount"), default=0)
    amount = MoneyField(_("amount"), help_text=_("Paid for the line after discounts."))
    quantity_returned = models.PositiveIntegerField(_("quantity returned"), default=0)
    store = models.ForeignKey(
        "staff.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    package = models.ForeignKey(
        "loyalty.ServicePackage",
        verbose_name=_("package"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The package sold on this line, or whose session this line used."),
    )
    package_sessions = models.PositiveIntegerField(
        _("sessions"), default=0, help_text=_("Sessions per package sold on this line.")
    )
    package_valid_days = models.PositiveIntegerField(_("package validity (days)"), default=0)
    points_earned = models.PositiveIntegerField(_("points earned"), default=0)

    class Meta:
        ordering = ["order", "position"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="orders_line_position"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0, amount__gte=0, discount__gte=0)
                & models.Q(quantity_returned__lte=models.F("quantity")),
                name="orders_line_quantities",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"

    def audit_store_id(self) -> int:
        return self.store_id


class Payment(models.Model):
    """Money (or points) taken for an order; a card payment links its ledger posting."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="payments"
    )
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = MoneyField(_("amount"), help_text=_("The money this payment covers."))
    points = models.PositiveIntegerField(_("points"), default=0)
    refunded = MoneyField(_("refunded"), default=0)
    points_refunded = models.PositiveIntegerField(_("points refunded"), default=0)
    ledger_transaction = models.ForeignKey(
        "loyalty.LedgerTransaction",
        verbose_name=_("ledger transaction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reference = models.CharField(_("payment reference"), max_length=64, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0)
                & models.Q(refunded__gte=0, refunded__lte=models.F("amount"))
                & models.Q(points_refunded__lte=models.F("points")),
                name="orders_payment_amounts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"


class OrderReturn(BaseModel):
    """Goods or services brought back and the refunds paid for them."""

    store_scope = "order__store"

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="returns"
    )
    store = models.ForeignKey(
        "staff.Store",
        verbose_name=_("store"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the goods came back."),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    amount = MoneyField(_("refunded amount"))
    points_clawed_back = models.PositiveIntegerField(_("points taken back"), default=0)
    points_shortfall = models.PositiveIntegerField(
        _("points missing"),
        default=0,
        help_text=_("Points earned on the returned goods that the member had already used."),
    )
    deducted = MoneyField(
        _("kept back for missing points"),
        default=0,
        help_text=_("The value of the missing points, kept back from the money refunded."),
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
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, deducted__gte=0)
                & models.Q(deducted__lte=models.F("amount")),
                name="orders_return_amounts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} − {self.amount}"

    def audit_store_id(self) -> int:
        return self.store_id


class ReturnLine(models.Model):
    order_return = models.ForeignKey(
        OrderReturn, verbose_name=_("return"), on_delete=models.PROTECT, related_name="lines"
    )
    line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="returns"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = MoneyField(_("amount"))
    sessions = models.PositiveIntegerField(
        _("sessions"),
        default=0,
        help_text=_("Package sessions taken off the card (a package sold) or given back to it."),
    )
    points = models.PositiveIntegerField(
        _("points to take back"), default=0, help_text=_("Points earned on the returned quantity.")
    )

    class Meta:
        ordering = ["order_return", "pk"]
        verbose_name = _("returned line")
        verbose_name_plural = _("returned lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0, amount__gte=0), name="orders_return_line_amounts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.line_id} × {self.quantity}"


class Refund(models.Model):
    """One way the money of a return went back: to the payment method it came from."""

    order_return = models.ForeignKey(
        OrderReturn, verbose_name=_("return"), on_delete=models.PROTECT, related_name="refunds"
    )
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds"
    )
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = MoneyField(_("amount"))
    points = models.PositiveIntegerField(_("points"), default=0)
    deducted = MoneyField(
        _("kept back"), default=0, help_text=_("Kept back for points the member no longer had.")
    )
    ledger_transaction = models.ForeignKey(
        "loyalty.LedgerTransaction",
        verbose_name=_("ledger transaction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["order_return", "pk"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, deducted__gte=0)
                & models.Q(deducted__lte=models.F("amount")),
                name="orders_refund_amounts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"
