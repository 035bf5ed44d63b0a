"""Writes of the analytics domain: the refresh of the engine (now, in the background, nightly),
the owner's settings and grid actions, and saved audiences."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.analytics import capabilities  # noqa: F401 - the capabilities checked here
from guanxi.analytics.choices import FrequencyBand, RecencyBand, RunStatus
from guanxi.analytics.engine import EngineConfig, Outcome, refresh
from guanxi.analytics.engine.read import ReadMode
from guanxi.analytics.models import (
    SETTINGS_PK,
    AnalyticsRun,
    AnalyticsSettings,
    Audience,
    AudienceMember,
    GridCellAction,
)
from guanxi.analytics.selectors import analytics_settings_get, customers_matching
from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction
from guanxi.core.errors import ApplicationError
from guanxi.core.jobs import job_create, job_fail, job_finish, job_progress, job_start
from guanxi.core.models import Job
from guanxi.core.permissions import can_see_store, require_capability
from guanxi.core.services import model_create, model_delete, model_update

logger = logging.getLogger(__name__)

REFRESH_KIND = "analytics.refresh"
#: Finished runs kept (older ones are deleted with their results).
RUNS_KEPT = 30
#: A run still "running" after this many seconds is taken as dead (its worker stopped).
RUN_STALE_SECONDS = 3600
MEMBERS_BATCH = 5_000

Progress = Callable[[int, int, str], None]

SETTINGS_FIELDS = tuple(
    field.name
    for field in AnalyticsSettings._meta.concrete_fields
    if field.name not in ("id", "created_at", "updated_at")
)


# --- the refresh --------------------------------------------------------------------------------


def analytics_refresh(
    *,
    actor: Any = None,
    progress: Progress | None = None,
    job: Job | None = None,
    forecasts: bool = True,
    read_mode: ReadMode = "auto",
) -> AnalyticsRun:
    """Run the engine now: read every order and customer, compute, write the customer metrics
    and the rules back, and record the run with its aggregate tables. ``actor`` None is the
    system (the nightly job, the command line); staff need ``analytics.manage``."""
    if actor is not None:
        require_capability(actor, "analytics.manage")
    config = EngineConfig.from_settings(analytics_settings_get())
    run = AnalyticsRun.objects.create(
        job=job,
        started_at=timezone.now(),
        status=RunStatus.RUNNING,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        outcome = refresh(
            config=config,
            tz=django_settings.TIME_ZONE,
            forecasts=forecasts,
            progress=progress,
            read_mode=read_mode,
        )
    except Exception as exc:
        AnalyticsRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), message=str(exc)[:300]
        )
        raise
    _run_finish(run, outcome)
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=run,
        message=_("Customer analytics refreshed: %(customers)s customers, %(orders)s orders.")
        % {"customers": outcome.customers, "orders": outcome.orders},
    )
    _runs_prune()
    return run


def _run_finish(run: AnalyticsRun, outcome: Outcome) -> None:
    computed = outcome.computed
    results = dict(computed.results)
    results["timings"] = outcome.timings
    results["read_mode"] = outcome.source_mode
    run.finished_at = timezone.now()
    run.status = RunStatus.SUCCEEDED
    run.as_of = outcome.as_of
    run.customers = outcome.customers
    run.orders = outcome.orders
    run.order_lines = outcome.order_lines
    run.seconds = outcome.seconds
    run.peak_memory_mib = outcome.peak_memory_mib
    run.thresholds = computed.thresholds
    run.results = results
    run.save()


def _runs_prune() -> None:
    keep = AnalyticsRun.objects.order_by("-started_at", "-pk").values_list("pk", flat=True)[
        :RUNS_KEPT
    ]
    AnalyticsRun.objects.exclude(pk__in=list(keep)).delete()


def _running() -> AnalyticsRun | None:
    since = timezone.now() - datetime.timedelta(seconds=RUN_STALE_SECONDS)
    return AnalyticsRun.objects.filter(status=RunStatus.RUNNING, started_at__gte=since).first()


def analytics_refresh_start(*, actor: Any) -> Job:
    """Start a refresh in the background; returns the job whose page shows the progress."""
    require_capability(actor, "analytics.manage")
    running = Job.objects.filter(
        kind=REFRESH_KIND,
        status__in=("queued", "running"),
        created_at__gte=timezone.now() - datetime.timedelta(seconds=RUN_STALE_SECONDS),
    ).first()
    if running is not None or _running() is not None:
        raise ApplicationError(_("A refresh is already running; wait for it to finish."))
    job = job_create(kind=REFRESH_KIND, title=_("Refreshing customer analytics"), actor=actor)

    from guanxi.analytics.tasks import analytics_refresh_job_run as task

    transaction.on_commit(lambda: task(job.pk))
    return job


def analytics_refresh_job_run(*, job_id: int) -> None:
    """The background part of :func:`analytics_refresh_start` (a Huey worker)."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    job_start(job_id=job_id, total=100)

    def progress(done: int, total: int, message: str) -> None:
        job_progress(job_id=job_id, done=min(done, total), total=total, message=_(message))

    try:
        run = analytics_refresh(actor=job.created_by, progress=progress, job=job)
    except Exception as exc:
        logger.exception("The analytics refresh failed.")
        job_fail(job_id=job_id, message=_("The refresh failed: %(error)s") % {"error": exc})
        return
    job_finish(
        job_id=job_id,
        result={"run": run.pk, "customers": run.customers, "seconds": run.seconds},
        message=_("%(customers)s customers refreshed in %(seconds)s s.")
        % {"customers": run.customers, "seconds": round(run.seconds or 0, 1)},
    )


def analytics_refresh_nightly() -> AnalyticsRun | None:
    """The nightly refresh, unless the owner turned it off or one is running."""
    if not analytics_settings_get().nightly_refresh or _running() is not None:
        return None
    return analytics_refresh()


# --- settings and grid actions ------------------------------------------------------------------


@transaction.atomic
def analytics_settings_update(*, actor: Any, data: Mapping[str, Any]) -> AnalyticsSettings:
    """Change the analytics settings (fields not in the model are ignored); audited. They apply
    from the next refresh."""
    require_capability(actor, "analytics.manage")
    analytics_settings_get()
    current = AnalyticsSettings.objects.select_for_update().get(pk=SETTINGS_PK)
    changes = {name: value for name, value in data.items() if name in SETTINGS_FIELDS}
    updated, _changed = model_update(instance=current, data=changes, actor=actor)
    return updated


@transaction.atomic
def grid_action_update(
    *,
    actor: Any,
    recency_band: str,
    frequency_band: str,
    action_en: str,
    action_zh_hans: str = "",
    action_zh_hant: str = "",
) -> GridCellAction | None:
    """Set the recommended action of one R×F cell; all three texts empty restores the
    default (and returns None). Audited."""
    require_capability(actor, "analytics.manage")
    if recency_band not in RecencyBand.values or frequency_band not in FrequencyBand.values:
        raise ApplicationError(_("Unknown grid cell."))
    texts = {
        "action_en": action_en.strip(),
        "action_zh_hans": action_zh_hans.strip(),
        "action_zh_hant": action_zh_hant.strip(),
    }
    existing = GridCellAction.objects.filter(
        recency_band=recency_band, frequency_band=frequency_band
    ).first()
    if not any(texts.values()):
        if existing is not None:
            model_delete(instance=existing, actor=actor)
        return None
    if not texts["action_en"]:
        texts["action_en"] = texts["action_zh_hans"] or texts["action_zh_hant"]
    if existing is None:
        return model_create(
            instance=GridCellAction(
                recency_band=recency_band, frequency_band=frequency_band, **texts
            ),
            actor=actor,
        )
    updated, _changed = model_update(instance=existing, data=texts, actor=actor)
    return updated


# --- audiences ----------------------------------------------------------------------------------


@transaction.atomic
def audience_create(
    *,
    actor: Any,
    name: str,
    definition: Mapping[str, Any],
    description: str = "",
    store_id: int | None = None,
) -> Audience:
    """Save the customers matching ``definition`` (as ``customers_matching`` finds them for
    ``actor``, of ``store_id`` only when given) as an audience: a snapshot of their ids."""
    require_capability(actor, "analytics.audience")
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the audience a name."))
    if store_id is not None and not can_see_store(actor, store_id):
        raise ApplicationError(_("You cannot save an audience for that store."))
    try:
        customers = customers_matching(user=actor, definition=definition)
    except ValueError as exc:
        raise ApplicationError(_("This list cannot be saved as an audience.")) from exc
    if store_id is not None:
        customers = customers.filter(home_store_id=store_id)
    ids = list(customers.order_by("pk").values_list("pk", flat=True))
    audience = model_create(
        instance=Audience(
            name=name[:120],
            description=description.strip()[:300],
            definition=dict(definition),
            store_id=store_id,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            customers=len(ids),
        ),
        actor=actor,
    )
    AudienceMember.objects.bulk_create(
        (AudienceMember(audience=audience, customer_id=pk) for pk in ids),
        batch_size=MEMBERS_BATCH,
    )
    return audience


@transaction.atomic
def audience_delete(*, actor: Any, audience: Audience) -> None:
    require_capability(actor, "analytics.audience")
    if audience.store_id is not None and not can_see_store(actor, audience.store_id):
        raise ApplicationError(_("You cannot delete this audience."))
    audience.members.all().delete()
    model_delete(instance=audience, actor=actor)
