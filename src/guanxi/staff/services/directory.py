"""Writes of the staff directory: stores, staff members and the organisation settings.

Only owners manage these (capabilities ``stores.manage``, ``staff.manage`` and
``organisation.manage``); every function checks the capability itself, so the pages, the API and
any future caller obey the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from guanxi.core.errors import ApplicationError
from guanxi.core.permissions import Role, require_capability
from guanxi.core.services import model_create, model_update
from guanxi.staff.models import Organisation, Store, User
from guanxi.staff.selectors import organisation_get

# --- Stores ---------------------------------------------------------------------------------------


@transaction.atomic
def store_create(
    *,
    name: str,
    code: str,
    address: str = "",
    phone: str = "",
    opening_hours: str = "",
    actor: User,
) -> Store:
    require_capability(actor, "stores.manage")
    store = Store(
        name=name.strip(),
        code=code.strip(),
        address=address.strip(),
        phone=phone.strip(),
        opening_hours=opening_hours.strip(),
    )
    return model_create(instance=store, actor=actor)


@transaction.atomic
def store_update(
    *,
    store: Store,
    actor: User,
    name: str | None = None,
    code: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    opening_hours: str | None = None,
    is_active: bool | None = None,
) -> Store:
    """Change the given fields; ``None`` leaves a field as it is."""
    require_capability(actor, "stores.manage")
    texts = {
        "name": name,
        "code": code,
        "address": address,
        "phone": phone,
        "opening_hours": opening_hours,
    }
    data: dict[str, Any] = {key: value.strip() for key, value in texts.items() if value is not None}
    if is_active is not None:
        data["is_active"] = is_active
    store, _changed = model_update(instance=store, data=data, actor=actor)
    return store


@transaction.atomic
def store_deactivate(*, store: Store, actor: User) -> Store:
    """Close a store: it leaves the pickers; its customers, staff and history stay."""
    return store_update(store=store, actor=actor, is_active=False)


@transaction.atomic
def store_activate(*, store: Store, actor: User) -> Store:
    return store_update(store=store, actor=actor, is_active=True)


# --- Staff members --------------------------------------------------------------------------------


class _PasswordSetForm(PasswordResetForm):
    """Django's password-reset e-mail, sent to one new staff member who has no password yet.

    The stock form skips users without a usable password; a new staff member is exactly that.
    """

    def __init__(self, *, user: User) -> None:
        super().__init__(data={"email": user.email})
        self.user = user

    def get_users(self, email: str) -> list[User]:
        return [self.user] if self.user.is_active and self.user.email else []

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        path = password_set_path(uidb64=context["uid"], token=context["token"])
        context["password_set_url"] = f"{context['protocol']}://{context['domain']}{path}"
        with translation.override(self.user.language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name=html_email_template_name,
            )


def password_set_path(*, uidb64: str, token: str) -> str:
    """Where a new staff member sets their password: the confirmation page of the password
    reset when the sign-in pages provide one, else the page that asks for a reset link."""
    try:
        return reverse("staff:password-reset-confirm", kwargs={"uidb64": uidb64, "token": token})
    except NoReverseMatch:
        pass
    try:
        return reverse("staff:password-reset")
    except NoReverseMatch:
        return reverse("staff:login")


def _default_domain() -> str:
    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))]
    return hosts[0] if hosts else "localhost"


def _send_password_set_email(*, user: User, domain: str, use_https: bool) -> None:
    form = _PasswordSetForm(user=user)
    if not form.is_valid():  # an address the e-mail field refuses; the model accepted it
        return
    form.save(
        domain_override=domain or _default_domain(),
        use_https=use_https,
        subject_template_name="staff/staff_welcome_subject.txt",
        email_template_name="staff/staff_welcome_email.txt",
        extra_email_context={"organisation": organisation_get().name},
    )


def _check_stores(*, role: str, stores: list[Store]) -> None:
    if role != Role.OWNER and not stores:
        raise ValidationError(
            {"stores": _("Choose at least one store: staff other than owners work in a store.")}
        )


def _other_active_owners(*, excluding: User) -> list[User]:
    """The other active owners, locked in primary-key order so that two owners demoting each
    other at the same moment cannot both succeed."""
    owners = User.objects.select_for_update().filter(role=Role.OWNER, is_active=True)
    return [owner for owner in owners.order_by("pk") if owner.pk != excluding.pk]


@transaction.atomic
def staff_create(
    *,
    username: str,
    full_name: str,
    email: str = "",
    phone: str = "",
    role: str,
    stores: Iterable[Store] = (),
    language: str = "",
    password: str | None = None,
    actor: User,
    domain: str = "",
    use_https: bool = False,
) -> User:
    """Add a staff member.

    With ``password`` the account can sign in at once (the password must pass the password
    validators). Without it the staff member receives an e-mail with a link to set a password,
    sent once the transaction has committed; ``domain`` and ``use_https`` build that link.
    """
    require_capability(actor, "staff.manage")
    store_list = list(stores)
    _check_stores(role=role, stores=store_list)
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        email=User.objects.normalize_email(email.strip()),
        phone=phone.strip(),
        role=role,
        language=language or settings.LANGUAGE_CODE,
    )
    if password:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        if not user.email:
            raise ValidationError(
                {
                    "email": _(
                        "Enter an e-mail address to send a link for setting the password, "
                        "or set an initial password."
                    )
                }
            )
        user.set_unusable_password()
    user = model_create(instance=user, actor=actor, m2m={"stores": store_list})
    if not password:
        transaction.on_commit(
            lambda: _send_password_set_email(user=user, domain=domain, use_https=use_https)
        )
    return user


def _check_owner_remains(*, user: User, actor: User, role: str, is_active: bool) -> None:
    """Refuse a change that would lock the actor out or leave the business without an owner."""
    if user.pk == actor.pk and user.is_active and not is_active:
        raise ApplicationError(_("You cannot deactivate your own account."), code="self")
    stays_owner = role == Role.OWNER and is_active
    if user.role == Role.OWNER and user.is_active and not stays_owner:
        if not _other_active_owners(excluding=user):
            raise ApplicationError(
                _("%(name)s is the last active owner; make another staff member an owner first.")
                % {"name": user},
                code="last_owner",
            )


@transaction.atomic
def staff_update(
    *,
    user: User,
    actor: User,
    full_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    role: str | None = None,
    stores: Iterable[Store] | None = None,
    language: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Change the given fields of a staff member; ``None`` leaves a field as it is."""
    require_capability(actor, "staff.manage")
    new_role = role if role is not None else user.role
    new_active = is_active if is_active is not None else user.is_active
    store_list = list(stores) if stores is not None else list(user.stores.all())
    _check_owner_remains(user=user, actor=actor, role=new_role, is_active=new_active)
    _check_stores(role=new_role, stores=store_list)
    data: dict[str, Any] = {"role": new_role, "is_active": new_active}
    if full_name is not None:
        data["full_name"] = full_name.strip()
    if email is not None:
        data["email"] = User.objects.normalize_email(email.strip())
    if phone is not None:
        data["phone"] = phone.strip()
    if language is not None:
        data["language"] = language
    user, _changed = model_update(
        instance=user,
        data=data,
        actor=actor,
        m2m={"stores": store_list} if stores is not None else None,
    )
    return user


@transaction.atomic
def staff_deactivate(*, user: User, actor: User) -> User:
    """Stop a staff member from signing in. Their customers and history stay."""
    return staff_update(user=user, actor=actor, is_active=False)


# --- The organisation -----------------------------------------------------------------------------


@transaction.atomic
def organisation_update(
    *,
    actor: User,
    name: str | None = None,
    require_two_factor: bool | None = None,
) -> Organisation:
    require_capability(actor, "organisation.manage")
    organisation = organisation_get()
    data: dict[str, Any] = {}
    if name is not None:
        data["name"] = name.strip()
    if require_two_factor is not None:
        data["require_two_factor"] = require_two_factor
    organisation, _changed = model_update(instance=organisation, data=data, actor=actor)
    return organisation
