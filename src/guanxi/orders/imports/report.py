"""The report of an order import: the orders that were (or would be) created, those already
imported before, and every invalid row with its row number, column and reason. Kept as JSON on
the job, as a CSV file to download and printed by the command line."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.core.exports import csv_safe
from guanxi.customers.imports.validation import RowIssue

# How many issues the job's JSON keeps for the page; the CSV report has them all.
JSON_ISSUE_LIMIT = 500


@dataclass
class OrderImportReport:
    file_name: str
    kind: str = ""
    encoding: str = ""
    dry_run: bool = True
    skip_invalid: bool = False
    award_points: bool = False
    rows: int = 0
    orders: int = 0  # new orders: created, or to create in a dry run
    lines: int = 0  # their lines
    already_imported: int = 0  # orders whose reference was imported before: skipped
    invalid_orders: int = 0
    points: int = 0
    tier_upgrades: int = 0
    committed: bool = False
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def invalid_rows(self) -> int:
        return len({issue.row for issue in self.issues})

    def sort(self) -> None:
        self.issues.sort(key=lambda i: i.row)

    def summary(self) -> str:
        """One sentence (two with points) for the job's message and the command line."""
        counts = {
            "orders": self.orders,
            "lines": self.lines,
            "already": self.already_imported,
            "invalid": self.invalid_rows,
        }
        if self.dry_run:
            text = _(
                "Check only, nothing saved. New orders: %(orders)d (lines: %(lines)d); already "
                "imported: %(already)d; invalid rows: %(invalid)d."
            )
        elif not self.committed:
            text = ngettext(
                "Nothing imported: %(invalid)d row is invalid. Correct it, or import skipping "
                "invalid rows.",
                "Nothing imported: %(invalid)d rows are invalid. Correct them, or import "
                "skipping invalid rows.",
                self.invalid_rows,
            )
        else:
            text = _(
                "Imported. New orders: %(orders)d (lines: %(lines)d); already imported: "
                "%(already)d; invalid rows skipped: %(invalid)d."
            )
        text %= counts
        if self.committed and self.award_points:
            text += " " + _(
                "Points awarded: %(points)d; memberships moved up a tier: %(upgrades)d."
            ) % {"points": self.points, "upgrades": self.tier_upgrades}
        elif self.committed and self.tier_upgrades:
            text += " " + _("Memberships moved up a tier: %(upgrades)d.") % {
                "upgrades": self.tier_upgrades
            }
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "kind": self.kind,
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            "skip_invalid": self.skip_invalid,
            "award_points": self.award_points,
            "committed": self.committed,
            "rows": self.rows,
            "invalid_rows": self.invalid_rows,
            "invalid_orders": self.invalid_orders,
            "orders": self.orders,
            "lines": self.lines,
            "already_imported": self.already_imported,
            "points": self.points,
            "tier_upgrades": self.tier_upgrades,
            "summary": self.summary(),
            "issues": [i.as_dict() for i in self.issues[:JSON_ISSUE_LIMIT]],
            "issues_total": len(self.issues),
        }

    def write_csv(self, path: Path) -> None:
        """Every issue, UTF-8 with a BOM so that Excel shows the Chinese."""
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([_("Row"), _("Column"), _("Problem"), _("Value")])
            for issue in self.issues:
                writer.writerow(
                    [
                        issue.row,
                        csv_safe(issue.column),
                        csv_safe(issue.reason),
                        csv_safe(issue.value),
                    ]
                )

    def lines_of_text(self) -> list[str]:
        """The per-row report as text lines, for the command line."""
        lines = [
            ngettext("%(file)s: %(count)d row", "%(file)s: %(count)d rows", self.rows)
            % {"file": self.file_name, "count": self.rows}
        ]
        for issue in self.issues:
            text = _("Row %(row)d, %(column)s: %(reason)s") % {
                "row": issue.row,
                "column": issue.column,
                "reason": issue.reason,
            }
            if issue.value:
                text += f" [{issue.value}]"
            lines.append(f"{_('invalid')}: {text}")
        lines.append(self.summary())
        return lines
