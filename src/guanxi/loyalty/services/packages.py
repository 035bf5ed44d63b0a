"""Service packages: sell a number of sessions, consume them one visit at a time."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.loyalty.choices import AccountKind, TransactionKind
from guanxi.loyalty.models import LedgerAccount, MemberCard, PackageSessionUse, ServicePackage
from guanxi.loyalty.services.cards import card_require_usable
from guanxi.loyalty.services.ledger import counter_account, ledger_post


@transaction.atomic
def package_sell(
    *,
    card: MemberCard,
    service_name: str,
    sessions: int,
    valid_until: datetime.date,
    actor: Any,
    service_id: int | None = None,
    reference: str = "",
) -> ServicePackage:
    """Sell a package: its own sessions account, credited from the store's "sold" account."""
    card = card_require_usable(card)
    if not isinstance(sessions, int) or sessions <= 0:
        raise ApplicationError(_("A package has at least one session."), code="invalid_sessions")
    if valid_until < timezone.localdate():
        raise ApplicationError(_("The package would already be expired."), code="expired")
    membership = card.membership
    account = LedgerAccount.objects.create(
        store_id=membership.store_id, membership=membership, kind=AccountKind.PACKAGE_SESSIONS
    )
    package = ServicePackage(
        membership=membership,
        account=account,
        service_name=service_name,
        service_id=service_id,
        sessions_total=sessions,
        valid_until=valid_until,
    )
    package.full_clean()
    package.save()
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=package,
        changes={"service_name": [None, service_name], "sessions_total": [None, sessions]},
    )
    sold = counter_account(store_id=membership.store_id, kind=AccountKind.PACKAGE_SESSIONS_SOLD)
    ledger_post(
        kind=TransactionKind.PACKAGE_SALE,
        legs=[(sold, -sessions), (account, sessions)],
        actor=actor,
        memo=service_name,
        reference=reference,
    )
    return package


@transaction.atomic
def package_session_consume(
    *, package: ServicePackage, beautician: Any, visit: str, actor: Any
) -> PackageSessionUse:
    """Use one session; refused after the package's last valid day or when none are left."""
    package = ServicePackage.objects.select_related("account").get(pk=package.pk)
    card = package.membership.cards.exclude(status="replaced").first()
    if card is not None:
        card_require_usable(card)
    if package.valid_until < timezone.localdate():
        raise ApplicationError(
            _("This package expired on %(date)s.") % {"date": package.valid_until},
            code="package_expired",
        )
    used = counter_account(
        store_id=package.account.store_id, kind=AccountKind.PACKAGE_SESSIONS_USED
    )
    try:
        txn = ledger_post(
            kind=TransactionKind.PACKAGE_USE,
            legs=[(package.account, -1), (used, 1)],
            actor=actor,
            memo=package.service_name,
            reference=visit,
        )
    except ApplicationError as error:
        if error.code != "insufficient_balance":
            raise
        raise ApplicationError(
            _("No sessions are left on this package."), code="package_used_up"
        ) from error
    return PackageSessionUse.objects.create(
        package=package, transaction=txn, beautician=beautician, visit_reference=visit[:64]
    )
