import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import include, path
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.models import AuditEvent
from guanxi.core.permissions import Role
from guanxi.staff.models import Organisation, Store, User
from guanxi.staff.selectors import organisation_get
from guanxi.staff.services.directory import (
    organisation_update,
    staff_create,
    staff_deactivate,
    staff_update,
    store_activate,
    store_create,
    store_deactivate,
    store_update,
)

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "plum blossom 2024 tea"


def _page(request, **kwargs):
    return HttpResponse()


# URL configurations for the password-set link: the sign-in pages may or may not provide the
# reset confirmation page; the link follows whichever exists.
urlpatterns_with_confirm = [
    path(
        "",
        include(
            (
                [
                    path("login/", _page, name="login"),
                    path("password/reset/", _page, name="password-reset"),
                    path("reset/<uidb64>/<token>/", _page, name="password-reset-confirm"),
                ],
                "staff",
            )
        ),
    )
]
urlpatterns_without_confirm = [
    path(
        "",
        include(
            (
                [
                    path("login/", _page, name="login"),
                    path("password/reset/", _page, name="password-reset"),
                ],
                "staff",
            )
        ),
    )
]


class WithConfirmUrls:
    urlpatterns = urlpatterns_with_confirm


class WithoutConfirmUrls:
    urlpatterns = urlpatterns_without_confirm


def audit_rows(obj, action):
    return list(
        AuditEvent.objects.filter(
            object_type=f"{obj._meta.app_label}.{obj._meta.model_name}",
            object_pk=str(obj.pk),
            action=action,
        )
    )


@pytest.fixture
def manager_a(make_staff, store_a):
    return make_staff(role=Role.STORE_MANAGER, stores=[store_a], username="manager_a")


# --- Stores ---------------------------------------------------------------------------------------


def test_store_create_saves_the_store_and_audits_it(owner):
    # when
    store = store_create(
        name=" Jing'an ",
        code="sh02",
        address="88 Huashan Road",
        phone="+862162223333",
        opening_hours="Mon–Sun 10:00–22:00",
        actor=owner,
    )

    # then
    store.refresh_from_db()
    assert (store.name, store.code, store.address, store.phone, store.opening_hours) == (
        "Jing'an",
        "sh02",
        "88 Huashan Road",
        "+862162223333",
        "Mon–Sun 10:00–22:00",
    )
    assert store.is_active is True
    [event] = audit_rows(store, AuditAction.CREATE)
    assert event.actor == owner
    assert event.store_id == store.pk
    assert event.changes == {
        "name": [None, "Jing'an"],
        "code": [None, "sh02"],
        "address": [None, "88 Huashan Road"],
        "phone": [None, "+862162223333"],
        "opening_hours": [None, "Mon–Sun 10:00–22:00"],
        "is_active": [None, True],
    }


def test_store_create_refuses_a_code_in_use(owner, store_a):
    with pytest.raises(ValidationError) as error:
        store_create(name="Another", code="a01", actor=owner)

    assert list(error.value.message_dict) == ["code"]
    assert Store.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_store_create_is_for_owners_only(manager_a):
    with pytest.raises(PermissionDenied):
        store_create(name="Pudong", code="sh03", actor=manager_a)

    assert not Store.objects.filter(code="sh03").exists()
    assert not AuditEvent.objects.exists()


def test_store_update_changes_only_the_given_fields(owner, store_a):
    store_update(store=store_a, actor=owner, phone="+862100001111", address=None)

    store_a.refresh_from_db()
    assert store_a.phone == "+862100001111"
    assert store_a.address == "1 Nanjing Road, Shanghai"
    [event] = audit_rows(store_a, AuditAction.UPDATE)
    assert event.changes == {"phone": ["+862112345678", "+862100001111"]}


def test_store_update_by_a_store_manager_changes_nothing(manager_a, store_a):
    with pytest.raises(PermissionDenied):
        store_update(store=store_a, actor=manager_a, name="Renamed")

    store_a.refresh_from_db()
    assert store_a.name == "Store A"
    assert audit_rows(store_a, AuditAction.UPDATE) == []


def test_store_deactivate_then_activate(owner, store_a):
    store_deactivate(store=store_a, actor=owner)
    store_a.refresh_from_db()
    assert store_a.is_active is False

    store_activate(store=store_a, actor=owner)
    store_a.refresh_from_db()
    assert store_a.is_active is True

    changes = [e.changes for e in reversed(audit_rows(store_a, AuditAction.UPDATE))]
    assert changes == [{"is_active": [True, False]}, {"is_active": [False, True]}]


def test_store_deactivate_twice_audits_once(owner, store_a):
    store_deactivate(store=store_a, actor=owner)
    store_deactivate(store=store_a, actor=owner)

    assert len(audit_rows(store_a, AuditAction.UPDATE)) == 1


# --- Staff: creation ------------------------------------------------------------------------------


def test_staff_create_with_a_password_can_sign_in_at_once(owner, store_a, store_b):
    # when
    user = staff_create(
        username="wang.fang",
        full_name="Wang Fang",
        email="Wang.Fang@EXAMPLE.com",
        phone="13800138000",
        role=Role.SALES,
        stores=[store_a, store_b],
        language="zh-hans",
        password=STRONG_PASSWORD,
        actor=owner,
    )

    # then
    user.refresh_from_db()
    assert (user.username, user.full_name, user.email, user.phone, user.role, user.language) == (
        "wang.fang",
        "Wang Fang",
        "Wang.Fang@example.com",
        "13800138000",
        "sales",
        "zh-hans",
    )
    assert sorted(user.stores.values_list("code", flat=True)) == ["a01", "b01"]
    assert user.check_password(STRONG_PASSWORD)
    [event] = audit_rows(user, AuditAction.CREATE)
    assert event.actor == owner
    assert event.changes["stores"] == [None, sorted([store_a.pk, store_b.pk])]
    assert event.changes["password"] == [None, "••••••"]
    assert STRONG_PASSWORD not in str(event.changes)
    assert mail.outbox == []


def test_staff_create_refuses_a_weak_password(owner, store_a):
    with pytest.raises(ValidationError) as error:
        staff_create(
            username="weak",
            full_name="Weak Password",
            role=Role.SALES,
            stores=[store_a],
            password="12345678",
            actor=owner,
        )

    assert list(error.value.message_dict) == ["password"]
    assert "This password is too common." in error.value.message_dict["password"]
    assert not User.objects.filter(username="weak").exists()


def test_staff_create_refuses_a_non_owner_without_a_store(owner):
    with pytest.raises(ValidationError) as error:
        staff_create(
            username="nostore",
            full_name="No Store",
            role=Role.STORE_MANAGER,
            stores=[],
            password=STRONG_PASSWORD,
            actor=owner,
        )

    assert error.value.message_dict == {
        "stores": ["Choose at least one store: staff other than owners work in a store."]
    }
    assert not User.objects.filter(username="nostore").exists()
    assert not AuditEvent.objects.exists()


def test_staff_create_an_owner_needs_no_store(owner):
    user = staff_create(
        username="owner2",
        full_name="Second Owner",
        role=Role.OWNER,
        password=STRONG_PASSWORD,
        actor=owner,
    )

    assert user.role == Role.OWNER
    assert list(user.stores.all()) == []


def test_staff_create_refuses_a_username_in_use(owner, store_a, make_staff):
    make_staff(username="taken", stores=[store_a])

    with pytest.raises(ValidationError) as error:
        staff_create(
            username="taken",
            full_name="Taken",
            role=Role.SALES,
            stores=[store_a],
            password=STRONG_PASSWORD,
            actor=owner,
        )

    assert list(error.value.message_dict) == ["username"]
    assert User.objects.filter(username="taken").count() == 1


def test_staff_create_is_for_owners_only(manager_a, store_a):
    with pytest.raises(PermissionDenied):
        staff_create(
            username="sneaky",
            full_name="Sneaky",
            role=Role.SALES,
            stores=[store_a],
            password=STRONG_PASSWORD,
            actor=manager_a,
        )

    assert not User.objects.filter(username="sneaky").exists()


def test_staff_create_without_password_or_email_is_refused(owner, store_a):
    with pytest.raises(ValidationError) as error:
        staff_create(
            username="nomail", full_name="No Mail", role=Role.SALES, stores=[store_a], actor=owner
        )

    assert list(error.value.message_dict) == ["email"]
    assert not User.objects.filter(username="nomail").exists()


@pytest.mark.urls.with_args(WithConfirmUrls)
def test_staff_create_without_password_emails_a_password_set_link(
    owner, store_a, django_capture_on_commit_callbacks
):
    # given
    Organisation.objects.create(pk=1, name="Lotus Beauty")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        user = staff_create(
            username="li.na",
            full_name="Li Na",
            email="li.na@example.com",
            role=Role.SALES,
            stores=[store_a],
            actor=owner,
            domain="crm.example.com",
            use_https=True,
        )

    # then
    user.refresh_from_db()
    assert user.has_usable_password() is False
    [message] = mail.outbox
    assert message.to == ["li.na@example.com"]
    assert message.subject == "Your Guanxi account at Lotus Beauty"
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    [link] = [line for line in message.body.splitlines() if line.startswith("https://")]
    prefix = f"https://crm.example.com/reset/{uid}/"
    assert link.startswith(prefix)
    token = link.removeprefix(prefix).rstrip("/")
    assert default_token_generator.check_token(user, token)
    assert "Your username is: li.na" in message.body


@pytest.mark.urls.with_args(WithoutConfirmUrls)
def test_password_set_link_falls_back_to_the_reset_page(
    owner, store_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_create(
            username="zhao.lei",
            full_name="Zhao Lei",
            email="zhao.lei@example.com",
            role=Role.SALES,
            stores=[store_a],
            actor=owner,
            domain="crm.example.com",
        )

    [message] = mail.outbox
    assert "http://crm.example.com/password/reset/\n" in message.body


def test_password_set_email_is_not_sent_when_the_transaction_rolls_back(
    owner, store_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        staff_create(
            username="rolled.back",
            full_name="Rolled Back",
            email="rb@example.com",
            role=Role.SALES,
            stores=[store_a],
            actor=owner,
        )

    assert len(callbacks) == 1
    assert mail.outbox == []


# --- Staff: changes -------------------------------------------------------------------------------


def test_staff_update_changes_role_and_stores_and_audits_them(owner, store_a, store_b, make_staff):
    # given
    user = make_staff(role=Role.SALES, stores=[store_a])

    # when
    staff_update(user=user, actor=owner, role=Role.STORE_MANAGER, stores=[store_b])

    # then
    user.refresh_from_db()
    assert user.role == Role.STORE_MANAGER
    assert list(user.stores.all()) == [store_b]
    [event] = audit_rows(user, AuditAction.UPDATE)
    assert event.changes == {
        "role": ["sales", "store_manager"],
        "stores": [[store_a.pk], [store_b.pk]],
    }


def test_staff_update_refuses_to_leave_a_non_owner_without_store(owner, store_a, make_staff):
    user = make_staff(role=Role.SALES, stores=[store_a])

    with pytest.raises(ValidationError) as error:
        staff_update(user=user, actor=owner, stores=[])

    assert list(error.value.message_dict) == ["stores"]
    assert list(user.stores.all()) == [store_a]
    assert audit_rows(user, AuditAction.UPDATE) == []


def test_staff_update_reactivates(owner, store_a, make_staff):
    user = make_staff(stores=[store_a], is_active=False)

    staff_update(user=user, actor=owner, is_active=True)

    user.refresh_from_db()
    assert user.is_active is True


def test_staff_update_by_a_store_manager_changes_nothing(manager_a, store_a, make_staff):
    user = make_staff(role=Role.SALES, stores=[store_a])

    with pytest.raises(PermissionDenied):
        staff_update(user=user, actor=manager_a, role=Role.STORE_MANAGER)

    user.refresh_from_db()
    assert user.role == Role.SALES


def test_the_last_active_owner_cannot_step_down(owner, make_staff):
    # given: another owner, but inactive
    make_staff(role=Role.OWNER, is_active=False)

    # when
    with pytest.raises(ApplicationError) as error:
        staff_update(user=owner, actor=owner, role=Role.STORE_MANAGER)

    # then
    assert error.value.code == "last_owner"
    assert error.value.message == (
        f"{owner.full_name} is the last active owner; make another staff member an owner first."
    )
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert audit_rows(owner, AuditAction.UPDATE) == []


def test_an_owner_may_step_down_when_another_owner_remains(owner, store_a, make_staff):
    make_staff(role=Role.OWNER)

    staff_update(user=owner, actor=owner, role=Role.STORE_MANAGER, stores=[store_a])

    owner.refresh_from_db()
    assert owner.role == Role.STORE_MANAGER


def test_staff_deactivate(owner, store_a, make_staff):
    user = make_staff(stores=[store_a])

    staff_deactivate(user=user, actor=owner)

    user.refresh_from_db()
    assert user.is_active is False
    [event] = audit_rows(user, AuditAction.UPDATE)
    assert event.changes == {"is_active": [True, False]}


def test_staff_deactivate_another_owner(owner, make_staff):
    other_owner = make_staff(role=Role.OWNER)

    staff_deactivate(user=other_owner, actor=owner)

    other_owner.refresh_from_db()
    assert other_owner.is_active is False


def test_nobody_can_deactivate_themselves(owner, make_staff):
    make_staff(role=Role.OWNER)

    with pytest.raises(ApplicationError) as error:
        staff_deactivate(user=owner, actor=owner)

    assert error.value.code == "self"
    assert error.value.message == "You cannot deactivate your own account."
    owner.refresh_from_db()
    assert owner.is_active is True
    assert audit_rows(owner, AuditAction.UPDATE) == []


def test_staff_deactivate_by_a_store_manager_changes_nothing(manager_a, store_a, make_staff):
    user = make_staff(stores=[store_a])

    with pytest.raises(PermissionDenied):
        staff_deactivate(user=user, actor=manager_a)

    user.refresh_from_db()
    assert user.is_active is True


# --- The organisation -----------------------------------------------------------------------------


def test_organisation_update_saves_and_audits(owner):
    organisation_get()

    organisation = organisation_update(
        actor=owner, name="Lotus Beauty Group", require_two_factor=True
    )

    organisation.refresh_from_db()
    assert (organisation.name, organisation.require_two_factor) == ("Lotus Beauty Group", True)
    [event] = audit_rows(organisation, AuditAction.UPDATE)
    assert event.changes == {
        "name": ["Guanxi", "Lotus Beauty Group"],
        "require_two_factor": [False, True],
    }


def test_organisation_update_by_a_store_manager_changes_nothing(manager_a):
    organisation_get()

    with pytest.raises(PermissionDenied):
        organisation_update(actor=manager_a, name="Taken Over")

    assert Organisation.objects.get().name == "Guanxi"
