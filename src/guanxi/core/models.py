"""Models every domain shares: the base model, the audit log, background jobs and the timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import AuditAction, JobStatus


class BaseModel(models.Model):
    """Timestamps every business object carries."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One append-only audit row. The database refuses UPDATE and DELETE (see migration 0002)."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("staff member"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_pk = models.CharField(_("object"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    store_id = models.BigIntegerField(_("store"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    message = models.CharField(_("details"), max_length=300, blank=True)
    redacted_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_pk", "-created_at"])]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
        )


class Job(BaseModel):
    """A background job whose progress the UI shows as a progress bar."""

    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    store_id = models.BigIntegerField(_("store"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total"))
                | models.Q(progress_total=0),
                name="core_job_progress_within_total",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class TimelineEvent(models.Model):
    """One interaction with a customer, added by any domain through ``core.timeline``."""

    customer_id = models.BigIntegerField(_("customer"), db_index=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    domain = models.CharField(_("domain"), max_length=32)
    kind = models.CharField(_("kind"), max_length=32)
    channel = models.CharField(_("channel"), max_length=32, blank=True)
    title = models.CharField(_("title"), max_length=200)
    detail = models.TextField(_("details"), blank=True)
    store_id = models.BigIntegerField(_("store"), null=True, blank=True)
    actor_id = models.BigIntegerField(_("staff member"), null=True, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_pk = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [models.Index(fields=["customer_id", "-occurred_at"])]

    def __str__(self) -> str:
        return self.title


# Defined beside the decorator that uses it; imported here so that Django registers the model.
from guanxi.core.idempotency import IdempotencyKey  # noqa: E402,F401
