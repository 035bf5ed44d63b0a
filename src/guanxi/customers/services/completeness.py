"""Data completeness: a weighted score (0–100) of the key fields a business wants filled in.

The owner sets the weights (``CompletenessWeight`` rows; ``DEFAULT_WEIGHTS`` until then). The
score is kept current by every customer write, and recomputed for everyone in bulk when the
weights change.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from django.db import transaction
from django.db.models import Case, Count, Exists, F, Field, Max, Min, OuterRef, Q, Value, When
from django.utils.translation import gettext, ngettext

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.jobs import job_create, job_fail, job_finish, job_progress, job_start
from guanxi.core.models import Job
from guanxi.core.permissions import require_capability
from guanxi.customers.models import CompletenessWeight, Customer

# field -> weight. "tags" and "household" count when the customer has any.
DEFAULT_WEIGHTS: dict[str, int] = {
    "gender": 1,
    "birthday": 3,
    "email": 1,
    "province": 1,
    "city": 1,
    "district": 1,
    "street": 1,
    "occupation": 1,
    "income_band": 1,
    "hobbies": 1,
    "preferred_channel": 2,
    "responsible_staff": 2,
    "tags": 1,
    "household": 1,
}
SCORED_FIELDS = tuple(DEFAULT_WEIGHTS)
COMPLETENESS_RECALCULATE_KIND = "customers.completeness_recalculate"


def completeness_weights() -> dict[str, int]:
    """The weights in force: the owner's where set, the defaults otherwise."""
    weights = dict(DEFAULT_WEIGHTS)
    weights.update(
        {w.field: w.weight for w in CompletenessWeight.objects.all() if w.field in DEFAULT_WEIGHTS}
    )
    return weights


def _filled(customer: Customer, field: str, *, tag_count: int | None) -> bool:
    if field == "tags":
        if tag_count is not None:
            return tag_count > 0
        return customer.pk is not None and customer.tags.exists()
    if field == "responsible_staff":
        return customer.responsible_staff_id is not None
    if field == "household":
        return customer.household_id is not None
    value = getattr(customer, field)
    return value not in (None, "")


def completeness_score(
    customer: Customer, weights: Mapping[str, int] | None = None, *, tag_count: int | None = None
) -> int:
    """The customer's score, 0–100, rounded down."""
    weights = weights if weights is not None else completeness_weights()
    total = sum(weights.values())
    if total <= 0:
        return 100
    earned = sum(w for f, w in weights.items() if _filled(customer, f, tag_count=tag_count))
    return earned * 100 // total


def completeness_missing(
    customer: Customer, weights: Mapping[str, int] | None = None, *, tag_count: int | None = None
) -> list[str]:
    """The scored fields still empty, most valuable first. ``tag_count``, when the caller has
    annotated it, saves a query per customer in lists."""
    weights = weights if weights is not None else completeness_weights()
    missing = [
        f for f, w in weights.items() if w > 0 and not _filled(customer, f, tag_count=tag_count)
    ]
    return sorted(missing, key=lambda f: (-weights[f], f))


def customer_completeness_refresh(*, customer: Customer) -> int:
    """Recompute and store one customer's score; returns it."""
    score = completeness_score(customer)
    if score != customer.completeness:
        Customer.objects.filter(pk=customer.pk).update(completeness=score)
        customer.completeness = score
    return score


def _score_expression(weights: Mapping[str, int]) -> Any:
    """The score as one SQL expression, so that a recalculation is an UPDATE, not a loop."""
    total = sum(weights.values())
    if total <= 0:
        return Value(100)
    terms: list[Any] = []
    for field, weight in weights.items():
        if weight <= 0:
            continue
        if field == "tags":
            condition: Any = Exists(
                Customer.tags.through.objects.filter(customer_id=OuterRef("pk"))
            )
        elif field in ("responsible_staff", "household", "birthday"):
            condition = Q(**{f"{field}__isnull": False})
        else:
            condition = ~Q(**{field: ""})
        terms.append(Case(When(condition, then=Value(weight)), default=Value(0)))
    earned = functools.reduce(operator.add, terms, Value(0))
    return earned * Value(100) / Value(total)


def completeness_recalculate_all(
    *, batch_size: int = 50_000, progress: Callable[[int, int], None] | None = None
) -> int:
    """Recompute every customer's score (after the weights change) with one UPDATE per batch of
    ids; returns how many customers' scores changed."""
    expression = _score_expression(completeness_weights())
    bounds = Customer.objects.aggregate(low=Min("pk"), high=Max("pk"), total=Count("pk"))
    if not bounds["total"]:
        return 0
    changed = 0
    low, high, total = bounds["low"], bounds["high"], bounds["total"]
    for start in range(low, high + 1, batch_size):
        batch = Customer.objects.filter(pk__gte=start, pk__lt=start + batch_size)
        with transaction.atomic():
            changed += (
                batch.annotate(new_score=expression).exclude(completeness=F("new_score")).count()
            )
            batch.update(completeness=expression)
        if progress is not None:
            progress(min(total, Customer.objects.filter(pk__lt=start + batch_size).count()), total)
    return changed


@transaction.atomic
def completeness_weights_set(*, weights: Mapping[str, int], actor: Any) -> dict[str, int]:
    """Store the owner's weights (unknown fields refused), audited. The caller then schedules
    ``completeness_recalculate_all``."""
    unknown = set(weights) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ValueError(f"not scored fields: {sorted(unknown)}")
    before = completeness_weights()
    for field, weight in weights.items():
        CompletenessWeight.objects.update_or_create(field=field, defaults={"weight": int(weight)})
    after = completeness_weights()
    changes = {f: [before[f], after[f]] for f in after if before[f] != after[f]}
    if changes:
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            object_type="customers.completenessweight",
            object_repr="completeness weights",
            changes=changes,
        )
    return after


def scored_fields() -> Iterable[str]:
    return SCORED_FIELDS


def completeness_field_label(field: str) -> str:
    """The verbose name of a scored field, as the customer form and the weights page show it."""
    return str(cast("Field[Any, Any]", Customer._meta.get_field(field)).verbose_name)


@transaction.atomic
def completeness_recalculate_start(*, actor: Any) -> Job:
    """Start recomputing every customer's score in the background (after the weights changed);
    the returned job reports the progress. Only owners set the weights."""
    require_capability(actor, "customers.completeness_weights")
    job = job_create(
        kind=COMPLETENESS_RECALCULATE_KIND,
        title=gettext("Recalculate data completeness"),
        actor=actor,
    )
    from guanxi.customers.tasks import completeness_recalculate_job as task

    transaction.on_commit(lambda: task(job.pk))
    return job


def completeness_recalculate_job(*, job_id: int) -> int:
    """Run ``completeness_recalculate_all`` for a job, reporting progress as it goes; returns
    how many scores changed (also kept in the job's result)."""
    job_start(job_id=job_id, total=Customer.objects.count())
    try:
        changed = completeness_recalculate_all(
            progress=lambda done, total: job_progress(job_id=job_id, done=done, total=total)
        )
    except Exception as exc:
        job_fail(job_id=job_id, message=str(exc))
        raise
    job_finish(
        job_id=job_id,
        result={"changed": changed},
        message=ngettext(
            "%(count)d customer's score changed.", "%(count)d customers' scores changed.", changed
        )
        % {"count": changed},
    )
    return changed
