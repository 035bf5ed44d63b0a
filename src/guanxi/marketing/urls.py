from django.urls import path

from guanxi.marketing import views

app_name = "marketing"
urlpatterns: list = [
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/create/", views.EventFormView.as_view(), name="event-create"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    path("events/<int:pk>/update/", views.EventFormView.as_view(), name="event-update"),
    path("events/<int:pk>/register/", views.EventRegisterView.as_view(), name="event-register"),
    path("events/<int:pk>/draw/", views.EventDrawView.as_view(), name="event-draw"),
    path(
        "registrations/<int:pk>/cancel/",
        views.RegistrationCancelView.as_view(),
        name="registration-cancel",
    ),
    path("draws/<int:pk>/", views.DrawDetailView.as_view(), name="draw-detail"),
    path("draws/<int:pk>/verify/", views.DrawVerifyView.as_view(), name="draw-verify"),
]
