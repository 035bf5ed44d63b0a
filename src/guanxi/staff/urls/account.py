"""Sign-in, the staff member's own account, two-factor sign-in and API tokens."""

from django.urls import path

from guanxi.staff.views import account

urlpatterns = [
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", account.LogoutView.as_view(), name="logout"),
    path("set-language/", account.SetLanguageView.as_view(), name="set-language"),
    path("profile/", account.ProfileView.as_view(), name="profile"),
]
