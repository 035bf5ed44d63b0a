"""Writes of the analytics pages that are not the engine's: the audit row of an export of a
customer list (a cell, a segment, a decile ...) or of an aggregate table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guanxi.core.audit import audit_record
from guanxi.core.choices import AuditAction


def customer_list_export_record(
    *, actor: Any, definition: Mapping[str, Any], rows: int, path: str = ""
) -> None:
    """Audit the export of the customers of ``definition`` (``rows`` of them)."""
    audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        object_type="analytics.customermetrics",
        store_id=definition.get("store"),
        changes={"definition": dict(definition), "rows": rows, "format": "csv"},
        message=path[:500],
    )


def table_export_record(*, actor: Any, table: str, rows: int, path: str = "") -> None:
    """Audit the export of the aggregate table ``table`` (no personal data, but figures of the
    business)."""
    audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        object_type="analytics.analyticsrun",
        changes={"table": table, "rows": rows, "format": "csv"},
        message=path[:500],
    )
