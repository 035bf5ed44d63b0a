"""Sign-in, the staff member's own account, two-factor sign-in and API tokens."""

from django.urls import path

from guanxi.staff.views import account, tokens, two_factor

urlpatterns = [
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", account.LogoutView.as_view(), name="logout"),
    path("set-language/", account.SetLanguageView.as_view(), name="set-language"),
    path("profile/", account.ProfileView.as_view(), name="profile"),
    path("password/change/", account.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", account.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/", account.PasswordResetDoneView.as_view(), name="password-reset-done"
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/complete/",
        account.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("two-factor/setup/", two_factor.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("two-factor/verify/", two_factor.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path(
        "two-factor/disable/", two_factor.TwoFactorDisableView.as_view(), name="two-factor-disable"
    ),
    path(
        "two-factor/backup-codes/",
        two_factor.TwoFactorBackupCodesView.as_view(),
        name="two-factor-backup-codes",
    ),
    path("profile/tokens/create/", tokens.ApiTokenCreateView.as_view(), name="api-token-create"),
    path(
        "profile/tokens/<int:pk>/revoke/",
        tokens.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
]
