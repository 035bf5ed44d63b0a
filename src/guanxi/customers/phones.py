"""Phone numbers: validated with libphonenumber and stored in E.164 (``+8613800138000``).

Numbers without a country code are read in the configured region (``GUANXI_PHONE_REGION``, CN by
default). What staff type at the counter is accepted: spaces, dashes, dots, brackets, full-width
digits, and the ``+86``, ``0086`` and ``86`` prefixes.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID_MESSAGE = _("Enter a valid phone number, e.g. 138 0013 8000 or 021 1234 5678.")
# A Chinese mobile number written with the country code but without the plus: 86 + 11 digits.
CN_MOBILE_WITH_CODE = re.compile(r"861[3-9]\d{9}")


def _region() -> str:
    return str(getattr(settings, "GUANXI_PHONE_REGION", "CN") or "CN").upper()


def _ascii(raw: str) -> str:
    """Full-width digits and signs (１３８、＋８６) become ASCII."""
    return unicodedata.normalize("NFKC", raw or "").strip()


def phone_normalise(raw: str) -> str:
    """Return ``raw`` in E.164 form, or raise ``ValidationError`` (code ``invalid_phone``)."""
    value = _ascii(raw)
    digits = phone_digits(value)
    if not value.startswith("+") and CN_MOBILE_WITH_CODE.fullmatch(digits):
        value = "+" + digits
    elif value.startswith("00"):
        value = "+" + value.lstrip("0")
    try:
        number = phonenumbers.parse(value, _region())
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(raw: str) -> str:
    """Only the digits of what was typed, for searching by part of a number."""
    return re.sub(r"\D", "", _ascii(raw))


def phone_display(e164: str) -> str:
    """A phone number as people read it: national format at home, international abroad."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == _region():
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
