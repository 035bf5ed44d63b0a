import pytest
from django.core.exceptions import PermissionDenied

from guanxi.core.choices import JobStatus
from guanxi.core.models import Job
from guanxi.customers.models import Customer
from guanxi.customers.services.completeness import (
    DEFAULT_WEIGHTS,
    completeness_recalculate_start,
    completeness_weights_set,
)
from guanxi.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_job_recalculates_every_score_and_reports_progress(
    store_a, owner, django_capture_on_commit_callbacks
):
    # given three customers scored under the old weights, and new weights: only gender counts
    with_gender = [CustomerFactory(home_store=store_a, gender="female") for _ in range(2)]
    without = CustomerFactory(home_store=store_a, gender="", completeness=0)
    completeness_weights_set(
        weights={**dict.fromkeys(DEFAULT_WEIGHTS, 0), "gender": 1}, actor=owner
    )

    # when the owner starts the recalculation (Huey runs immediately in tests)
    with django_capture_on_commit_callbacks(execute=True):
        job = completeness_recalculate_start(actor=owner)

    # then every score follows the new weights and the job says how it went
    job.refresh_from_db()
    assert sorted(Customer.objects.values_list("pk", "completeness")) == [
        (with_gender[0].pk, 100),
        (with_gender[1].pk, 100),
        (without.pk, 0),
    ]
    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.SUCCEEDED, 3, 3)
    assert job.result == {"changed": 2}
    assert job.message == "2 customers' scores changed."
    assert job.created_by == owner


def test_only_owners_start_it(store_a, manager_a):
    with pytest.raises(PermissionDenied):
        completeness_recalculate_start(actor=manager_a)

    assert Job.objects.count() == 0
