from django.urls import path

from guanxi.orders.api import views

urlpatterns = [
    path("", views.OrderListApi.as_view(), name="api-order-list"),
    path("<int:pk>/", views.OrderDetailApi.as_view(), name="api-order-detail"),
    path("<int:pk>/returns/", views.OrderReturnCreateApi.as_view(), name="api-order-return-create"),
]
