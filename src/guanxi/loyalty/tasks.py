"""Huey tasks of the loyalty domain; each calls the service of the same name."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_periodic_task, db_task

from guanxi.core.tasks import nightly
from guanxi.loyalty import services
from guanxi.loyalty.models import TierChange
from guanxi.loyalty.services import tiers

logger = logging.getLogger(__name__)


@db_periodic_task(nightly(2, 30))
def points_expire() -> None:
    expired = services.points_expire()
    logger.info("Expired %d points.", expired)


@db_task()
def tier_upgrade_notify(change_pk: int) -> None:
    change = (
        TierChange.objects.select_related("membership__household", "membership__customer")
        .select_related("to_level", "actor")
        .filter(pk=change_pk)
        .first()
    )
    if change is None:
        logger.warning("Tier change %s is gone; nothing to notify.", change_pk)
        return
    tiers.tier_upgrade_notify(change=change)


@db_periodic_task(nightly(3, 20))
def tier_reevaluate_all() -> None:
    tiers.tier_reevaluate_all()
