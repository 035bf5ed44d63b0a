from django.urls import path  # noqa: F401

app_name = "orders"
urlpatterns: list = []

# The order import (task "orderimport").
from guanxi.orders.views import imports as import_views  # noqa: E402

urlpatterns += [
    path("import/", import_views.OrderImportView.as_view(), name="order-import"),
    path("import/map/", import_views.OrderImportMapView.as_view(), name="order-import-map"),
]

# The till, the orders, receipts and returns (task "ui").
from guanxi.orders.views import checkout as checkout_views  # noqa: E402
from guanxi.orders.views import orders as order_views  # noqa: E402
from guanxi.orders.views import returns as return_views  # noqa: E402

urlpatterns += [
    path("", order_views.OrderListView.as_view(), name="order-list"),
    path("checkout/", checkout_views.CheckoutView.as_view(), name="checkout"),
    path("<int:pk>/", order_views.OrderDetailView.as_view(), name="order-detail"),
    path("<int:pk>/receipt/", order_views.OrderReceiptView.as_view(), name="order-receipt"),
    path("<int:pk>/return/", return_views.OrderReturnView.as_view(), name="order-return"),
]
