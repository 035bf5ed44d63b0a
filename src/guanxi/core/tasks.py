"""Huey tasks of the core domain; each calls the service of the same name."""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from typing import Any

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from guanxi.core import services_audit, services_maintenance

logger = logging.getLogger(__name__)


def nightly(hour: int, minute: int) -> Any:
    """A crontab for a local time of night; Huey keeps its schedule in UTC."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = datetime.datetime.combine(
        datetime.datetime.now(tz=zone).date(), datetime.time(hour, minute), tzinfo=zone
    )
    at = local.astimezone(datetime.UTC) if settings.HUEY.get("utc", True) else local
    return crontab(hour=str(at.hour), minute=str(at.minute))


@db_task()
def audit_export_run(job_id: int, filters: dict[str, Any]) -> None:
    services_audit.audit_export_run(job_id=job_id, filters=filters)


@db_periodic_task(nightly(3, 10))
def session_purge() -> None:
    services_maintenance.session_purge()


@db_periodic_task(crontab(minute="25"))
def access_attempt_purge() -> None:
    deleted = services_maintenance.access_attempt_purge()
    logger.info("Deleted %d expired sign-in attempts.", deleted)


@db_periodic_task(nightly(3, 40))
def export_file_purge() -> None:
    deleted = services_maintenance.export_file_purge()
    logger.info("Deleted %d old export files.", deleted)


@db_periodic_task(nightly(3, 50))
def idempotency_key_purge() -> None:
    deleted = services_maintenance.idempotency_key_purge()
    logger.info("Deleted %d old idempotency keys.", deleted)
