from django.urls import path

from guanxi.loyalty.api import views, views_earning

urlpatterns = [
    path(
        "cards/<int:pk>/points/redeem/",
        views.CardPointsRedeemApi.as_view(),
        name="api-loyalty-card-points-redeem",
    ),
    path(
        "cards/<int:pk>/stored-value/topup/",
        views.CardStoredValueTopupApi.as_view(),
        name="api-loyalty-card-stored-value-topup",
    ),
    path("coupons/quote/", views_earning.CouponQuoteApi.as_view(), name="api-loyalty-coupon-quote"),
    path("gifts/", views_earning.GiftListApi.as_view(), name="api-loyalty-gift-list"),
    path(
        "cards/<int:pk>/gifts/redeem/",
        views_earning.CardGiftRedeemApi.as_view(),
        name="api-loyalty-card-gift-redeem",
    ),
]
