"""Customers: the centre of the product. Every domain hangs its records on a customer.

Skin and health data live apart, in ``SensitiveProfile``: lists and exports never load them, and
they can be written only while the customer has a recorded sensitive-data consent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import BaseModel
from guanxi.customers.choices import (
    Channel,
    ConsentPurpose,
    ConsentSource,
    Gender,
    IncomeBand,
    SkinType,
    Source,
    TagColour,
)


class Tag(BaseModel):
    """A label the business puts on customers (e.g. "VIP prospect", "Sensitive skin")."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    colour = models.CharField(
        _("colour"), max_length=16, choices=TagColour.choices, default=TagColour.GREY
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Household(BaseModel):
    """A family that shares one member card."""

    store_scope = "store"

    name = models.CharField(_("name"), max_length=100)
    store = models.ForeignKey(
        "staff.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="households"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.name

    def audit_store_id(self) -> int:
        return self.store_id


# The customer list filters and sorts at a million rows: every filter and sort the list offers
# has an index that serves it (the default sort is newest first; the sorts tie-break on pk).
LIST_INDEXES = [
    models.Index(
        fields=["home_store", "birth_month", "-created_at"], name="cust_store_month_created"
    ),
    models.Index(fields=["birth_month", "-created_at"], name="cust_month_created"),
    models.Index(fields=["birth_month", "id"], name="cust_month_pk"),
    models.Index(fields=["home_store", "birth_month", "id"], name="cust_store_month_pk"),
    models.Index(fields=["completeness", "id"], name="cust_completeness_pk"),
    models.Index(fields=["home_store", "completeness", "id"], name="cust_store_completeness_pk"),
    models.Index(fields=["home_store", "full_name"], name="cust_store_name"),
    models.Index(fields=["source", "-created_at"], name="cust_source_created"),
    models.Index(fields=["household", "-created_at"], name="cust_household_created"),
    *(
        models.Index(
            fields=["-created_at"],
            condition=models.Q(**{f"consent_{purpose}": True}),
            name=f"cust_consent_{purpose}_created",
        )
        for purpose in ("sms", "email", "wechat", "phone", "mail", "sensitive")
    ),
]


class Customer(BaseModel):
    store_scope = "home_store"
    audit_skipped_fields = ("search_key", "name_key", "phone_last4", "birth_month")

    # Identity
    full_name = models.CharField(_("full name"), max_length=100)
    name_key = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="The name in simplified characters, lower case, without spaces: duplicates.",
    )
    search_key = models.CharField(
        max_length=400,
        blank=True,
        help_text="Pinyin, initials and both scripts of the name, for search.",
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)

    # Contact
    phone = models.CharField(
        _("phone"),
        max_length=20,
        unique=True,
        help_text=_("In international form, e.g. +8613800138000."),
    )
    phone_last4 = models.CharField(max_length=4, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    district = models.CharField(_("district"), max_length=50, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, blank=True
    )

    # Profile
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    income_band = models.CharField(
        _("income band"), max_length=10, choices=IncomeBand.choices, blank=True
    )
    hobbies = models.CharField(_("hobbies"), max_length=300, blank=True)

    # Relationship with the business
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.STORE
    )
    referrer = models.ForeignKey(
        "self",
        verbose_name=_("referred by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    home_store = models.ForeignKey(
        "staff.Store",
        verbose_name=_("home store"),
        on_delete=models.PROTECT,
        related_name="customers",
    )
    responsible_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    external_id = models.CharField(
        _("external ID"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The customer's number in another system, e.g. the old POS."),
    )

    # Kept current by the services
    completeness = models.PositiveSmallIntegerField(_("completeness"), default=0, db_index=True)
    consent_sms = models.BooleanField(_("SMS consent"), default=False)
    consent_email = models.BooleanField(_("email consent"), default=False)
    consent_wechat = models.BooleanField(_("WeChat consent"), default=False)
    consent_phone = models.BooleanField(_("phone consent"), default=False)
    consent_mail = models.BooleanField(_("direct mail consent"), default=False)
    consent_sensitive = models.BooleanField(_("sensitive data consent"), default=False)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["home_store", "-created_at"]),
            models.Index(fields=["full_name"]),
            models.Index(fields=["responsible_staff", "-created_at"]),
            models.Index(fields=["home_store", "completeness"]),
            models.Index(fields=["name_key", "birthday"]),
            # The customer list's filters and sorts (migration 0003_list_indexes).
            *LIST_INDEXES,
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(completeness__lte=100), name="customers_completeness_at_most_100"
            ),
            models.CheckConstraint(
                condition=models.Q(birth_month__isnull=True)
                | models.Q(birth_month__gte=1, birth_month__lte=12),
                name="customers_birth_month_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def audit_store_id(self) -> int:
        return self.home_store_id

    def has_consent(self, purpose: str) -> bool:
        return bool(getattr(self, f"consent_{purpose}"))


class SensitiveProfile(BaseModel):
    """Skin and health data: written only under a recorded consent, read only by allowed roles,
    and every read is logged."""

    customer = models.OneToOneField(
        Customer,
        verbose_name=_("customer"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="sensitive_profile",
    )
    skin_type = models.CharField(
        _("skin type"), max_length=16, choices=SkinType.choices, blank=True
    )
    skin_concerns = models.JSONField(_("skin concerns"), default=list, blank=True)
    health_notes = models.TextField(_("health notes"), blank=True)

    class Meta:
        verbose_name = _("skin and health data")
        verbose_name_plural = _("skin and health data")

    def __str__(self) -> str:
        return str(self.customer)

    def audit_store_id(self) -> int:
        return self.customer.home_store_id


class ConsentEvent(models.Model):
    """One grant or withdrawal of consent. Append-only: the current state is the latest row per
    purpose, cached on the customer."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="consent_events",
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"))
    recorded_at = models.DateTimeField(_("time"), db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=ConsentSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["customer", "purpose", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose} {self.granted}"


class ContactSuppression(BaseModel):
    """A phone number that must not be contacted for marketing: kept after an erasure, as a
    keyed hash only, until the person gives a new explicit consent."""

    phone_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=32)

    class Meta:
        verbose_name = _("suppressed contact")
        verbose_name_plural = _("suppressed contacts")

    def __str__(self) -> str:
        return self.phone_hash[:12]


class CompletenessWeight(models.Model):
    """How much a filled-in field counts towards a customer's data completeness (owner's policy)."""

    field = models.CharField(_("field"), max_length=32, unique=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)

    class Meta:
        ordering = ["field"]
        verbose_name = _("completeness weight")
        verbose_name_plural = _("completeness weights")

    def __str__(self) -> str:
        return f"{self.field}={self.weight}"


class SavedView(BaseModel):
    """A customer-list filter a staff member saved under a name."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="saved_customer_views",
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=1000)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], name="customers_saved_view_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ImportMapping(BaseModel):
    """A saved column mapping for customer imports: file column -> customer field."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    columns = models.JSONField(_("columns"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")

    def __str__(self) -> str:
        return self.name
