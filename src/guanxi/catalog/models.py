"""The catalogue: categories, brands, products and services sold by every store, and the price
lists with which a store may charge its own prices.

Products, services, categories and brands are organisation-wide: every store sells from the same
catalogue. Only a price list belongs to a store (``store_scope``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from guanxi.catalog.validators import validate_ean13
from guanxi.core.i18n import localized
from guanxi.core.models import BaseModel
from guanxi.core.money import MoneyField


class LocalizedName(models.Model):
    """A name in English, simplified and traditional Chinese; ``name`` is the one to show."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh_hans = models.CharField(_("name (simplified Chinese)"), max_length=200, blank=True)
    name_zh_hant = models.CharField(_("name (traditional Chinese)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def name_for(self, language: str | None) -> str:
        """The name in ``language``; Chinese falls back to the other script, then English."""
        return localized(self.name_en, self.name_zh_hans, self.name_zh_hant, language)

    @property
    def name(self) -> str:
        return self.name_for(translation.get_language())

    @property
    def names(self) -> list[str]:
        return [n for n in (self.name_en, self.name_zh_hans, self.name_zh_hant) if n]


class Category(LocalizedName, BaseModel):
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["name_en", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name_en"], name="catalog_category_unique_name_in_parent"
            ),
            models.UniqueConstraint(
                fields=["name_en"],
                condition=Q(parent__isnull=True),
                name="catalog_category_unique_top_level_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Brand(BaseModel):
    """A brand is a proper name (自然堂, Swisse): written one way in every language."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class Product(LocalizedName, BaseModel):
    sku = models.CharField(
        _("SKU"),
        max_length=40,
        unique=True,
        help_text=_("The stock-keeping unit: letters, digits and dashes, unique."),
    )
    barcode = models.CharField(
        _("barcode"),
        max_length=13,
        blank=True,
        validators=[validate_ean13],
        help_text=_("The 13-digit EAN barcode printed on the pack."),
    )
    brand = models.ForeignKey(
        Brand,
        verbose_name=_("brand"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    price = MoneyField(_("list price"))
    cost = MoneyField(_("cost"), null=True, blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)

    audit_skipped_fields = ("search_text",)

    class Meta:
        ordering = ["name_en", "pk"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(
                fields=["barcode"],
                condition=~Q(barcode=""),
                name="catalog_product_unique_barcode",
                violation_error_message=_("Another product already has this barcode."),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="catalog_product_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0),
                name="catalog_product_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def margin(self) -> Decimal | None:
        """Price minus cost, when the cost is known."""
        if self.cost is None:
            return None
        return self.price - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        """The margin as a share of the price, to one decimal place."""
        margin = self.margin
        if margin is None or not self.price:
            return None
        return (margin * 100 / self.price).quantize(Decimal("0.1"))


class Service(LocalizedName, BaseModel):
    """A treatment done in the store: a facial, a massage, scalp care."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="services"
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    price = MoneyField(_("list price"))
    is_active = models.BooleanField(_("on offer"), default=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)

    audit_skipped_fields = ("search_text",)

    class Meta:
        ordering = ["name_en", "pk"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="catalog_service_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="catalog_service_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceList(BaseModel):
    """A store's own prices. Items override the list price while they are valid."""

    store_scope = "store"

    store = models.ForeignKey(
        "staff.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["store", "name", "pk"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "name"], name="catalog_pricelist_unique_name_in_store"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_store_id(self) -> int:
        return int(self.store_id)


class PriceListItem(BaseModel):
    store_scope = "price_list__store"

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    price = MoneyField(_("price"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("The last day the price applies.")
    )

    class Meta:
        ordering = ["price_list", "pk"]
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.CheckConstraint(
                condition=(Q(product__isnull=False) & Q(service__isnull=True))
                | (Q(product__isnull=True) & Q(service__isnull=False)),
                name="catalog_pricelistitem_product_or_service",
                violation_error_message=_("Choose a product or a service, not both."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="catalog_pricelistitem_valid_range",
                violation_error_message=_("The price cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="catalog_pricelistitem_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return str(self.product or self.service)

    def audit_store_id(self) -> int:
        return int(self.price_list.store_id)

    @property
    def item(self) -> Product | Service | None:
        return self.product or self.service
