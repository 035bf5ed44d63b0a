from django.urls import path

from guanxi.core.api import views

urlpatterns = [
    path("jobs/<int:pk>/", views.JobDetailApi.as_view(), name="api-job-detail"),
    path("audit-events/", views.AuditEventListApi.as_view(), name="api-audit-event-list"),
    path("audit-events/export/", views.AuditExportApi.as_view(), name="api-audit-export"),
]
