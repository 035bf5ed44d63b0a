"""Audit rows stay append-only, with one exception: the erasure of a person's data may blank
the personal values of a row once (see guanxi.core.db.AUDIT_IMMUTABLE_COLUMNS)."""

from django.db import migrations

from guanxi.core.db import audit_redaction_operations

forwards, backwards = audit_redaction_operations()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_auditevent_redacted_at")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
