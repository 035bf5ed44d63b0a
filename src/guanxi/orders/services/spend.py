"""The spend of a membership: what places it on the tier ladder (registered with loyalty's
``tier_spend_register`` in ``orders/nav.py``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum

from guanxi.core.money import money_round
from guanxi.orders.models import Order


def order_spend(membership: Any, since: datetime.datetime | None) -> Decimal:
    """The membership's orders since ``since`` (``None``: ever), each counted at its total less
    what was returned. A return lowers the spend at once; the tier follows at the nightly
    re-evaluation, when the owner allows downgrades."""
    orders = Order.objects.filter(membership_id=membership.pk)
    if since is not None:
        orders = orders.filter(ordered_at__gte=since)
    total = orders.aggregate(spend=Sum(F("total") - F("returned_total")))["spend"]
    return money_round(total or 0)
