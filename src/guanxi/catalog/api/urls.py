from django.urls import path

from guanxi.catalog.api import views

urlpatterns = [
    path("products/", views.ProductListApi.as_view(), name="api-catalog-product-list"),
    path("products/<int:pk>/", views.ProductDetailApi.as_view(), name="api-catalog-product-detail"),
    path("services/", views.ServiceListApi.as_view(), name="api-catalog-service-list"),
    path("services/<int:pk>/", views.ServiceDetailApi.as_view(), name="api-catalog-service-detail"),
    path("categories/", views.CategoryListApi.as_view(), name="api-catalog-category-list"),
    path(
        "categories/<int:pk>/",
        views.CategoryDetailApi.as_view(),
        name="api-catalog-category-detail",
    ),
]
