from django.urls import path

from guanxi.marketing.api import views

urlpatterns = [
    path("events/", views.EventListApi.as_view(), name="api-marketing-event-list"),
    path(
        "events/<int:pk>/registrations/",
        views.EventRegistrationListApi.as_view(),
        name="api-marketing-event-registrations",
    ),
]
