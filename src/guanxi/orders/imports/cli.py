"""``guanxi import orders FILE``: the command-line side of the order import, registered with the
``import`` command, the capability of importing orders and the report download of its jobs.

Imported by the orders app when it loads (``from guanxi.orders.imports import cli``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import Role, register_capability
from guanxi.core.registry import Importer, importer_register, job_download_capability_register
from guanxi.customers.imports.cli import add_file_arguments, run_file_import
from guanxi.orders.imports import tasks  # noqa: F401 - registers the background task

register_capability("orders.import", {Role.OWNER, Role.STORE_MANAGER})
# The report of an import job is downloaded only by who may still import orders.
job_download_capability_register("orders.import", "orders.import")


def add_arguments(parser: Any) -> None:
    add_file_arguments(
        parser,
        skip_invalid_help=_(
            "import the orders whose rows are all valid and skip the others "
            "(default: all or nothing)"
        ),
        store_help=_("code or name of the store of rows without a store column"),
    )
    parser.add_argument(
        "--award-points",
        action="store_true",
        help=_("award the members the points of the imported orders (default: no points)"),
    )


def run(options: dict[str, Any], stdout: Any, stderr: Any) -> int:
    from guanxi.orders.services.imports import OrderImportOptions, order_import_run

    return run_file_import(
        options,
        stdout,
        lambda file: order_import_run(
            path=file.path,
            options=OrderImportOptions(
                file_name=file.path.name,
                mapping=file.mapping,
                encoding=options.get("encoding"),
                default_store_id=file.store_id,
                dry_run=bool(options.get("dry_run")),
                skip_invalid=bool(options.get("skip_invalid")),
                award_points=bool(options.get("award_points")),
            ),
            actor=None,
        ),
        report_lines=lambda report: report.lines_of_text(),
    )


importer_register(
    Importer(domain="orders", help=_("import orders"), add_arguments=add_arguments, run=run)
)
