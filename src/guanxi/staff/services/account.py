"""Writes of the staff domain: stores, staff members, API tokens, the organisation."""

from __future__ import annotations

from django.db import transaction

from guanxi.core.services import model_update
from guanxi.staff.models import User


@transaction.atomic
def staff_language_set(*, user: User, language: str) -> User:
    user, _changed = model_update(instance=user, data={"language": language}, actor=user)
    return user
