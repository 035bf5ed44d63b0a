"""``guanxi import customers FILE``: the command-line side of the customer import, registered
with the ``import`` command, and the capability of importing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import Role, register_capability
from guanxi.core.registry import Importer, importer_register

register_capability("customers.import", {Role.OWNER, Role.STORE_MANAGER})


def add_file_arguments(parser: Any, *, skip_invalid_help: Any, store_help: Any) -> None:
    """The arguments every file import takes: the file, a mapping, a dry run, skipping invalid
    rows, the encoding and the store of rows without a store column."""
    parser.add_argument("file", help=_("the CSV or XLSX file"))
    parser.add_argument(
        "--mapping",
        help=_('a JSON file {"column header": "field"}; default: suggested from the headers'),
    )
    parser.add_argument(
        "--dry-run", action="store_true", help=_("check the file and report; save nothing")
    )
    parser.add_argument("--skip-invalid", action="store_true", help=skip_invalid_help)
    parser.add_argument(
        "--encoding",
        help=_("the encoding of a CSV file, e.g. utf-8, gb18030, big5, utf-16 (default: detected)"),
    )
    parser.add_argument("--store", help=store_help)


@dataclass(frozen=True)
class FileImport:
    """What ``run_file_import`` hands the domain's import: the file, its mapping (``None``:
    suggested from the headers) and the store named by ``--store``."""

    path: Path
    mapping: dict[str, str] | None
    store_id: int | None


def run_file_import(
    options: dict[str, Any],
    stdout: Any,
    run: Callable[[FileImport], Any],
    report_lines: Callable[[Any], list[str]] = lambda report: report.lines(),
) -> int:
    """Check the common arguments, call ``run`` and print the report it returns
    (``report_lines``); the exit status is 1 when the report has issues."""
    from django.core.management.base import CommandError
    from django.db.models import Q

    from guanxi.customers.imports.mapping import mapping_from_json
    from guanxi.customers.imports.reading import ImportFileError
    from guanxi.staff.models import Store

    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(str(_("No such file: %(path)s")) % {"path": path})
    store_id = None
    if options.get("store"):
        store = Store.objects.filter(
            Q(code__iexact=options["store"]) | Q(name=options["store"])
        ).first()
        if store is None:
            raise CommandError(str(_("No store %(store)s.")) % {"store": options["store"]})
        store_id = store.pk
    try:
        mapping = mapping_from_json(Path(options["mapping"])) if options.get("mapping") else None
        report = run(FileImport(path=path, mapping=mapping, store_id=store_id))
    except ImportFileError as error:
        raise CommandError(error.message) from error
    for line in report_lines(report):
        stdout.write(line)
    return 1 if report.issues else 0


def add_arguments(parser: Any) -> None:
    add_file_arguments(
        parser,
        skip_invalid_help=_(
            "import the valid rows and skip the invalid ones (default: all or nothing)"
        ),
        store_help=_("code or name of the home store of rows without a store column"),
    )


def run(options: dict[str, Any], stdout: Any, stderr: Any) -> int:
    from guanxi.customers.services.imports import ImportOptions, customer_import_run

    return run_file_import(
        options,
        stdout,
        lambda file: customer_import_run(
            path=file.path,
            options=ImportOptions(
                file_name=file.path.name,
                mapping=file.mapping,
                encoding=options.get("encoding"),
                default_store_id=file.store_id,
                dry_run=bool(options.get("dry_run")),
                skip_invalid=bool(options.get("skip_invalid")),
            ),
            actor=None,
        ),
    )


importer_register(
    Importer(domain="customers", help=_("import customers"), add_arguments=add_arguments, run=run)
)
