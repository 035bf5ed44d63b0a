"""The database refuses UPDATE and DELETE on lottery draws: a draw, once made, stays as made."""

from django.db import migrations

from guanxi.core.db import append_only_operations

draws_forwards, draws_backwards = append_only_operations("marketing_lotterydraw")


class Migration(migrations.Migration):
    dependencies = [("marketing", "0001_member_events")]

    operations = [
        migrations.RunPython(draws_forwards, draws_backwards, elidable=False),
    ]
