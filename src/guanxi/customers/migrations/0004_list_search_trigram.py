"""Trigram indexes for the customer search on PostgreSQL: "contains" searches of the name keys
and of part of a phone number use them instead of reading every row. Nothing on SQLite."""

from django.db import DatabaseError, migrations, transaction

INDEXES = {
    "cust_search_key_trgm": "search_key",
    "cust_phone_trgm": "phone",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        # Creating an extension may need rights the application's role lacks; search works
        # without the indexes, only slower. A DBA can run this migration's SQL by hand.
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer "  # noqa: S608 - constants
            f"USING gin ({column} gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_list_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
