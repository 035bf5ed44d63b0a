"""Permission-matrix declarations of the core domain (see the shared contract).

The audit log (``core:audit-log``, ``api-audit-event-list``) is for owners only: every other
role gets 403, so it needs no ``LIST_URLS`` entry.
"""

import atexit

from guanxi.core.exports import export_file_new
from guanxi.core.jobs import job_create, job_finish
from guanxi.core.permissions import Role
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.staff.tests.factories import UserFactory


def customer_history(store_b):
    customer = CustomerFactory(home_store=store_b)
    return {"object_type": "customers.customer", "pk": customer.pk}


def job_of_store_b(store_b):
    """A finished export, with its file, started by a store manager of store B."""
    starter = UserFactory(role=Role.STORE_MANAGER, stores=[store_b])
    job = job_create(kind="customers.export", title="Export", actor=starter, store_id=store_b.pk)
    path, name = export_file_new(prefix="matrix")
    path.write_text("store b\r\n", encoding="utf-8")
    atexit.register(path.unlink, missing_ok=True)
    job_finish(job_id=job.pk, result={"file": name, "filename": "export.csv"})
    job.refresh_from_db()
    return job


SCOPED_URLS = {
    "core:object-history": customer_history,
    "core:job-detail": job_of_store_b,
    "core:job-download": job_of_store_b,
    "api-job-detail": job_of_store_b,
}

LIST_URLS: dict = {}
