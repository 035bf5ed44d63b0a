"""The database refuses UPDATE and DELETE on ledger entries and transactions."""

from django.db import migrations

from guanxi.core.db import append_only_operations

entries_forwards, entries_backwards = append_only_operations("loyalty_ledgerentry")
transactions_forwards, transactions_backwards = append_only_operations("loyalty_ledgertransaction")


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_ledger")]

    operations = [
        migrations.RunPython(entries_forwards, entries_backwards, elidable=False),
        migrations.RunPython(transactions_forwards, transactions_backwards, elidable=False),
    ]
