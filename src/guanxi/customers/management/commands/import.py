"""``guanxi import <domain> FILE [options]``: import records from a file.

Each domain registers its importer (``guanxi.core.registry.importer_register``); this command
offers one sub-command per importer, e.g. ``guanxi import customers members.xlsx --dry-run``.
It exits with status 1 when rows were rejected.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guanxi.core.registry import importers


class Command(BaseCommand):
    help = "Import records from a CSV or XLSX file: guanxi import <domain> FILE [options]."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="domain", metavar="DOMAIN", required=True)
        for importer in importers():
            sub = subparsers.add_parser(importer.domain, help=str(importer.help))
            importer.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        importer = {i.domain: i for i in importers()}[options["domain"]]
        code = importer.run(options, self.stdout, self.stderr)
        if code:
            sys.exit(code)
