from django.urls import path

from guanxi.analytics.api import views

urlpatterns = [
    path("grid/", views.GridApi.as_view(), name="api-analytics-grid"),
    path("segments/", views.SegmentsApi.as_view(), name="api-analytics-segments"),
    path("customers/", views.CustomerListApi.as_view(), name="api-analytics-customer-list"),
    path(
        "customers/<int:pk>/",
        views.CustomerFiguresApi.as_view(),
        name="api-analytics-customer-figures",
    ),
    path("audiences/", views.AudienceListApi.as_view(), name="api-analytics-audience-list"),
    path(
        "audiences/<int:pk>/",
        views.AudienceDetailApi.as_view(),
        name="api-analytics-audience-detail",
    ),
]
