"""``guanxi ledger reconcile``: rebuild every balance from its entries and report drift.

Exits with status 1 when any cached balance differs from the sum of its account's entries.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guanxi.loyalty.services import ledger_reconcile


class Command(BaseCommand):
    help = "Ledger maintenance: guanxi ledger reconcile."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        subparsers.add_parser("reconcile", help="Compare every cached balance with its entries.")

    def handle(self, *args: Any, **options: Any) -> None:
        drift = ledger_reconcile()
        for row in drift:
            self.stdout.write(
                f"account {row.account.pk} ({row.account.kind}, store {row.account.store_id}): "
                f"cached {row.cached}, entries {row.computed}, drift {row.cached - row.computed}"
            )
        if drift:
            self.stderr.write(f"{len(drift)} account(s) drifted.")
            sys.exit(1)
        self.stdout.write("Every balance matches its entries.")
