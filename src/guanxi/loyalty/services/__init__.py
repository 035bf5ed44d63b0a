"""Writes of the loyalty domain. Every balance moves through ``ledger.ledger_post``."""

from guanxi.loyalty.services.adjustments import ledger_adjust
from guanxi.loyalty.services.cards import (
    card_freeze,
    card_issue,
    card_replace,
    card_report_lost,
    card_unfreeze,
)
from guanxi.loyalty.services.coupons import (
    CouponQuote,
    coupon_create,
    coupon_deactivate,
    coupon_quote,
    coupon_update,
    coupon_use,
    coupon_use_cancel,
)
from guanxi.loyalty.services.earning import (
    EarnLine,
    category_multiplier_delete,
    category_multiplier_set,
    earning_rates_update,
    points_for_amount,
    points_for_purchase,
    points_value,
    promotion_create,
    promotion_delete,
    promotion_update,
)
from guanxi.loyalty.services.gifts import gift_create, gift_redeem, gift_restock, gift_update
from guanxi.loyalty.services.ledger import ledger_post, ledger_reconcile, ledger_reverse
from guanxi.loyalty.services.packages import package_sell, package_session_consume
from guanxi.loyalty.services.points import points_award, points_expire, points_redeem
from guanxi.loyalty.services.referrals import referral_reward_on_purchase
from guanxi.loyalty.services.settings import (
    bonus_rule_create,
    bonus_rule_deactivate,
    bonus_rule_update,
    loyalty_settings_update,
)
from guanxi.loyalty.services.stored_value import (
    stored_value_refund_principal,
    stored_value_spend,
    stored_value_topup,
)

__all__ = [
    "bonus_rule_create",
    "bonus_rule_deactivate",
    "bonus_rule_update",
    "loyalty_settings_update",
    "CouponQuote",
    "EarnLine",
    "category_multiplier_delete",
    "category_multiplier_set",
    "coupon_create",
    "coupon_deactivate",
    "coupon_quote",
    "coupon_update",
    "coupon_use",
    "coupon_use_cancel",
    "earning_rates_update",
    "gift_create",
    "gift_redeem",
    "gift_restock",
    "gift_update",
    "points_for_amount",
    "points_for_purchase",
    "points_value",
    "promotion_create",
    "promotion_delete",
    "promotion_update",
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
    "referral_reward_on_purchase",
    "stored_value_refund_principal",
    "stored_value_spend",
    "stored_value_topup",
]
