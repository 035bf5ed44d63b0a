"""Validation of product codes: EAN-13 barcodes with their check digit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def ean13_check_digit(first_twelve: str) -> int:
    """The check digit of an EAN-13 code from its first twelve digits (weights 1, 3, 1, 3 …)."""
    if len(first_twelve) != 12 or not first_twelve.isdigit():
        raise ValueError("an EAN-13 check digit needs exactly twelve digits")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    return (
        len(code) == 13
        and code.isascii()
        and code.isdigit()
        and ean13_check_digit(code[:12]) == int(code[12])
    )


def validate_ean13(value: str) -> None:
    if not (len(value) == 13 and value.isascii() and value.isdigit()):
        raise ValidationError(_("A barcode has exactly 13 digits."), code="ean13_length")
    if not is_valid_ean13(value):
        raise ValidationError(
            _("This barcode's check digit is wrong: check the number on the pack."),
            code="ean13_check_digit",
        )
