"""The gift catalogue: members exchange points for gifts at the front desk.

``gift_redeem`` takes, in one database transaction and in this lock order, the gift's row (the
stock), the card's row and the points account's row; it refuses when the stock or the points
are short, so concurrent redemptions never sell more gifts than there are nor spend more points
than the card holds.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.services import model_create, model_update
from guanxi.loyalty.models import Gift, GiftRedemption, MemberCard
from guanxi.loyalty.services.points import points_redeem


@transaction.atomic
def gift_redeem(
    *, card: MemberCard, gift: Gift, quantity: int, store: Any, actor: Any, reference: str = ""
) -> GiftRedemption:
    """Hand over ``quantity`` of ``gift`` for points from ``card``; refused with a clear
    message when the gift is inactive or out of stock, or the card has too few points."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise ApplicationError(_("Enter a quantity of at least 1."), code="invalid_quantity")
    locked = Gift.objects.select_for_update().get(pk=gift.pk)
    if not locked.is_active:
        raise ApplicationError(
            _("%(gift)s is no longer offered.") % {"gift": locked.name}, code="gift_inactive"
        )
    if locked.stock < quantity:
        raise ApplicationError(
            _("Not enough %(gift)s in stock: %(wanted)s asked, %(stock)s left.")
            % {"gift": locked.name, "wanted": quantity, "stock": locked.stock},
            code="gift_out_of_stock",
        )
    points = locked.points * quantity
    txn = points_redeem(
        card=card,
        points=points,
        actor=actor,
        memo=_("Gift: %(gift)s × %(quantity)s") % {"gift": locked.name_en, "quantity": quantity},
        reference=reference or f"gift:{locked.pk}",
    )
    Gift.objects.filter(pk=locked.pk).update(stock=F("stock") - quantity)
    redemption = GiftRedemption.objects.create(
        card=card,
        gift=locked,
        quantity=quantity,
        points=points,
        store=store,
        staff=actor if getattr(actor, "is_authenticated", False) else None,
        transaction=txn,
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=redemption,
        changes={
            "card": [None, card.number],
            "gift": [None, locked.name_en],
            "quantity": [None, quantity],
            "points": [None, points],
            "stock": [locked.stock, locked.stock - quantity],
        },
    )
    return redemption


@transaction.atomic
def gift_create(*, actor: Any, **data: Any) -> Gift:
    return model_create(instance=Gift(**data), actor=actor)


@transaction.atomic
def gift_update(*, gift: Gift, data: dict[str, Any], actor: Any) -> Gift:
    """Change a gift; the row is locked so a stock count set here is not lost to a concurrent
    redemption."""
    locked = Gift.objects.select_for_update().get(pk=gift.pk)
    locked, _changed = model_update(instance=locked, data=data, actor=actor)
    return locked


@transaction.atomic
def gift_restock(*, gift: Gift, quantity: int, actor: Any) -> Gift:
    """Add ``quantity`` (may be negative, e.g. a broken item) to the stock, never below zero."""
    locked = Gift.objects.select_for_update().get(pk=gift.pk)
    if locked.stock + quantity < 0:
        raise ApplicationError(
            _("The stock cannot go below zero: %(stock)s left.") % {"stock": locked.stock},
            code="gift_stock_negative",
        )
    locked, _changed = model_update(
        instance=locked, data={"stock": locked.stock + quantity}, actor=actor
    )
    return locked
