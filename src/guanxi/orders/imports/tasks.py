"""The Huey task of the order import; it calls the service of the same name.

Registered when the orders app loads (``cli`` imports this module), so a worker knows it."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import db_task


@db_task()
def order_import_job_run(job_id: int, params: dict[str, Any]) -> None:
    from guanxi.orders.services import imports

    imports.order_import_job_run(job_id=job_id, params=params)
