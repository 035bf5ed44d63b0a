"""Database helpers for rules the database itself enforces (append-only tables).

Used by migrations of every domain that keeps an append-only table (audit, ledgers).
"""

from __future__ import annotations

from typing import Any


def _sqlite_sql(table: str) -> tuple[list[str], list[str]]:
    create = [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
    ]
    drop = [
        f"DROP TRIGGER IF EXISTS {table}_no_update;",
        f"DROP TRIGGER IF EXISTS {table}_no_delete;",
    ]
    return create, drop


def _postgresql_sql(table: str) -> tuple[list[str], list[str]]:
    function = f"{table}_append_only"
    create = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql;",
        f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}();",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();",
    ]
    drop = [
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"DROP FUNCTION IF EXISTS {function}();",
    ]
    return create, drop


def _statements(vendor: str, table: str) -> tuple[list[str], list[str]]:
    if vendor == "sqlite":
        return _sqlite_sql(table)
    if vendor == "postgresql":
        return _postgresql_sql(table)
    raise NotImplementedError(f"Append-only triggers are not written for {vendor}.")


def append_only_operations(table: str) -> tuple[Any, Any]:
    """A pair of ``RunPython`` callables that add and remove the append-only triggers."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        create, _drop = _statements(schema_editor.connection.vendor, table)
        for sql in create:
            schema_editor.execute(sql)

    def backwards(apps: Any, schema_editor: Any) -> None:
        _create, drop = _statements(schema_editor.connection.vendor, table)
        for sql in drop:
            schema_editor.execute(sql)

    return forwards, backwards


# Audit rows may be changed exactly once, by the erasure of a person's data: ``redacted_at`` goes
# from empty to set, personal values in ``changes``, ``object_repr`` and ``message`` are blanked,
# and every other column stays as it was. Anything else is refused by the database.
AUDIT_IMMUTABLE_COLUMNS = (
    "id",
    "created_at",
    "action",
    "actor_id",
    "actor_name",
    "ip_address",
    "object_type",
    "object_pk",
    "store_id",
)


def _audit_redaction_sql(vendor: str) -> tuple[list[str], list[str]]:
    table = "core_auditevent"
    if vendor == "sqlite":
        same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in AUDIT_IMMUTABLE_COLUMNS)
        create = [
            f"DROP TRIGGER IF EXISTS {table}_no_update;",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"WHEN NOT (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND {same}) "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
        ]
        drop = [
            f"DROP TRIGGER IF EXISTS {table}_no_update;",
            *_sqlite_sql(table)[0][:1],
        ]
        return create, drop
    if vendor == "postgresql":
        same = " AND ".join(
            f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in AUDIT_IMMUTABLE_COLUMNS
        )
        create = [
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
            f"BEGIN "
            f"IF TG_OP = 'UPDATE' THEN "
            f"IF OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND {same} THEN "
            f"RETURN NEW; END IF; END IF; "
            f"RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql;"
        ]
        drop = [_postgresql_sql(table)[0][0]]
        return create, drop
    raise NotImplementedError(f"Audit triggers are not written for {vendor}.")


def audit_redaction_operations() -> tuple[Any, Any]:
    def forwards(apps: Any, schema_editor: Any) -> None:
        for sql in _audit_redaction_sql(schema_editor.connection.vendor)[0]:
            schema_editor.execute(sql)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in _audit_redaction_sql(schema_editor.connection.vendor)[1]:
            schema_editor.execute(sql)

    return forwards, backwards
