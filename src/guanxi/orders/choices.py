"""Choices of the orders domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderSource(models.TextChoices):
    TILL = "till", _("Store checkout")
    API = "api", _("External POS")
    IMPORT = "import", _("Imported")
    SEED = "seed", _("Demo data")


class OrderStatus(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    PARTLY_RETURNED = "partly_returned", _("Partly returned")
    RETURNED = "returned", _("Returned")


class LineKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    SERVICE = "service", _("Service")
    # Selling a prepaid package of sessions of a service.
    PACKAGE = "package", _("Treatment package")
    # A service paid by one session of a package the member already holds.
    PACKAGE_SESSION = "package_session", _("Package session")
    # A line of an imported order that names no product.
    OTHER = "other", _("Other")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_CARD = "bank_card", _("Bank card")
    MOBILE = "mobile", _("Mobile payment")
    STORED_VALUE = "stored_value", _("Stored value")
    POINTS = "points", _("Points")


# Payments that move a balance on the member card (the others are money taken at the till).
CARD_METHODS = frozenset({PaymentMethod.STORED_VALUE, PaymentMethod.POINTS})
