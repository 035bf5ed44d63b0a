"""Choices of the analytics domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RfmSegment(models.TextChoices):
    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL_LOYALISTS = "potential_loyalists", _("Potential loyalists")
    NEW = "new", pgettext_lazy("RFM segment", "New")
    AT_RISK = "at_risk", _("At risk")
    CANT_LOSE = "cant_lose", _("Can't lose")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")


class RecencyBand(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("recency band", "Active")
    SILENT = "silent", _("Silent")
    SLEEPING = "sleeping", _("Sleeping")
    LOST = "lost", _("Lost")


class FrequencyBand(models.TextChoices):
    NEW = "new", pgettext_lazy("frequency band", "New")
    SECOND_TIME = "second_time", _("Second-time")
    RETURNING = "returning", _("Returning")
    FAN = "fan", _("Fan")


class PyramidLevel(models.TextChoices):
    TOP = "top", _("Top")
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    INACTIVE = "inactive", pgettext_lazy("pyramid level", "Inactive")
    PROSPECT = "prospect", _("Prospect")


class AbcClass(models.TextChoices):
    A = "a", _("A")
    B = "b", _("B")
    C = "c", _("C")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class RuleKind(models.TextChoices):
    BASKET = "basket", _("Bought together")
    SEQUENCE = "sequence", _("Bought next")


class RuleLevel(models.TextChoices):
    PRODUCT = "product", _("Product")
    CATEGORY = "category", _("Category")


#: The frequency band names of ``guanxi.analytics.rfm`` (its "second") mapped to the stored ones.
CORE_FREQUENCY_BANDS = {
    "new": FrequencyBand.NEW,
    "second": FrequencyBand.SECOND_TIME,
    "returning": FrequencyBand.RETURNING,
    "fan": FrequencyBand.FAN,
}
