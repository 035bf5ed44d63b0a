"""The report of an import: what was (or would be) created and updated, and every invalid row
with its row number, column and reason. Kept as JSON on the job, as a CSV file to download and
printed by the command line."""

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
class ImportReport:
    file_name: str
    kind: str = ""
    encoding: str = ""
    dry_run: bool = True
    skip_invalid: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    committed: bool = False
    issues: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)

    @property
    def invalid_rows(self) -> int:
        return len({issue.row for issue in self.issues})

    @property
    def valid_rows(self) -> int:
        return self.rows - self.invalid_rows

    def sort(self) -> None:
        self.issues.sort(key=lambda i: i.row)
        self.warnings.sort(key=lambda i: i.row)

    def summary(self) -> str:
        """One sentence for the job's message and the command line."""
        counts = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid_rows,
        }
        invalid = self.invalid_rows
        if self.dry_run:
            text = ngettext(
                "Check only, nothing saved: %(created)d new, %(updated)d to update, "
                "%(unchanged)d unchanged, %(invalid)d invalid row.",
                "Check only, nothing saved: %(created)d new, %(updated)d to update, "
                "%(unchanged)d unchanged, %(invalid)d invalid rows.",
                invalid,
            )
        elif not self.committed:
            text = ngettext(
                "Nothing imported: %(invalid)d row is invalid. Correct it, or import skipping "
                "invalid rows.",
                "Nothing imported: %(invalid)d rows are invalid. Correct them, or import "
                "skipping invalid rows.",
                invalid,
            )
        else:
            text = ngettext(
                "Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged, "
                "%(invalid)d invalid row skipped.",
                "Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged, "
                "%(invalid)d invalid rows skipped.",
                invalid,
            )
        return text % counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "kind": self.kind,
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            "skip_invalid": self.skip_invalid,
            "committed": self.committed,
            "rows": self.rows,
            "valid_rows": self.valid_rows,
            "invalid_rows": self.invalid_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "summary": self.summary(),
            "issues": [i.as_dict() for i in self.issues[:JSON_ISSUE_LIMIT]],
            "issues_total": len(self.issues),
            "warnings": [w.as_dict() for w in self.warnings[:JSON_ISSUE_LIMIT]],
            "warnings_total": len(self.warnings),
        }

    def write_csv(self, path: Path) -> None:
        """Every issue and warning, UTF-8 with a BOM so that Excel shows the Chinese."""
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([_("Row"), _("Column"), _("Problem"), _("Value"), _("Kind")])
            for kind, issues in ((_("Invalid"), self.issues), (_("Warning"), self.warnings)):
                for issue in issues:
                    writer.writerow(
                        [
                            issue.row,
                            csv_safe(issue.column),
                            csv_safe(issue.reason),
                            csv_safe(issue.value),
                            kind,
                        ]
                    )

    def lines(self) -> list[str]:
        """The per-row report as text lines, for the command line."""
        lines = [
            ngettext("%(file)s: %(count)d row", "%(file)s: %(count)d rows", self.rows)
            % {"file": self.file_name, "count": self.rows}
        ]
        for issue in self.issues:
            lines.append(self._line(_("invalid"), issue))
        for warning in self.warnings:
            lines.append(self._line(_("warning"), warning))
        lines.append(self.summary())
        return lines

    @staticmethod
    def _line(kind: str, issue: RowIssue) -> str:
        text = _("Row %(row)d, %(column)s: %(reason)s") % {
            "row": issue.row,
            "column": issue.column,
            "reason": issue.reason,
        }
        if issue.value:
            text += f" [{issue.value}]"
        return f"{kind}: {text}"
