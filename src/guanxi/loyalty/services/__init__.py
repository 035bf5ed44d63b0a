"""Writes of the loyalty domain. Every balance moves through ``ledger.ledger_post``."""

from guanxi.loyalty.services.adjustments import ledger_adjust
from guanxi.loyalty.services.cards import (
    card_freeze,
    card_issue,
    card_replace,
    card_report_lost,
    card_unfreeze,
)
from guanxi.loyalty.services.ledger import ledger_post, ledger_reconcile, ledger_reverse
from guanxi.loyalty.services.packages import package_sell, package_session_consume
from guanxi.loyalty.services.points import points_award, points_expire, points_redeem
from guanxi.loyalty.services.stored_value import (
    stored_value_refund_principal,
    stored_value_spend,
    stored_value_topup,
)

__all__ = [
    "card_freeze",
    "card_issue",
    "card_replace",
    "card_report_lost",
    "card_unfreeze",
    "ledger_adjust",
    "ledger_post",
    "ledger_reconcile",
    "ledger_reverse",
    "package_sell",
    "package_session_consume",
    "points_award",
    "points_expire",
    "points_redeem",
    "stored_value_refund_principal",
    "stored_value_spend",
    "stored_value_topup",
]
