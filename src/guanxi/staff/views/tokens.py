"""The staff member's own API tokens, managed from the profile page.

A token belongs to the staff member who made it; anyone else's token is "not found".
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from guanxi.core.htmx import is_htmx_partial, render_page_or_partial
from guanxi.staff import selectors
from guanxi.staff.forms.account import ApiTokenCreateForm
from guanxi.staff.services import tokens as services

PARTIAL = "staff/partials/_api_token_list.html"


def token_list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "tokens": selectors.api_token_list(user=request.user),
        "token_form": ApiTokenCreateForm(),
        **extra,
    }


class ApiTokenCreateView(LoginRequiredMixin, View):
    """Create a token; its key is on this response only and cannot be shown again."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render_page_or_partial(
            request, "staff/api_token_create.html", PARTIAL, token_list_context(request)
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiTokenCreateForm(request.POST)
        if not form.is_valid():
            return render_page_or_partial(
                request,
                "staff/api_token_create.html",
                PARTIAL,
                token_list_context(request, token_form=form),
            )
        token, key = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], actor=request.user
        )
        response = render_page_or_partial(
            request,
            "staff/api_token_create.html",
            PARTIAL,
            token_list_context(request, new_token=token, new_key=key),
        )
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenRevokeView(LoginRequiredMixin, View):
    """GET asks for confirmation (the page without JavaScript); POST revokes."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = get_object_or_404(selectors.api_token_list(user=request.user), pk=pk)
        return render(request, "staff/api_token_revoke.html", {"token": token})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = get_object_or_404(selectors.api_token_list(user=request.user), pk=pk)
        services.api_token_revoke(token=token, actor=request.user)
        if is_htmx_partial(request):
            return render(request, PARTIAL, token_list_context(request, revoked_token=token))
        messages.success(
            request, _("The token “%(name)s” has been revoked.") % {"name": token.name}
        )
        return redirect("staff:profile")
