"""``guanxi analytics``: refresh the customer analytics, print the lifetime-value model, export.

- ``guanxi analytics refresh [--no-forecast]``: the full refresh, progress on stderr;
- ``guanxi analytics clv --params``: fit BG/NBD and Gamma-Gamma on the orders now and print
  the parameters and log-likelihoods as JSON (time in days, money in the shop's currency);
- ``guanxi analytics export KIND --format {csv,json} [--out FILE]``: one table of the last
  refresh (KIND: rfm, grid, deciles, pyramid, clv, rules, sequences, cohorts, forecast).
"""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanxi.analytics.exports import EXPORT_KINDS, NoRunError, export_table, flat_row


class Command(BaseCommand):
    help = "Customer analytics: refresh, clv --params, export."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        refresh = actions.add_parser("refresh", help="Recompute every customer's figures now.")
        refresh.add_argument(
            "--no-forecast", action="store_true", help="Skip the sales forecasts (faster)."
        )
        clv = actions.add_parser("clv", help="The lifetime-value model.")
        clv.add_argument(
            "--params",
            action="store_true",
            help="Fit the models on the orders now and print their parameters as JSON.",
        )
        export = actions.add_parser("export", help="Write one table of the last refresh.")
        export.add_argument("kind", choices=EXPORT_KINDS)
        export.add_argument("--format", choices=("csv", "json"), default="csv")
        export.add_argument("--out", default="", help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "refresh":
            self._refresh(forecasts=not options["no_forecast"])
        elif action == "clv":
            if not options["params"]:
                raise CommandError("Say what to print: guanxi analytics clv --params")
            self._clv_params()
        else:
            self._export(options["kind"], options["format"], options["out"])

    def _refresh(self, *, forecasts: bool) -> None:
        from guanxi.analytics.services import analytics_refresh

        last = [-1]

        def progress(done: int, total: int, message: str) -> None:
            if done != last[0]:
                last[0] = done
                self.stderr.write(f"{done:3d}% {message}")

        run = analytics_refresh(progress=progress, forecasts=forecasts)
        self.stdout.write(
            f"Refreshed {run.customers} customers, {run.orders} orders, {run.order_lines} "
            f"order lines in {run.seconds:.1f} s (peak memory {run.peak_memory_mib:.0f} MiB)."
        )

    def _clv_params(self) -> None:
        from guanxi.analytics.engine.lifetime import fit_models
        from guanxi.analytics.engine.read import local_today, read_source
        from guanxi.analytics.rfm import customer_summary

        tz = settings.TIME_ZONE
        source = read_source()
        orders = source.orders.filter(source.orders["customer_id"].is_valid())
        as_of = local_today(tz)
        summary = customer_summary(orders, as_of=as_of, tz=tz)
        bgnbd, gamma_gamma = fit_models(summary)
        if bgnbd is None:
            raise CommandError("No customer has bought twice yet: the models cannot be fitted.")
        output: dict[str, Any] = {
            "as_of": as_of.isoformat(),
            "customers": summary.num_rows,
            "time_unit": "day",
            "bgnbd": {
                "r": bgnbd.params.r,
                "alpha": bgnbd.params.alpha,
                "a": bgnbd.params.a,
                "b": bgnbd.params.b,
                "log_likelihood": bgnbd.log_likelihood,
                "converged": bgnbd.convergence.converged,
            },
            "gamma_gamma": None
            if gamma_gamma is None
            else {
                "p": gamma_gamma.params.p,
                "q": gamma_gamma.params.q,
                "gamma": gamma_gamma.params.gamma,
                "log_likelihood": gamma_gamma.log_likelihood,
                "converged": gamma_gamma.convergence.converged,
            },
        }
        self.stdout.write(json.dumps(output, indent=2))

    def _export(self, kind: str, file_format: str, out: str) -> None:
        try:
            table = export_table(kind)
        except NoRunError as exc:
            raise CommandError("Nothing to export yet: run guanxi analytics refresh.") from exc
        if out:
            with open(out, "w", encoding="utf-8", newline="") as handle:
                count = _write(handle, table.columns, table.rows, file_format)
            self.stderr.write(f"Wrote {count} rows to {out}.")
        else:
            _write(_Sink(self), table.columns, table.rows, file_format)


class _Sink:
    """The command's standard output, written as is (no line ending added per write)."""

    def __init__(self, command: BaseCommand) -> None:
        self.command = command

    def write(self, text: str) -> None:
        self.command.stdout.write(text, ending="")


def _write(handle: TextIO | Any, columns: list[str], rows: Any, file_format: str) -> int:
    count = 0
    if file_format == "json":
        handle.write("[")
        for row in rows:
            ordered = {column: row.get(column) for column in columns}
            handle.write(("," if count else "") + "\n" + json.dumps(ordered, ensure_ascii=False))
            count += 1
        handle.write("\n]\n")
        return count
    writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(flat_row(row))
        count += 1
    return count
