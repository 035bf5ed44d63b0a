"""Choices of the marketing domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationChannel(models.TextChoices):
    STAFF = "staff", _("Staff")
    API = "api", _("API")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    CANCELLED = "cancelled", _("Cancelled")
