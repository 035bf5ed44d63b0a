"""``guanxi compile_catalogs``: compile translation catalogs (.po) into .mo files with Babel.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``; Babel is pure Python, so a fresh
machine (or a Windows laptop in a shop) can run ``make setup`` without installing gettext.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.core import UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def catalogs(roots: list[Path]) -> list[Path]:
    found: set[Path] = set()
    for root in roots:
        if root.is_dir():
            found.update(root.glob("**/LC_MESSAGES/*.po"))
    return sorted(found)


def is_up_to_date(po: Path, mo: Path) -> bool:
    return mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime


def catalog_compile(po: Path, mo: Path) -> None:
    """Compile one catalog; fuzzy entries are left out, as GNU msgfmt does."""
    locale = po.parent.parent.name  # locale/<locale>/LC_MESSAGES/<domain>.po
    with po.open("rb") as handle:
        try:
            catalog = read_po(handle, locale=locale, domain=po.stem)
        except UnknownLocaleError:
            handle.seek(0)
            catalog = read_po(handle, domain=po.stem)
    partial = mo.with_name(f"{mo.name}.tmp")
    with partial.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    partial.replace(mo)


class Command(BaseCommand):
    help = "Compile every .po catalog under LOCALE_PATHS into a .mo file, without GNU gettext."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Compile catalogs that are up to date as well."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        roots = [Path(path) for path in settings.LOCALE_PATHS]
        compiled = skipped = 0
        failed: list[str] = []
        for po in catalogs(roots):
            mo = po.with_suffix(".mo")
            if not options["force"] and is_up_to_date(po, mo):
                skipped += 1
                continue
            try:
                catalog_compile(po, mo)
            except Exception as exc:  # noqa: BLE001 - report every broken catalog, then fail
                failed.append(f"{po}: {exc}")
                continue
            compiled += 1
            if options["verbosity"] >= 2:
                self.stdout.write(f"compiled {po}")
        self.stdout.write(
            f"{compiled} catalog(s) compiled, {skipped} up to date, {len(failed)} failed."
        )
        if failed:
            raise CommandError("\n".join(failed))
