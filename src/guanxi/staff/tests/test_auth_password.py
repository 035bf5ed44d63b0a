"""Changing the password while signed in, and resetting it with an emailed link."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent
from guanxi.staff.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
NEW_PASSWORD = "plum blossom tea 2024"
ARGON2_FIRST = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]


def change(client, old, new1, new2=None):
    return client.post(
        reverse("staff:password-change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


@override_settings(PASSWORD_HASHERS=ARGON2_FIRST)
def test_changed_password_is_stored_with_argon2(client, make_staff):
    # given
    staff = make_staff()
    client.force_login(staff)

    # when
    response = change(client, PASSWORD, NEW_PASSWORD)

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:profile")
    staff.refresh_from_db()
    assert staff.password.startswith("argon2$argon2id$")
    assert staff.check_password(NEW_PASSWORD)


def test_changing_password_keeps_this_session_and_is_audited(client, make_staff):
    # given
    staff = make_staff()
    client.force_login(staff)

    # when
    change(client, PASSWORD, NEW_PASSWORD)

    # then
    assert client.get(reverse("staff:profile")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.SECURITY)
    assert event.actor == staff
    assert event.object_pk == str(staff.pk)
    assert event.message == "Password changed by the staff member."
    assert NEW_PASSWORD not in str(event.changes)


def test_wrong_old_password_changes_nothing(client, make_staff):
    # given
    staff = make_staff()
    client.force_login(staff)
    before = User.objects.get(pk=staff.pk).password

    # when
    response = change(client, "not my password", NEW_PASSWORD)

    # then
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert User.objects.get(pk=staff.pk).password == before
    assert not AuditEvent.objects.filter(action=AuditAction.SECURITY).exists()


def test_weak_new_password_is_refused(client, make_staff):
    staff = make_staff()
    client.force_login(staff)
    before = User.objects.get(pk=staff.pk).password

    response = change(client, PASSWORD, "12345678")

    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    assert User.objects.get(pk=staff.pk).password == before


def reset_link(message):
    match = re.search(r"http://testserver(/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_reset_link_by_email_sets_a_new_password(client, make_staff):
    # given
    staff = make_staff(username="meiling", email="meiling@example.com")

    # when
    response = client.post(reverse("staff:password-reset"), {"email": "meiling@example.com"})
    link = reset_link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:password-reset-done")
    assert mail.outbox[0].to == ["meiling@example.com"]
    assert "meiling" in mail.outbox[0].body
    assert done.status_code == 302
    assert done["Location"] == reverse("staff:password-reset-complete")
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.SECURITY)
    assert event.object_pk == str(staff.pk)
    assert event.message == "Password reset with an email link."


def test_reset_link_works_only_once(client, make_staff):
    make_staff(email="meiling@example.com")
    client.post(reverse("staff:password-reset"), {"email": "meiling@example.com"})
    link = reset_link(mail.outbox[0])
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = client.get(link, follow=True)

    assert response.context["validlink"] is False
    assert 'id="invalid-reset-link"' in response.content.decode()


@pytest.mark.parametrize("forged", ["uid", "token"])
def test_a_wrong_reset_token_shows_the_invalid_link_page_and_changes_nothing(
    client, make_staff, forged
):
    # given a staff member, and a reset link with a made-up token or another account's id
    staff = make_staff(email="meiling@example.com")
    uidb64 = urlsafe_base64_encode(force_bytes(staff.pk))
    token = default_token_generator.make_token(staff)
    kwargs = {"uidb64": uidb64, "token": "c0ffee-0123456789abcdef0123456789abcdef"}
    if forged == "uid":
        kwargs = {"uidb64": urlsafe_base64_encode(force_bytes(staff.pk + 1000)), "token": token}
    url = reverse("staff:password-reset-confirm", kwargs=kwargs)

    # when someone opens it and posts a new password to it
    page = client.get(url, follow=True)
    posted = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    # then both show the invalid-link page, and the password and audit log are as they were
    assert (page.status_code, posted.status_code) == (200, 200)
    assert page.context["validlink"] is False
    assert 'id="invalid-reset-link"' in page.content.decode()
    assert 'id="invalid-reset-link"' in posted.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.SECURITY).exists()


def test_unknown_email_sends_nothing_and_looks_the_same(client, make_staff):
    make_staff(email="meiling@example.com")

    response = client.post(reverse("staff:password-reset"), {"email": "stranger@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:password-reset-done")
    assert mail.outbox == []


def test_reset_email_is_written_in_the_staff_members_language(client, make_staff, monkeypatch):
    # given: the request comes in English; the staff member reads Traditional Chinese
    make_staff(email="meiling@example.com", language="zh-hant")
    languages = []
    render = auth_forms.loader.render_to_string

    def spy(*args, **kwargs):
        languages.append(translation.get_language())
        return render(*args, **kwargs)

    monkeypatch.setattr(auth_forms.loader, "render_to_string", spy)

    # when
    client.post(reverse("staff:password-reset"), {"email": "meiling@example.com"})

    # then: subject and body
    assert languages == ["zh-hant", "zh-hant"]
    assert len(mail.outbox) == 1


def test_reset_lifts_the_lockout_of_the_username(client, make_staff):
    # given
    staff = make_staff(username="meiling", email="meiling@example.com")
    for n in range(5):
        client.post(
            reverse("staff:login"),
            {"username": "meiling", "password": f"wrong-{n}"},
            REMOTE_ADDR="192.0.2.10",
        )
    assert AccessAttempt.objects.filter(username="meiling").exists()

    # when
    client.post(reverse("staff:password-reset"), {"email": "meiling@example.com"})
    set_url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = client.post(
        reverse("staff:login"),
        {"username": "meiling", "password": NEW_PASSWORD},
        REMOTE_ADDR="192.0.2.10",
    )

    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)
