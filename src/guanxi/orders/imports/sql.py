"""Writing many simple rows fast: one multi-row INSERT per batch, values prepared as Django
would, without a model instance and a compiled query per value (``bulk_create`` spends most of
an import's time on those). Used by the order import for orders, lines, audit rows and timeline
events; the customer import does the same for customers (``customers.imports.committing``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connection, models

INSERT_BATCH = 500


def _converter(field: Any) -> Callable[[Any], Any] | None:
    """How a value of ``field`` goes into SQL (``None``: as it is): what ``get_db_prep_save``
    does, without the cost of a model instance and a compiled query per value."""
    if isinstance(field, models.DateTimeField):
        # Few distinct values per batch (the time of the import, an order's time of sale).
        return functools.lru_cache(maxsize=1024)(connection.ops.adapt_datetimefield_value)
    if isinstance(field, models.JSONField | models.GenericIPAddressField):
        return lambda v: field.get_db_prep_save(v, connection)
    if isinstance(field, models.DecimalField):
        places, digits = field.decimal_places, field.max_digits
        return lambda v: connection.ops.adapt_decimalfield_value(v, digits, places)
    return None


def insert_rows(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, returning: bool = False
) -> list[int]:
    """INSERT ``rows`` (``{attname: value}``; fields left out take their default) into
    ``model``'s table in batches of ``INSERT_BATCH``; with ``returning``, one multi-row INSERT …
    RETURNING per batch and the new primary keys in row order (what ``bulk_create`` relies on,
    on SQLite and PostgreSQL). ``bulk_create`` builds a model instance and compiles every value;
    for the many simple rows of an import that is most of the time it takes."""
    if not rows:
        return []
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    plan = [(f.attname, f.get_default(), _converter(f)) for f in fields]
    quote = connection.ops.quote_name
    # Table and column names come from the model, never from input.
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
        quote(meta.db_table), ", ".join(quote(str(f.column)) for f in fields)
    )
    placeholders = "({})".format(", ".join(["%s"] * len(fields)))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            batch = [
                tuple(
                    row.get(name, default) if convert is None else convert(row.get(name, default))
                    for name, default, convert in plan
                )
                for row in rows[start : start + INSERT_BATCH]
            ]
            if returning:
                pk = quote(str(getattr(meta.pk, "column", "id")))
                sql = head + ", ".join([placeholders] * len(batch)) + f" RETURNING {pk}"
                cursor.execute(sql, [value for row in batch for value in row])
                ids += [found[0] for found in cursor.fetchall()]
            else:
                cursor.executemany(head + placeholders, batch)
    return ids
