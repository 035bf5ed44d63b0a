"""Huey tasks of the customers domain; each calls the service of the same name."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import db_task

from guanxi.customers.services import completeness, exports


@db_task()
def completeness_recalculate_job(job_id: int) -> None:
    completeness.completeness_recalculate_job(job_id=job_id)


@db_task()
def customer_export_run(job_id: int, filters: dict[str, Any], options: dict[str, Any]) -> None:
    exports.customer_export_run(job_id=job_id, filters=filters, **options)


@db_task()
def customer_import_job_run(job_id: int, params: dict[str, Any]) -> None:
    from guanxi.customers.services import imports

    imports.customer_import_job_run(job_id=job_id, params=params)
