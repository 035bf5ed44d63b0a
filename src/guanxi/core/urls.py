from django.urls import path

from guanxi.core import views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/download/", views.JobDownloadView.as_view(), name="job-download"),
    path("audit/", views.AuditLogView.as_view(), name="audit-log"),
    path("audit/export/", views.AuditExportView.as_view(), name="audit-export"),
    path(
        "history/<str:object_type>/<str:pk>/",
        views.ObjectHistoryView.as_view(),
        name="object-history",
    ),
]
