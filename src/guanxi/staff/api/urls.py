"""Included under ``/api/v1/`` without a namespace; every name starts with ``api-``."""

from django.urls import path

from guanxi.staff.api import views

urlpatterns = [
    path("stores/", views.StoreListApi.as_view(), name="api-store-list"),
    path("stores/<int:pk>/", views.StoreDetailApi.as_view(), name="api-store-detail"),
    path("staff/", views.StaffListApi.as_view(), name="api-staff-list"),
    path("staff/<int:pk>/", views.StaffDetailApi.as_view(), name="api-staff-detail"),
    path("me/", views.MeApi.as_view(), name="api-me"),
]
