"""Lockout after repeated wrong passwords, per username and IP address (django-axes).

A whole store shares one IP address, so a lockout must stop only the username being guessed,
from the address guessing it.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse

from guanxi.core.choices import AuditAction
from guanxi.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
STORE_IP = "192.0.2.10"
HOME_IP = "198.51.100.7"


def sign_in(client, username, password, ip):
    return client.post(
        reverse("staff:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail_five_times(client, username, ip):
    return [sign_in(client, username, f"wrong-{n}", ip) for n in range(5)]


def test_five_wrong_passwords_lock_the_user_at_that_address(client, make_staff):
    # given
    make_staff(username="meiling")

    # when
    responses = fail_five_times(client, "meiling", STORE_IP)
    sixth = sign_in(client, "meiling", PASSWORD, STORE_IP)

    # then
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert sixth.status_code == 429
    assert "_auth_user_id" not in client.session
    body = sixth.content.decode()
    assert 'id="locked-out"' in body
    assert "Try again in 15 minutes." in body
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


@override_settings(AXES_COOLOFF_TIME=timedelta(minutes=1))
def test_lockout_page_says_when_to_try_again(client, make_staff):
    make_staff(username="meiling")

    response = fail_five_times(client, "meiling", STORE_IP)[-1]

    assert "Try again in 1 minute." in response.content.decode()


def test_lockout_is_audited_with_username_and_address(client, make_staff):
    staff = make_staff(username="meiling")

    fail_five_times(client, "meiling", STORE_IP)

    event = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert event.ip_address == STORE_IP
    assert event.object_repr == "meiling"
    assert event.object_pk == str(staff.pk)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 5


def test_another_user_at_the_same_address_still_signs_in(client, make_staff):
    # given
    make_staff(username="meiling")
    colleague = make_staff(username="xiaowen")
    fail_five_times(client, "meiling", STORE_IP)

    # when
    response = sign_in(client, "xiaowen", PASSWORD, STORE_IP)

    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_the_same_user_from_another_address_still_signs_in(client, make_staff):
    # given
    staff = make_staff(username="meiling")
    fail_five_times(client, "meiling", STORE_IP)

    # when
    response = sign_in(client, "meiling", PASSWORD, HOME_IP)

    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert AccessAttempt.objects.filter(username="meiling", ip_address=STORE_IP).exists()


def test_four_wrong_passwords_do_not_lock(client, make_staff):
    staff = make_staff(username="meiling")
    for n in range(4):
        sign_in(client, "meiling", f"wrong-{n}", STORE_IP)

    response = sign_in(client, "meiling", PASSWORD, STORE_IP)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert not AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).exists()
