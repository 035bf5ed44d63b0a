"""Huey tasks of the analytics domain; each calls the service of the same name."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_periodic_task, db_task

from guanxi.analytics import services
from guanxi.core.tasks import nightly

logger = logging.getLogger(__name__)


@db_task()
def analytics_refresh_job_run(job_id: int) -> None:
    services.analytics_refresh_job_run(job_id=job_id)


@db_periodic_task(nightly(4, 0))
def analytics_refresh_nightly() -> None:
    run = services.analytics_refresh_nightly()
    if run is not None:
        logger.info("Analytics refreshed: %d customers in %.1f s.", run.customers, run.seconds or 0)
