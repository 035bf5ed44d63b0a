from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from guanxi.core.views import HealthView

urlpatterns = [
    path("", include("guanxi.core.urls")),
    path("", include("guanxi.staff.urls")),
    path("customers/", include("guanxi.customers.urls")),
    path("catalogue/", include("guanxi.catalog.urls")),
    path("loyalty/", include("guanxi.loyalty.urls")),
    path("orders/", include("guanxi.orders.urls")),
    path("marketing/", include("guanxi.marketing.urls")),
    path("analytics/", include("guanxi.analytics.urls")),
    path("healthz", HealthView.as_view(), name="healthz"),
    path("api/v1/", include("guanxi.config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", admin.site.urls),
]
