"""Stores, staff members and the organisation settings."""

from django.urls import path

from guanxi.staff.views import directory as views

urlpatterns = [
    path("stores/", views.StoreListView.as_view(), name="store-list"),
    path("stores/create/", views.StoreCreateView.as_view(), name="store-create"),
    path("stores/<int:pk>/", views.StoreDetailView.as_view(), name="store-detail"),
    path("stores/<int:pk>/update/", views.StoreUpdateView.as_view(), name="store-update"),
    path(
        "stores/<int:pk>/deactivate/",
        views.StoreDeactivateView.as_view(),
        name="store-deactivate",
    ),
    path("stores/<int:pk>/activate/", views.StoreActivateView.as_view(), name="store-activate"),
    path("staff/", views.StaffListView.as_view(), name="staff-list"),
    path("staff/create/", views.StaffCreateView.as_view(), name="staff-create"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="staff-detail"),
    path("staff/<int:pk>/update/", views.StaffUpdateView.as_view(), name="staff-update"),
    path(
        "staff/<int:pk>/deactivate/",
        views.StaffDeactivateView.as_view(),
        name="staff-deactivate",
    ),
    path(
        "staff/<int:pk>/two-factor/reset/",
        views.StaffTwoFactorResetView.as_view(),
        name="staff-two-factor-reset",
    ),
    path(
        "settings/organisation/",
        views.OrganisationUpdateView.as_view(),
        name="organisation-update",
    ),
]
