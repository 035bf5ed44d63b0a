from django.urls import path

from guanxi.core import views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job-detail"),
]
