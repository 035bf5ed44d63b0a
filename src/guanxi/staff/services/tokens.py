"""API tokens a staff member creates for an integration (a POS, a script, a partner system).

The plain key is returned once, at creation, and never stored: the database keeps its SHA-256
(what ``ApiTokenAuthentication`` looks up) and an 8-character prefix to tell tokens apart.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.services import model_update
from guanxi.staff.authentication import hash_key
from guanxi.staff.models import ApiToken, User

PREFIX_LENGTH = 8


@transaction.atomic
def api_token_create(*, user: User, name: str, actor: User) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns it with its plain key, which is shown only once."""
    key = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key))
    token.full_clean()
    token.save()
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        obj=token,
        changes={"user": [None, user.pk], "name": [None, name], "prefix": [None, token.prefix]},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token at once; revoking a revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token, _changed = model_update(instance=token, data={"revoked_at": timezone.now()}, actor=actor)
    return token
