"""The database refuses UPDATE and DELETE on audit rows (SQLite and PostgreSQL triggers)."""

from django.db import migrations

from guanxi.core.db import append_only_operations

forwards, backwards = append_only_operations("core_auditevent")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
