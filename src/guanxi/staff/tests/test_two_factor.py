"""Two-factor sign-in: set-up with a QR code, the second sign-in step, backup codes, turning it
off, who is made to use it, and an owner's reset of a staff member's two-factor sign-in."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.staff.models import Organisation
from guanxi.staff.services.account import staff_two_factor_reset

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def code_for(device):
    """The code the staff member's authenticator app shows right now."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def wrong_code_for(device):
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def backup_codes(user, *codes):
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def require_two_factor(required=True):
    Organisation.objects.update_or_create(
        pk=1, defaults={"name": "Guanxi", "require_two_factor": required}
    )


def verify(client, code, next_url=""):
    return client.post(reverse("staff:two-factor-verify"), {"code": code, "next": next_url})


# --- Set-up -------------------------------------------------------------------------------------


def test_setup_page_shows_an_inline_qr_code_and_the_secret(client, make_staff):
    # given
    staff = make_staff()
    client.force_login(staff)

    # when
    response = client.get(reverse("staff:two-factor-setup"))

    # then
    body = response.content.decode()
    device = TOTPDevice.objects.get(user=staff)
    assert response.status_code == 200
    assert device.confirmed is False
    qr = re.search(r'<div[^>]*id="two-factor-qr"[^>]*>(.*?)</div>', body, re.S).group(1)
    assert qr.strip().startswith("<svg")
    assert "<img" not in qr
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', body).group(1)
    assert secret.replace(" ", "") in device.config_url


def test_reloading_setup_keeps_the_same_secret(client, make_staff):
    staff = make_staff()
    client.force_login(staff)

    client.get(reverse("staff:two-factor-setup"))
    client.get(reverse("staff:two-factor-setup"))

    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_setup_confirmed_with_a_valid_code_turns_two_factor_on(client, make_staff):
    # given
    staff = make_staff()
    client.force_login(staff)
    client.get(reverse("staff:two-factor-setup"))
    device = TOTPDevice.objects.get(user=staff)

    # when
    response = client.post(reverse("staff:two-factor-setup"), {"code": code_for(device)})

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:two-factor-backup-codes")
    device.refresh_from_db()
    assert device.confirmed is True
    assert StaticToken.objects.filter(device__user=staff).count() == 10
    event = AuditEvent.objects.get(action=AuditAction.SECURITY)
    assert event.actor == staff
    assert event.message == "Two-factor sign-in turned on."
    # this session counts as verified: the profile opens without another code
    assert client.get(reverse("staff:profile")).status_code == 200


def test_backup_codes_are_shown_once_after_setup(client, make_staff):
    # given
    staff = make_staff()
    client.force_login(staff)
    client.get(reverse("staff:two-factor-setup"))
    device = TOTPDevice.objects.get(user=staff)
    client.post(reverse("staff:two-factor-setup"), {"code": code_for(device)})
    stored = sorted(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))

    # when
    first = client.get(reverse("staff:two-factor-backup-codes")).content.decode()
    second = client.get(reverse("staff:two-factor-backup-codes")).content.decode()

    # then
    shown = re.findall(r'<span class="d-block[^"]*">([a-z2-7]{8})</span>', first)
    assert sorted(shown) == stored
    assert not any(code in second for code in stored)
    assert "You have 10 unused backup codes." in second


def test_setup_with_a_wrong_code_is_refused(client, make_staff):
    # given
    staff = make_staff()
    client.force_login(staff)
    client.get(reverse("staff:two-factor-setup"))
    device = TOTPDevice.objects.get(user=staff)

    # when
    response = client.post(reverse("staff:two-factor-setup"), {"code": wrong_code_for(device)})

    # then
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["That code is not valid. Try again."]
    device.refresh_from_db()
    assert device.confirmed is False
    assert not StaticDevice.objects.filter(user=staff).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SECURITY).exists()


# --- The second sign-in step ----------------------------------------------------------------------


def test_password_sign_in_with_a_device_goes_to_the_code_step(client, make_staff):
    # given
    staff = make_staff(username="meiling")
    confirmed_device(staff)

    # when
    response = client.post(
        reverse("staff:login"),
        {"username": "meiling", "password": PASSWORD, "next": reverse("staff:profile")},
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('staff:two-factor-verify')}?next=%2Fprofile%2F"


def test_nothing_else_opens_before_the_code_step(client, make_staff):
    # given
    staff = make_staff()
    confirmed_device(staff)
    client.force_login(staff)

    # when
    response = client.get(reverse("staff:profile"))

    # then
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('staff:two-factor-verify')}?next=%2Fprofile%2F"


def test_valid_code_completes_sign_in(client, make_staff):
    # given
    staff = make_staff()
    device = confirmed_device(staff)
    client.force_login(staff)

    # when
    response = verify(client, code_for(device), next_url=reverse("staff:profile"))

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:profile")
    assert client.get(reverse("staff:profile")).status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN, message="Two-factor code accepted."
    ).exists()


def test_wrong_code_is_refused_and_audited(client, make_staff):
    # given
    staff = make_staff()
    device = confirmed_device(staff)
    client.force_login(staff)

    # when
    response = verify(client, wrong_code_for(device))

    # then
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["That code is not valid. Try again."]
    assert client.get(reverse("staff:profile")).status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor == staff
    assert event.message == "Wrong two-factor code."


def test_codes_right_after_wrong_ones_are_throttled(client, make_staff):
    # given: ten wrong codes in a row just now; the wait doubles with each (2 ** 9 seconds)
    staff = make_staff()
    device = confirmed_device(staff)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    client.force_login(staff)

    # when: the right code, but within the wait
    response = verify(client, code_for(device))

    # then
    assert response.status_code == 200
    [error] = response.context["form"].errors["code"]
    assert re.fullmatch(r"Too many wrong codes\. Wait 5\d\d seconds and try again\.", error)
    assert client.get(reverse("staff:profile")).status_code == 302


def test_a_wrong_code_makes_the_next_try_wait(client, make_staff):
    staff = make_staff()
    device = confirmed_device(staff)
    client.force_login(staff)

    verify(client, wrong_code_for(device))

    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_next_pointing_elsewhere_is_ignored(client, make_staff):
    staff = make_staff()
    device = confirmed_device(staff)
    client.force_login(staff)

    response = verify(client, code_for(device), next_url="https://evil.example.com/")

    assert response["Location"] == reverse("core:home")


def test_a_backup_code_signs_in_once(client, make_staff):
    # given
    staff = make_staff()
    confirmed_device(staff)
    backup_codes(staff, "abcd2345", "efgh6723")
    client.force_login(staff)

    # when
    response = verify(client, "ABCD 2345")

    # then
    assert response.status_code == 302
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh6723"]


def test_a_used_backup_code_is_refused(client, make_staff):
    staff = make_staff()
    confirmed_device(staff)
    backup_codes(staff, "efgh6723")
    client.force_login(staff)

    response = verify(client, "abcd2345")

    assert response.status_code == 200
    assert client.get(reverse("staff:profile")).status_code == 302
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh6723"]


def test_api_request_before_the_code_step_gets_the_error_shape(client, make_staff):
    staff = make_staff()
    confirmed_device(staff)
    client.force_login(staff)

    response = client.get("/api/v1/")

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "two_factor_required",
            "message": "Two-factor sign-in is required.",
            "fields": {},
        }
    }


def test_htmx_request_before_the_code_step_redirects_the_whole_page(client, make_staff):
    staff = make_staff()
    confirmed_device(staff)
    client.force_login(staff)

    response = client.get(reverse("staff:profile"), HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('staff:two-factor-verify')}?next=%2Fprofile%2F"


def test_sign_out_is_possible_before_the_code_step(client, make_staff):
    staff = make_staff()
    confirmed_device(staff)
    client.force_login(staff)

    response = client.post(reverse("staff:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- Who must use it ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected_location"),
    [
        pytest.param(Role.OWNER, "/two-factor/setup/", id="owner_case"),
        pytest.param(Role.STORE_MANAGER, "/two-factor/setup/", id="store_manager_case"),
        pytest.param(Role.SALES, None, id="sales_case"),
        pytest.param(Role.SERVICE_AGENT, None, id="service_agent_case"),
        pytest.param(Role.MARKETER, None, id="marketer_case"),
    ],
)
def test_required_roles_without_a_device_are_sent_to_setup(
    client, make_staff, role, expected_location
):
    # given
    require_two_factor()
    client.force_login(make_staff(role=role))

    # when
    response = client.get(reverse("staff:profile"))

    # then
    if expected_location is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == expected_location


def test_owner_is_not_forced_when_the_organisation_does_not_require_it(client, make_staff):
    require_two_factor(required=False)
    client.force_login(make_staff(role=Role.OWNER))

    response = client.get(reverse("staff:profile"))

    assert response.status_code == 200


def test_setup_page_says_it_is_required(client, make_staff):
    require_two_factor()
    client.force_login(make_staff(role=Role.OWNER))

    response = client.get(reverse("staff:two-factor-setup"))

    assert response.status_code == 200
    assert response.context["required"] is True


def test_setup_cannot_replace_a_device_before_the_code_step(client, make_staff):
    # given: someone who knows only the password
    staff = make_staff()
    device = confirmed_device(staff)
    client.force_login(staff)

    # when
    response = client.get(reverse("staff:two-factor-setup"))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:two-factor-verify"))
    assert list(TOTPDevice.objects.filter(user=staff)) == [device]


# --- Backup codes and turning it off --------------------------------------------------------------


def sign_in_with_code(client, staff, device):
    client.force_login(staff)
    assert verify(client, code_for(device)).status_code == 302


def test_new_backup_codes_replace_the_old_ones(client, make_staff):
    # given
    staff = make_staff()
    device = confirmed_device(staff)
    backup_codes(staff, "abcd2345")
    sign_in_with_code(client, staff, device)

    # when
    response = client.post(reverse("staff:two-factor-backup-codes"))

    # then
    assert response.status_code == 302
    tokens = list(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert len(tokens) == 10
    assert "abcd2345" not in tokens
    assert AuditEvent.objects.filter(
        action=AuditAction.SECURITY, message="New two-factor backup codes generated."
    ).exists()


def test_backup_codes_need_the_code_step_first(client, make_staff):
    # given: someone who knows only the password
    staff = make_staff()
    confirmed_device(staff)
    backup_codes(staff, "abcd2345")
    client.force_login(staff)

    # when
    response = client.post(reverse("staff:two-factor-backup-codes"))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:two-factor-verify"))
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["abcd2345"]


def test_turning_off_needs_a_current_code(client, make_staff):
    # given
    staff = make_staff()
    device = confirmed_device(staff)
    backup_codes(staff, "abcd2345")
    sign_in_with_code(client, staff, device)

    # when
    wrong = client.post(reverse("staff:two-factor-disable"), {"code": "000000"})

    # then
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["code"] == ["That code is not valid. Try again."]
    assert TOTPDevice.objects.filter(user=staff).count() == 1
    assert StaticToken.objects.count() == 1


def test_turning_off_with_a_current_code_removes_devices_and_backup_codes(client, make_staff):
    # given
    staff = make_staff()
    device = confirmed_device(staff)
    backup_codes(staff, "abcd2345")
    sign_in_with_code(client, staff, device)

    # when
    response = client.post(reverse("staff:two-factor-disable"), {"code": "abcd2345"})

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:profile")
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.SECURITY, message="Two-factor sign-in turned off."
    ).exists()
    assert client.get(reverse("staff:profile")).status_code == 200


def test_a_required_owner_who_turns_it_off_is_sent_to_setup_again(client, make_staff):
    require_two_factor()
    owner = make_staff(role=Role.OWNER)
    device = confirmed_device(owner)
    backup_codes(owner, "abcd2345")
    sign_in_with_code(client, owner, device)

    client.post(reverse("staff:two-factor-disable"), {"code": "abcd2345"})
    response = client.get(reverse("staff:profile"))

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:two-factor-setup")


def test_profile_shows_two_factor_on_with_links(client, make_staff):
    staff = make_staff()
    device = confirmed_device(staff)
    backup_codes(staff, "abcd2345", "efgh6723")
    sign_in_with_code(client, staff, device)

    body = client.get(reverse("staff:profile")).content.decode()

    assert "2 backup codes left." in body
    assert reverse("staff:two-factor-disable") in body
    assert reverse("staff:two-factor-backup-codes") in body
    assert reverse("staff:two-factor-setup") not in body


# --- An owner resets a staff member's two-factor sign-in (a lost phone) -------------------------


def devices_of(user):
    return (
        TOTPDevice.objects.filter(user=user).count(),
        StaticDevice.objects.filter(user=user).count(),
    )


def test_owner_resets_a_staff_members_two_factor_sign_in(make_staff, owner, store_a):
    # given a sales member with an authenticator, a half set-up one and backup codes
    staff = make_staff(stores=[store_a], full_name="Li Na")
    confirmed_device(staff)
    TOTPDevice.objects.create(user=staff, name="Authenticator app", confirmed=False)
    backup_codes(staff, "abcd2345")
    others = make_staff(stores=[store_a])
    confirmed_device(others)

    # when
    staff_two_factor_reset(staff=staff, actor=owner)

    # then every device of theirs is gone, nobody else's, and the reset is audited
    assert devices_of(staff) == (0, 0)
    assert devices_of(others) == (1, 0)
    event = AuditEvent.objects.get(action=AuditAction.SECURITY)
    assert (event.actor_id, event.object_pk, event.message) == (
        owner.pk,
        str(staff.pk),
        "Two-factor sign-in reset by an owner.",
    )


def test_after_a_reset_the_staff_member_signs_in_with_the_password_alone(client, make_staff, owner):
    staff = make_staff(username="meiling")
    confirmed_device(staff)
    staff_two_factor_reset(staff=staff, actor=owner)

    response = client.post(
        reverse("staff:login"),
        {"username": "meiling", "password": PASSWORD, "next": reverse("staff:profile")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:profile")


@pytest.mark.parametrize("role", [Role.STORE_MANAGER, Role.SALES])
def test_only_owners_reset_two_factor_sign_in(make_staff, store_a, role):
    staff = make_staff(stores=[store_a])
    confirmed_device(staff)
    backup_codes(staff, "abcd2345")
    actor = make_staff(role=role, stores=[store_a])

    with pytest.raises(PermissionDenied):
        staff_two_factor_reset(staff=staff, actor=actor)

    assert devices_of(staff) == (1, 1)
    assert not AuditEvent.objects.filter(action=AuditAction.SECURITY).exists()


def test_an_owner_does_not_reset_their_own_two_factor_sign_in(owner):
    confirmed_device(owner)

    with pytest.raises(ApplicationError) as refused:
        staff_two_factor_reset(staff=owner, actor=owner)

    assert (refused.value.code, refused.value.message) == (
        "self",
        "Turn off your own two-factor sign-in on your profile page.",
    )
    assert devices_of(owner) == (1, 0)
    assert not AuditEvent.objects.filter(action=AuditAction.SECURITY).exists()


def test_resetting_without_two_factor_sign_in_is_refused(make_staff, owner):
    staff = make_staff(full_name="Li Na")

    with pytest.raises(ApplicationError) as refused:
        staff_two_factor_reset(staff=staff, actor=owner)

    assert refused.value.message == "Li Na has no two-factor sign-in to reset."
    assert not AuditEvent.objects.filter(action=AuditAction.SECURITY).exists()


def test_staff_detail_offers_owners_the_reset_in_a_confirmation_dialog(
    client, make_staff, owner, store_a
):
    staff = make_staff(stores=[store_a])
    confirmed_device(staff)
    client.force_login(owner)

    body = client.get(reverse("staff:staff-detail", args=[staff.pk])).content.decode()

    reset_url = reverse("staff:staff-two-factor-reset", args=[staff.pk])
    assert 'data-two-factor="on"' in body
    assert 'data-bs-target="#two-factor-reset-dialog"' in body
    assert f'<form class="modal-content" method="post" action="{reset_url}">' in body


def test_staff_detail_offers_no_reset_without_a_device_or_to_store_managers(
    client, make_staff, owner, store_a
):
    without = make_staff(stores=[store_a])
    with_device = make_staff(stores=[store_a])
    confirmed_device(with_device)
    manager = make_staff(role=Role.STORE_MANAGER, stores=[store_a])

    client.force_login(owner)
    owner_body = client.get(reverse("staff:staff-detail", args=[without.pk])).content.decode()
    client.force_login(manager)
    manager_body = client.get(reverse("staff:staff-detail", args=[with_device.pk])).content.decode()

    assert 'data-two-factor="off"' in owner_body
    assert "two-factor-reset-dialog" not in owner_body
    assert 'data-two-factor="on"' in manager_body
    assert "two-factor-reset-dialog" not in manager_body


def test_reset_button_posts_and_returns_to_the_staff_member(client, make_staff, owner, store_a):
    staff = make_staff(stores=[store_a], full_name="Li Na")
    confirmed_device(staff)
    backup_codes(staff, "abcd2345")
    client.force_login(owner)

    response = client.post(reverse("staff:staff-two-factor-reset", args=[staff.pk]), follow=True)

    assert response.redirect_chain == [(reverse("staff:staff-detail", args=[staff.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Two-factor sign-in of Li Na was reset; they sign in with their password."
    ]
    assert devices_of(staff) == (0, 0)


def test_reset_of_someone_without_a_device_shows_the_refusal(client, make_staff, owner):
    staff = make_staff(full_name="Li Na")
    client.force_login(owner)

    response = client.post(reverse("staff:staff-two-factor-reset", args=[staff.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Li Na has no two-factor sign-in to reset."
    ]
    assert not AuditEvent.objects.filter(action=AuditAction.SECURITY).exists()


def test_reset_page_is_post_only(client, make_staff, owner):
    staff = make_staff()
    confirmed_device(staff)
    client.force_login(owner)

    response = client.get(reverse("staff:staff-two-factor-reset", args=[staff.pk]))

    assert response.status_code == 405
    assert devices_of(staff) == (1, 0)


def test_reset_is_forbidden_to_a_store_manager_of_the_store_and_audited(
    client, make_staff, store_a
):
    staff = make_staff(stores=[store_a])
    confirmed_device(staff)
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[store_a]))

    response = client.post(reverse("staff:staff-two-factor-reset", args=[staff.pk]))

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 1
    assert devices_of(staff) == (1, 0)


def test_reset_of_another_stores_staff_member_is_not_found(client, make_staff, store_a, store_b):
    staff = make_staff(stores=[store_b])
    confirmed_device(staff)
    client.force_login(make_staff(role=Role.STORE_MANAGER, stores=[store_a]))

    response = client.post(reverse("staff:staff-two-factor-reset", args=[staff.pk]))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).exists()
    assert devices_of(staff) == (1, 0)
