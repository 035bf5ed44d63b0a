from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "", _("Not given")


class IncomeBand(models.TextChoices):
    UNKNOWN = "", _("Not given")
    UNDER_5K = "lt5k", _("Under 5,000 a month")
    FROM_5K = "5k-10k", _("5,000–10,000 a month")
    FROM_10K = "10k-20k", _("10,000–20,000 a month")
    FROM_20K = "20k-50k", _("20,000–50,000 a month")
    OVER_50K = "gt50k", _("Over 50,000 a month")


class Channel(models.TextChoices):
    """Marketing contact channels; each has its own consent and opt-out."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    PHONE = "phone", _("Phone call")
    MAIL = "mail", _("Direct mail")


class ConsentPurpose(models.TextChoices):
    """What a consent record is about: a marketing channel, or sensitive (skin and health) data."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    PHONE = "phone", _("Phone call")
    MAIL = "mail", _("Direct mail")
    SENSITIVE = "sensitive", _("Skin and health data")


class ConsentSource(models.TextChoices):
    STORE = "store", _("In store")
    FORM = "form", _("Signed form")
    PHONE = "phone", _("By phone")
    WEB = "web", _("Web")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    OPT_OUT_LINK = "opt_out_link", _("Opt-out link")


class Source(models.TextChoices):
    STORE = "store", _("Store")
    EVENT = "event", _("Event")
    WEB = "web", _("Web")
    REFERRAL = "referral", _("Referral")
    IMPORT = "import", _("Import")


class SkinType(models.TextChoices):
    UNKNOWN = "", _("Not given")
    DRY = "dry", _("Dry")
    OILY = "oily", _("Oily")
    COMBINATION = "combination", _("Combination")
    NORMAL = "normal", _("Normal")
    SENSITIVE = "sensitive", _("Sensitive")


class SkinConcern(models.TextChoices):
    ACNE = "acne", _("Acne")
    PIGMENTATION = "pigmentation", _("Pigmentation")
    WRINKLES = "wrinkles", _("Fine lines and wrinkles")
    DRYNESS = "dryness", _("Dryness")
    REDNESS = "redness", _("Redness")
    PORES = "pores", _("Large pores")
    DULLNESS = "dullness", _("Dullness")
    DARK_CIRCLES = "dark_circles", _("Dark circles")


class TagColour(models.TextChoices):
    GREY = "secondary", _("Grey")
    BLUE = "primary", _("Blue")
    GREEN = "success", _("Green")
    RED = "danger", _("Red")
    YELLOW = "warning", _("Yellow")
    CYAN = "info", _("Cyan")
