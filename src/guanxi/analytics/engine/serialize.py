"""Arrow tables and NumPy values as JSON rows: money as strings, shares as floats, dates ISO."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa


def json_value(value: Any) -> Any:
    """One value made JSON-safe: Decimal → "12.30", dates → ISO, NaN/∞ → None."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, Decimal):
        return None if not value.is_finite() else format(value.quantize(Decimal("0.01")), "f")
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return json_value(float(value))
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, Iterable):
        return [json_value(item) for item in value]
    return str(value)


def rows(table: pa.Table, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The rows of ``table`` (or of some of its columns) as JSON-safe dicts."""
    if columns is not None:
        table = table.select(list(columns))
    return [json_value(row) for row in table.to_pylist()]
