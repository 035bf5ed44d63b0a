"""Sign-in and sign-out, and the audit rows they leave."""

import pytest
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the password UserFactory gives everyone


def test_right_password_signs_in_and_is_audited(client, make_staff):
    # given
    staff = make_staff(username="meiling")

    # when
    response = client.post(
        reverse("staff:login"),
        {"username": "meiling", "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(staff.pk)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.actor == staff
    assert event.ip_address == "10.1.2.3"
    assert event.object_type == "staff.user"
    assert event.object_pk == str(staff.pk)


def test_sign_in_goes_to_the_page_asked_for(client, make_staff):
    make_staff(username="meiling")

    response = client.post(
        reverse("staff:login"),
        {"username": "meiling", "password": PASSWORD, "next": reverse("staff:profile")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:profile")


def test_wrong_password_is_refused_and_audited_without_the_password(client, make_staff):
    # given
    staff = make_staff(username="meiling")

    # when
    response = client.post(
        reverse("staff:login"),
        {"username": "meiling", "password": "guessed-secret-xyz"},
        REMOTE_ADDR="10.1.2.3",
    )

    # then
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor is None
    assert event.ip_address == "10.1.2.3"
    assert event.object_repr == "meiling"
    assert event.object_pk == str(staff.pk)
    assert event.changes == {"username": "meiling"}
    stored = [
        (e.changes, e.message, e.object_repr, e.object_type) for e in AuditEvent.objects.all()
    ]
    assert "guessed-secret-xyz" not in str(stored)
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_unknown_username_is_audited_with_the_name_tried(client, db):
    client.post(reverse("staff:login"), {"username": "nobody", "password": "whatever-123"})

    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.object_repr == "nobody"
    assert event.object_pk == ""


def test_sign_out_ends_the_session_and_is_audited(client, make_staff):
    # given
    staff = make_staff()
    client.force_login(staff)

    # when
    response = client.post(reverse("staff:logout"), REMOTE_ADDR="10.9.9.9")

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:login")
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert event.actor == staff
    assert event.ip_address == "10.9.9.9"


def test_login_page_offers_password_reset(client, db):
    response = client.get(reverse("staff:login"))

    assert response.status_code == 200
    assert reverse("staff:password-reset") in response.content.decode()


def test_profile_shows_details_language_password_two_factor_and_tokens(client, make_staff, store_a):
    staff = make_staff(full_name="Chen Meiling", stores=[store_a], language="zh-hant")
    client.force_login(staff)

    response = client.get(reverse("staff:profile"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Chen Meiling" in body
    assert "Store A" in body
    assert '<option value="zh-hant" selected>' in body
    assert reverse("staff:password-change") in body
    assert reverse("staff:two-factor-setup") in body
    assert reverse("staff:api-token-create") in body


def test_profile_needs_sign_in(client, db):
    response = client.get(reverse("staff:profile"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('staff:login')}?next={reverse('staff:profile')}"


@pytest.mark.django_db
def test_language_chosen_on_the_sign_in_page_becomes_the_profile_language(
    client, make_staff, store_a
):
    staff = make_staff(stores=[store_a], username="li.na", language="en")

    client.post("/set-language/", {"language": "zh-hant", "next": "/login/"})
    client.post("/login/", {"username": "li.na", "password": "correct horse battery"})

    staff.refresh_from_db()
    assert staff.language == "zh-hant"
    response = client.get("/")
    assert response.wsgi_request.LANGUAGE_CODE == "zh-hant"


@pytest.mark.django_db
def test_the_previous_users_language_does_not_leak_to_the_next_on_a_shared_device(
    client, make_staff, store_a
):
    first = make_staff(stores=[store_a], username="first", language="zh-hans")
    second = make_staff(stores=[store_a], username="second", language="en")
    client.post("/login/", {"username": "first", "password": "correct horse battery"})
    client.post("/logout/")

    client.post("/login/", {"username": "second", "password": "correct horse battery"})

    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.language, second.language) == ("zh-hans", "en")
