"""Coupons: check a code against an order, record its use, and the owner's coupon list.

A coupon is refused, with a message saying why, when its code is unknown, it was deactivated,
the day (local date) is outside its validity, it belongs to another store or another customer,
it needs a known customer (a per-customer limit), the order does not reach its minimum spend, or
it (or this customer's share of it) is used up. The discount is a percentage of the subtotal
(rounded to the cent) or a fixed amount, never more than the subtotal.

``coupon_use`` checks again under a lock on the coupon row (PostgreSQL ``SELECT … FOR UPDATE``;
SQLite's ``BEGIN IMMEDIATE``), so concurrent tills never use a coupon more often than its
limits allow. One reference (an order) uses a coupon once: using it again with the same
reference returns the first use and writes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.money import format_money, money_round
from guanxi.core.services import model_create, model_update
from guanxi.loyalty.models import Coupon, CouponKind, CouponUse


@dataclass(frozen=True)
class CouponQuote:
    coupon: Coupon
    discount: Decimal


def coupon_code_normalize(code: str) -> str:
    """Codes are kept in capitals without spaces; customers type them any way."""
    return "".join(str(code).split()).upper()


def _refuse(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code)


def coupon_discount(coupon: Coupon, subtotal: Decimal) -> Decimal:
    """The coupon's discount on ``subtotal``, never more than the subtotal."""
    if coupon.kind == CouponKind.PERCENT:
        discount = money_round(Decimal(subtotal) * Decimal(coupon.value) / 100)
    else:
        discount = money_round(coupon.value)
    return min(discount, money_round(subtotal))


def _check(
    coupon: Coupon,
    *,
    customer_id: int | None,
    store_id: int,
    subtotal: Decimal,
    at: datetime.datetime,
) -> CouponQuote:
    code = coupon.code
    if not coupon.is_active:
        raise _refuse(_("Coupon %(code)s is no longer active.") % {"code": code}, "coupon_inactive")
    day = timezone.localdate(at)
    if day < coupon.valid_from:
        raise _refuse(
            _("Coupon %(code)s is valid from %(date)s.")
            % {"code": code, "date": date_format(coupon.valid_from)},
            "coupon_not_yet_valid",
        )
    if day > coupon.valid_until:
        raise _refuse(
            _("Coupon %(code)s expired on %(date)s.")
            % {"code": code, "date": date_format(coupon.valid_until)},
            "coupon_expired",
        )
    if coupon.store_id is not None and coupon.store_id != store_id:
        raise _refuse(
            _("Coupon %(code)s can only be used at %(store)s.")
            % {"code": code, "store": coupon.store},
            "coupon_wrong_store",
        )
    if coupon.customer_id is not None and coupon.customer_id != customer_id:
        raise _refuse(
            _("Coupon %(code)s is personal and belongs to another customer.") % {"code": code},
            "coupon_wrong_customer",
        )
    if coupon.max_uses_per_customer is not None and customer_id is None:
        raise _refuse(
            _("Coupon %(code)s is for members: find the customer first.") % {"code": code},
            "coupon_needs_customer",
        )
    subtotal = money_round(subtotal)
    if subtotal < 0:
        raise _refuse(_("The order total cannot be negative."), "invalid_amount")
    if subtotal < coupon.minimum_spend:
        raise _refuse(
            _(
                "Coupon %(code)s needs a spend of at least %(minimum)s; this order comes to %(subtotal)s."
            )
            % {
                "code": code,
                "minimum": format_money(coupon.minimum_spend),
                "subtotal": format_money(subtotal),
            },
            "coupon_minimum_spend",
        )
    uses = CouponUse.objects.filter(coupon=coupon)
    if coupon.max_uses is not None and uses.count() >= coupon.max_uses:
        raise _refuse(_("Coupon %(code)s has been used up.") % {"code": code}, "coupon_used_up")
    if (
        coupon.max_uses_per_customer is not None
        and customer_id is not None
        and uses.filter(customer_id=customer_id).count() >= coupon.max_uses_per_customer
    ):
        raise _refuse(
            _("This customer has already used coupon %(code)s as often as it allows.")
            % {"code": code},
            "coupon_customer_used_up",
        )
    return CouponQuote(coupon=coupon, discount=coupon_discount(coupon, subtotal))


def _unknown(code: str) -> ApplicationError:
    return _refuse(
        _("There is no coupon with the code %(code)s.") % {"code": code or "—"}, "coupon_unknown"
    )


def coupon_quote(
    *,
    code: str,
    customer_id: int | None,
    store_id: int,
    subtotal: Decimal,
    at: datetime.datetime,
) -> CouponQuote:
    """The discount the coupon ``code`` gives on ``subtotal``; refused with the reason. Reads
    only."""
    normalized = coupon_code_normalize(code)
    coupon = Coupon.objects.select_related("store").filter(code=normalized).first()
    if coupon is None:
        raise _unknown(normalized)
    return _check(coupon, customer_id=customer_id, store_id=store_id, subtotal=subtotal, at=at)


@transaction.atomic
def coupon_use(
    *,
    code: str,
    customer_id: int | None,
    store_id: int,
    subtotal: Decimal,
    at: datetime.datetime,
    reference: str,
    actor: Any,
) -> CouponQuote:
    """Check the coupon under a lock on its row and record its use by ``reference``. The same
    reference again returns the first use and writes nothing."""
    reference = str(reference).strip()[:64]
    if not reference:
        raise ValueError("a coupon use needs a reference")
    normalized = coupon_code_normalize(code)
    coupon = Coupon.objects.select_for_update().filter(code=normalized).first()
    if coupon is None:
        raise _unknown(normalized)
    earlier = CouponUse.objects.filter(coupon=coupon, reference=reference).first()
    if earlier is not None:
        return CouponQuote(coupon=coupon, discount=earlier.discount)
    quote = _check(coupon, customer_id=customer_id, store_id=store_id, subtotal=subtotal, at=at)
    use = CouponUse.objects.create(
        coupon=coupon,
        customer_id=customer_id,
        store_id=store_id,
        reference=reference,
        discount=quote.discount,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=use,
        changes={
            "coupon": [None, coupon.code],
            "customer": [None, customer_id],
            "reference": [None, reference],
            "discount": [None, str(quote.discount)],
        },
    )
    return quote


@transaction.atomic
def coupon_use_cancel(*, code: str, reference: str, actor: Any) -> bool:
    """Give back the use of a coupon by ``reference`` (e.g. the order was returned whole).
    Returns whether a use was found."""
    normalized = coupon_code_normalize(code)
    coupon = Coupon.objects.select_for_update().filter(code=normalized).first()
    if coupon is None:
        return False
    use = CouponUse.objects.filter(coupon=coupon, reference=str(reference).strip()[:64]).first()
    if use is None:
        return False
    audit_record(
        action=AuditAction.DELETE,
        actor=actor,
        obj=use,
        changes={
            "coupon": [coupon.code, None],
            "reference": [use.reference, None],
            "discount": [str(use.discount), None],
        },
    )
    use.delete()
    return True


# --- The owner's coupon list -------------------------------------------------------------------


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    if "code" in data:
        data = {**data, "code": coupon_code_normalize(data["code"])}
    return data


@transaction.atomic
def coupon_create(*, actor: Any, **data: Any) -> Coupon:
    return model_create(instance=Coupon(**_clean(data)), actor=actor)


@transaction.atomic
def coupon_update(*, coupon: Coupon, data: dict[str, Any], actor: Any) -> Coupon:
    locked = Coupon.objects.select_for_update().get(pk=coupon.pk)
    if "code" in data and coupon_code_normalize(data["code"]) != locked.code:
        if CouponUse.objects.filter(coupon=locked).exists():
            raise ApplicationError(
                _("A coupon that was used keeps its code."), code="coupon_code_used"
            )
    locked, _changed = model_update(instance=locked, data=_clean(data), actor=actor)
    return locked


@transaction.atomic
def coupon_deactivate(*, coupon: Coupon, actor: Any) -> Coupon:
    """Stop the coupon from being used; its uses stay."""
    return coupon_update(coupon=coupon, data={"is_active": False}, actor=actor)
