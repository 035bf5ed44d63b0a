"""Sign-in, sign-out, language and the staff member's own profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from guanxi.staff.forms.account import LoginForm
from guanxi.staff.services import account as services


class LoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class SetLanguageView(View):
    """Switch the interface language; a signed-in staff member keeps it in their profile."""

    def post(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        language = request.POST.get("language", "")
        next_url = request.POST.get("next") or "/"
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = "/"
        response = HttpResponseRedirect(next_url)
        if language not in dict(settings.LANGUAGES):
            messages.error(request, _("Unknown language."))
            return response
        if request.user.is_authenticated:
            services.staff_language_set(user=request.user, language=language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "staff/profile.html"
