from django.urls import path

from guanxi.loyalty.views import cards, tiers
from guanxi.loyalty.views import coupons as coupon_views
from guanxi.loyalty.views import earning as earning_views
from guanxi.loyalty.views import gifts as gift_views
from guanxi.loyalty.views.bonus_rules import (
    BonusRuleCreateView,
    BonusRuleDeactivateView,
    BonusRuleListView,
    BonusRuleUpdateView,
)
from guanxi.loyalty.views.settings import LoyaltySettingsUpdateView

app_name = "loyalty"
urlpatterns: list = [
    path("cards/<int:pk>/", cards.CardDetailView.as_view(), name="card-detail"),
    path("cards/<int:pk>/ledger/", cards.CardLedgerView.as_view(), name="card-ledger"),
    path("cards/<int:pk>/freeze/", cards.CardFreezeView.as_view(), name="card-freeze"),
    path("cards/<int:pk>/unfreeze/", cards.CardUnfreezeView.as_view(), name="card-unfreeze"),
    path(
        "cards/<int:pk>/report-lost/", cards.CardReportLostView.as_view(), name="card-report-lost"
    ),
    path("cards/<int:pk>/replace/", cards.CardReplaceView.as_view(), name="card-replace"),
    path("cards/<int:pk>/print/", cards.CardPrintView.as_view(), name="card-print"),
    path("customers/<int:pk>/issue-card/", cards.CardIssueView.as_view(), name="card-issue"),
    path("tiers/", tiers.TierLevelListView.as_view(), name="tier-list"),
    path("tiers/create/", tiers.TierLevelFormView.as_view(), name="tier-create"),
    path("tiers/<int:pk>/update/", tiers.TierLevelFormView.as_view(), name="tier-update"),
    path("tiers/policy/", tiers.TierPolicyUpdateView.as_view(), name="tier-policy"),
    path("settings/", LoyaltySettingsUpdateView.as_view(), name="settings"),
    path("bonus-rules/", BonusRuleListView.as_view(), name="bonus-rule-list"),
    path("bonus-rules/create/", BonusRuleCreateView.as_view(), name="bonus-rule-create"),
    path("bonus-rules/<int:pk>/update/", BonusRuleUpdateView.as_view(), name="bonus-rule-update"),
    path(
        "bonus-rules/<int:pk>/deactivate/",
        BonusRuleDeactivateView.as_view(),
        name="bonus-rule-deactivate",
    ),
    # Points rules, promotions, coupons and the gift catalogue (owner), gift redemption (desk).
    path("earning/", earning_views.EarningRulesView.as_view(), name="earning-rules"),
    path("earning/rates/", earning_views.EarningRatesUpdateView.as_view(), name="earning-rates"),
    path(
        "earning/categories/set/",
        earning_views.CategoryMultiplierFormView.as_view(),
        name="category-multiplier-set",
    ),
    path(
        "earning/categories/<int:pk>/delete/",
        earning_views.CategoryMultiplierDeleteView.as_view(),
        name="category-multiplier-delete",
    ),
    path(
        "earning/promotions/create/",
        earning_views.PromotionFormView.as_view(),
        name="promotion-create",
    ),
    path(
        "earning/promotions/<int:pk>/update/",
        earning_views.PromotionFormView.as_view(),
        name="promotion-update",
    ),
    path(
        "earning/promotions/<int:pk>/delete/",
        earning_views.PromotionDeleteView.as_view(),
        name="promotion-delete",
    ),
    path("coupons/", coupon_views.CouponListView.as_view(), name="coupon-list"),
    path("coupons/create/", coupon_views.CouponFormView.as_view(), name="coupon-create"),
    path("coupons/<int:pk>/", coupon_views.CouponDetailView.as_view(), name="coupon-detail"),
    path("coupons/<int:pk>/update/", coupon_views.CouponFormView.as_view(), name="coupon-update"),
    path(
        "coupons/<int:pk>/deactivate/",
        coupon_views.CouponDeactivateView.as_view(),
        name="coupon-deactivate",
    ),
    path("gifts/", gift_views.GiftListView.as_view(), name="gift-list"),
    path("gifts/create/", gift_views.GiftFormView.as_view(), name="gift-create"),
    path("gifts/<int:pk>/update/", gift_views.GiftFormView.as_view(), name="gift-update"),
    path("gifts/<int:pk>/restock/", gift_views.GiftRestockView.as_view(), name="gift-restock"),
    path(
        "cards/<int:pk>/gifts/redeem/",
        gift_views.CardGiftRedeemView.as_view(),
        name="card-gift-redeem",
    ),
]

# The money pages of a card: top-up, refund of paid value, package sessions (task "ui").
from guanxi.loyalty.views import card_money  # noqa: E402

urlpatterns += [
    path("cards/<int:pk>/top-up/", card_money.CardTopupView.as_view(), name="card-topup"),
    path(
        "cards/<int:pk>/refund/",
        card_money.CardPrincipalRefundView.as_view(),
        name="card-principal-refund",
    ),
    path(
        "cards/<int:pk>/package-session/",
        card_money.CardPackageSessionView.as_view(),
        name="card-package-session",
    ),
]
