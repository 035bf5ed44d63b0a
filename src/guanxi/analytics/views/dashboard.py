"""The dashboard panel of the analytics domain: the R×F grid at a glance, from the last run.

The grid's counts come from the run's stored aggregates, so the panel costs one small query
whatever the size of the business; they cover every store, so they are shown to who works for
every store, and everyone else gets the link to their own grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from guanxi.analytics.choices import FrequencyBand, RecencyBand
from guanxi.analytics.selectors import run_latest
from guanxi.analytics.selectors_pages import run_results, sees_every_store
from guanxi.analytics.views.tables import SHARE, Column, display

SHARE_COLUMN = Column("share", "", SHARE)


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    run = run_latest()
    cells: dict[str, Mapping[str, Any]] = {}
    every = sees_every_store(request.user)
    if every:
        for cell in run_results(run, "grid") or []:
            cells[f"{cell.get('recency_band')}_{cell.get('frequency_band')}"] = cell
    rows = []
    if cells:
        for recency in RecencyBand:
            row = []
            for frequency in FrequencyBand:
                cell = cells.get(f"{recency.value}_{frequency.value}", {})
                row.append(
                    {
                        "customers": int(cell.get("customers") or 0),
                        "share": display(cell.get("customer_share") or 0, SHARE_COLUMN),
                        "revenue": Decimal(str(cell.get("revenue") or "0")),
                    }
                )
            rows.append({"band": recency, "cells": row})
    return {
        "run": run,
        "grid_rows": rows,
        "frequencies": list(FrequencyBand),
        "every_store": every,
    }
