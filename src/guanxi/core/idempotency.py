"""Idempotent API writes: a client may send the same request twice and get one write.

A mutating API method decorated with ``@idempotent`` honours the ``Idempotency-Key`` header:

- the key row is inserted first, inside the same database transaction as the write, so a
  concurrent duplicate waits on the unique index (PostgreSQL) or the write lock (SQLite, BEGIN
  IMMEDIATE) until the first request commits, then finds its stored response;
- same key and same request (method, path, body) → the first response again, and no write;
- same key, different request → 422 in the API's one error shape;
- a request that fails rolls back with its key, so it may be retried with the same key.

Without the header the method runs as usual.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.core.errors import ApplicationError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


class IdempotencyKey(models.Model):
    """The first response to a request sent with an ``Idempotency-Key`` header."""

    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("staff member"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(gettext_lazy("key"), max_length=MAX_KEY_LENGTH)
    request_method = models.CharField(gettext_lazy("method"), max_length=10)
    request_path = models.CharField(gettext_lazy("path"), max_length=300)
    request_hash = models.CharField(gettext_lazy("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(
        gettext_lazy("response status"), null=True, blank=True
    )
    response_body = models.JSONField(
        gettext_lazy("response body"), null=True, blank=True, encoder=DjangoJSONEncoder
    )

    class Meta:
        app_label = "core"
        verbose_name = gettext_lazy("idempotency key")
        verbose_name_plural = gettext_lazy("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key")
        ]

    def __str__(self) -> str:
        return self.key


def request_fingerprint(request: Request) -> str:
    """A hash of what the request asks: its parsed body in a canonical form."""
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _error(status: int, code: str, message: str) -> Response:
    return Response({"error": {"code": code, "message": message, "fields": {}}}, status=status)


def _replay(stored: IdempotencyKey, method: str, path: str, fingerprint: str) -> Response:
    if (stored.request_method, stored.request_path, stored.request_hash) != (
        method,
        path,
        fingerprint,
    ):
        return _error(
            422,
            "idempotency_key_reused",
            _("This idempotency key was already used for a different request."),
        )
    response = Response(stored.response_body, status=stored.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate an ``APIView`` method (post, put, patch, delete) to honour ``Idempotency-Key``."""

    @functools.wraps(method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return method(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return _error(400, "invalid", _("The idempotency key is longer than 100 characters."))
        fingerprint = request_fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = IdempotencyKey.objects.create(
                        user=request.user,
                        key=key,
                        request_method=request.method,
                        request_path=request.path[:300],
                        request_hash=fingerprint,
                    )
            except IntegrityError:
                # The first request committed while this one waited on the unique index.
                stored = IdempotencyKey.objects.get(user=request.user, key=key)
                return _replay(stored, request.method, request.path[:300], fingerprint)
            response = method(view, request, *args, **kwargs)
            if response.status_code >= 400:
                # Nothing is kept for a refusal: roll back the key with whatever was written.
                transaction.set_rollback(True)
                return response
            body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
            IdempotencyKey.objects.filter(pk=row.pk).update(
                response_status=response.status_code, response_body=body
            )
            return response

    return wrapper


# --- Pages: one write per form ---------------------------------------------------------------
# A page that moves money carries a fresh key in a hidden field (``new_form_key``); the view
# runs its service call through ``submit_once``, so a double click or a resent form writes once.


def form_fingerprint(data: Mapping[str, Any]) -> str:
    """A hash of what a form asks, in a canonical form."""
    body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def submit_once(
    *,
    user: Any,
    key: str,
    path: str,
    fingerprint: str,
    run: Callable[[], models.Model],
) -> tuple[int, bool]:
    """Run ``run`` (a service call that returns the row it wrote) once per ``key``.

    Returns ``(pk of the row, replayed)``. The key row is inserted first, in the same
    transaction as the write: a concurrent second submission waits on the unique index
    (PostgreSQL) or the write lock (SQLite) until the first commits, then gets the first row's
    pk. A refusal (``ApplicationError``) rolls the key back with everything else, so the same
    page may be sent again once corrected. A key used on another page is refused."""
    path = path[:300]
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    request_method="POST",
                    request_path=path,
                    request_hash=fingerprint,
                )
        except IntegrityError:
            stored = IdempotencyKey.objects.get(user=user, key=key)
            body = stored.response_body or {}
            if stored.request_path != path or "pk" not in body:
                raise ApplicationError(
                    _("This form was already used for something else; open the page again."),
                    code="idempotency_key_reused",
                ) from None
            return int(body["pk"]), True
        written = run()
        IdempotencyKey.objects.filter(pk=row.pk).update(
            response_status=303, response_body={"pk": written.pk}
        )
        return written.pk, False


def new_form_key() -> str:
    return str(uuid.uuid4())
