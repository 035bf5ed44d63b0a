"""Huey tasks of the loyalty domain; each calls the service of the same name."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_periodic_task

from guanxi.core.tasks import nightly
from guanxi.loyalty import services

logger = logging.getLogger(__name__)


@db_periodic_task(nightly(2, 30))
def points_expire() -> None:
    expired = services.points_expire()
    logger.info("Expired %d points.", expired)
