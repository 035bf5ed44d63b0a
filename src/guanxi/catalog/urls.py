from django.urls import path

from guanxi.catalog.views import catalogue as views
from guanxi.catalog.views import pricing as pricing_views

app_name = "catalog"
urlpatterns = [
    path("", views.ProductListView.as_view(), name="product-list"),
    path("products/create/", views.ProductCreateView.as_view(), name="product-create"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product-detail"),
    path("products/<int:pk>/update/", views.ProductUpdateView.as_view(), name="product-update"),
    path(
        "products/<int:pk>/deactivate/",
        views.ProductDeactivateView.as_view(),
        name="product-deactivate",
    ),
    path("services/", views.ServiceListView.as_view(), name="service-list"),
    path("services/create/", views.ServiceCreateView.as_view(), name="service-create"),
    path("services/<int:pk>/", views.ServiceDetailView.as_view(), name="service-detail"),
    path("services/<int:pk>/update/", views.ServiceUpdateView.as_view(), name="service-update"),
    path(
        "services/<int:pk>/deactivate/",
        views.ServiceDeactivateView.as_view(),
        name="service-deactivate",
    ),
    path("categories/", views.CategoryListView.as_view(), name="category-list"),
    path("categories/create/", views.CategoryCreateView.as_view(), name="category-create"),
    path("categories/<int:pk>/update/", views.CategoryUpdateView.as_view(), name="category-update"),
    path("brands/", views.BrandListView.as_view(), name="brand-list"),
    path("brands/create/", views.BrandCreateView.as_view(), name="brand-create"),
    path("brands/<int:pk>/update/", views.BrandUpdateView.as_view(), name="brand-update"),
    path("price-lists/", pricing_views.PriceListListView.as_view(), name="price-list-list"),
    path(
        "price-lists/create/",
        pricing_views.PriceListCreateView.as_view(),
        name="price-list-create",
    ),
    path(
        "price-lists/<int:pk>/",
        pricing_views.PriceListDetailView.as_view(),
        name="price-list-detail",
    ),
    path(
        "price-lists/<int:pk>/update/",
        pricing_views.PriceListUpdateView.as_view(),
        name="price-list-update",
    ),
    path(
        "price-lists/<int:pk>/items/add/",
        pricing_views.PriceListItemAddView.as_view(),
        name="price-list-item-add",
    ),
    path(
        "price-lists/<int:pk>/items/<int:item_pk>/delete/",
        pricing_views.PriceListItemDeleteView.as_view(),
        name="price-list-item-delete",
    ),
]
