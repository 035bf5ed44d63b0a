"""Idle sessions expire; state-changing requests need the CSRF token (htmx sends it as a header)."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.staff.models import ApiToken, User
from guanxi.staff.services.tokens import api_token_create

pytestmark = pytest.mark.django_db


def stored_session(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_each_request_pushes_the_expiry_back(client, make_staff):
    # given: idle for all but the last minute of the timeout (GUANXI_IDLE_TIMEOUT_MINUTES)
    client.force_login(make_staff())
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )

    # when
    response = client.get(reverse("staff:profile"))

    # then: still signed in, and the idle clock starts again
    assert response.status_code == 200
    timeout = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    remaining = stored_session(client).expire_date - timezone.now()
    assert timeout - timedelta(seconds=30) < remaining <= timeout


def test_idle_session_expires(client, make_staff):
    # given: the last request was longer ago than the idle timeout
    client.force_login(make_staff())
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    # when
    response = client.get(reverse("staff:profile"))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))


def test_post_without_csrf_token_is_refused(make_staff):
    # given
    staff = make_staff(language="en")
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    # when
    response = client.post(reverse("staff:set-language"), {"language": "zh-hans", "next": "/"})

    # then
    assert response.status_code == 403
    assert User.objects.get(pk=staff.pk).language == "en"


def test_htmx_request_with_the_csrf_header_is_accepted(make_staff):
    # given: the page puts the token on <body hx-headers=...>, which htmx sends on every request
    staff = make_staff()
    token, _key = api_token_create(user=staff, name="POS", actor=staff)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    page = client.get(reverse("staff:profile")).content.decode()
    csrf = re.search(r"""<body hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", page).group(1)

    # when
    response = client.post(
        reverse("staff:api-token-revoke", kwargs={"pk": token.pk}),
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=csrf,
    )

    # then
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_htmx_request_without_the_csrf_header_is_refused(make_staff):
    staff = make_staff()
    token, _key = api_token_create(user=staff, name="POS", actor=staff)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(
        reverse("staff:api-token-revoke", kwargs={"pk": token.pk}), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
