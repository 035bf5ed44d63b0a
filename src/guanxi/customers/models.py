"""Customers: the centre of the product. Every domain hangs its records on a customer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import BaseModel
from guanxi.customers.choices import Gender


class Customer(BaseModel):
    store_scope = "home_store"

    full_name = models.CharField(_("full name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        unique=True,
        help_text=_("In international form, e.g. +8613800138000."),
    )
    email = models.EmailField(_("email"), blank=True)
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

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["home_store", "-created_at"]),
            models.Index(fields=["full_name"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def audit_store_id(self) -> int:
        return self.home_store_id
