"""Export files: where they live, how their cells are made safe, and how old ones go away.

Files are written under ``MEDIA_ROOT/exports/`` and are never served as media: only the job
download view hands them out, to whoever may see the job.
"""

from __future__ import annotations

import datetime
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

EXPORTS_DIR = "exports"
EXPORT_MAX_AGE = datetime.timedelta(days=7)

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def exports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORTS_DIR


def export_file_new(*, prefix: str, suffix: str = ".csv") -> tuple[Path, str]:
    """A fresh, unguessable file path under the exports folder and its name relative to MEDIA_ROOT."""
    root = exports_root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{prefix}-{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(8)}{suffix}"
    return root / name, f"{EXPORTS_DIR}/{name}"


def export_file_resolve(name: str) -> Path | None:
    """The path of an export file named relative to MEDIA_ROOT, if it exists inside the exports
    folder (a name that climbs out of it resolves to nothing)."""
    root = exports_root().resolve()
    path = (Path(settings.MEDIA_ROOT) / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def csv_safe(value: Any) -> str:
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
