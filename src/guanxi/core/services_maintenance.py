"""Housekeeping that periodic tasks run: expired sessions, stale sign-in attempts, old exports,
old idempotency keys."""

from __future__ import annotations

import datetime
import logging
from importlib import import_module

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from guanxi.core.exports import EXPORT_MAX_AGE, exports_root
from guanxi.core.idempotency import IdempotencyKey

logger = logging.getLogger(__name__)


def session_purge() -> None:
    """Delete expired sessions, as ``manage.py clearsessions`` does."""
    engine = import_module(settings.SESSION_ENGINE)
    try:
        engine.SessionStore.clear_expired()
    except NotImplementedError:
        # Backends that expire sessions by themselves (cache, signed cookies) have nothing to do.
        logger.info("Session engine %s expires sessions by itself.", settings.SESSION_ENGINE)


def access_attempt_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete failed sign-in attempts older than the lockout cool-off; returns how many."""
    cool_off = get_cool_off()
    if cool_off is None:
        return 0  # without a cool-off, attempts count for ever and must stay
    threshold = (now or timezone.now()) - cool_off
    _total, by_model = AccessAttempt.objects.filter(attempt_time__lt=threshold).delete()
    return by_model.get(AccessAttempt._meta.label, 0)


def export_file_purge(
    *, max_age: datetime.timedelta = EXPORT_MAX_AGE, now: datetime.datetime | None = None
) -> int:
    """Delete export files older than ``max_age`` (seven days); returns how many."""
    root = exports_root()
    if not root.is_dir():
        return 0
    threshold = ((now or timezone.now()) - max_age).timestamp()
    deleted = 0
    for path in root.iterdir():
        if path.is_file() and path.stat().st_mtime < threshold:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


# A client retries a request within minutes or hours; a month is far beyond any retry policy.
IDEMPOTENCY_KEY_MAX_AGE = datetime.timedelta(days=30)


def idempotency_key_purge(
    *, max_age: datetime.timedelta = IDEMPOTENCY_KEY_MAX_AGE, now: datetime.datetime | None = None
) -> int:
    """Delete stored first responses older than ``max_age``; returns how many."""
    threshold = (now or timezone.now()) - max_age
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=threshold).delete()
    return deleted
