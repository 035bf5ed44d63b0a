from django.urls import include, path

urlpatterns = [
    path("", include("guanxi.core.api.urls")),
    path("", include("guanxi.staff.api.urls")),
    path("customers/", include("guanxi.customers.api.urls")),
    path("catalog/", include("guanxi.catalog.api.urls")),
    path("loyalty/", include("guanxi.loyalty.api.urls")),
    path("orders/", include("guanxi.orders.api.urls")),
    path("marketing/", include("guanxi.marketing.api.urls")),
    path("analytics/", include("guanxi.analytics.api.urls")),
]
