from django.urls import path

from guanxi.loyalty.api import views

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
]
