"""Turn tables into text: CSV and JSON for machines, aligned tables for people.

Machine formats keep the unit-carrying column names (``distance_km``) and full
dates (``YYYY-MM-DD``); the human table converts to the display unit
(``--units mi``) and renames columns accordingly.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from runaudit.rules.findings import Finding
from runaudit.units import km_to

_DATE_COLUMNS = {"week_start"}
_ROUND = {
    "distance_km": 3,
    "long_run_km": 3,
    "downhill_km": 3,
    "chronic_km": 3,
    "trail_km": 3,
    "treadmill_km": 3,
    "moving_time_s": 0,
    "elapsed_time_s": 0,
    "ascent_m": 1,
    "descent_m": 1,
    "cadence_spm": 1,
    "run_cadence_spm": 1,
    "heart_rate_bpm": 1,
    "acwr": 3,
    "acwr_time": 3,
    "pain_max": 1,
    "pain_mean": 2,
}


def machine_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``table`` with dates as ``YYYY-MM-DD``/ISO strings and rounded floats."""
    out = table.copy()
    for col in out.columns:
        series = out[col]
        if col in _DATE_COLUMNS and pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.map(lambda v: v.isoformat() if pd.notna(v) else None)
        elif col in _ROUND:
            out[col] = series.round(_ROUND[col])
    return out


#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """A text cell a spreadsheet will not run: a single quote before a formula start.

    Text beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading ``'`` (OWASP's rule against CSV injection); text that is a plain
    number (``-3.5``) and every non-text value are returned unchanged.

    >>> neutralise_cell("=1+2"), neutralise_cell("@SUM(A1)"), neutralise_cell("-3.5")
    ("'=1+2", "'@SUM(A1)", '-3.5')
    >>> neutralise_cell(-2.0), neutralise_cell("Pegasus 40")
    (-2.0, 'Pegasus 40')
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` with :func:`neutralise_cell` applied to every text column."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    return out


def to_csv(table: pd.DataFrame) -> str:
    """CSV text of a table (header row, ``\\n`` line ends, empty cells for NaN).

    Every CSV runaudit writes goes through here, so text cells are neutralised
    against formula injection (:func:`neutralise_cell`).
    """
    return csv_safe(machine_frame(table)).to_csv(index=False, lineterminator="\n")


def _clean(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def to_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready list of row dicts (NaN → None, NumPy scalars → Python)."""
    frame = machine_frame(table)
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def to_json(table: pd.DataFrame) -> str:
    """JSON array of row objects."""
    return json.dumps(to_records(table), indent=2, ensure_ascii=False)


#: Columns left out of the table for people (they stay in CSV/JSON).
_MACHINE_ONLY = ("start_utc", "device", "tz_source", "sub_sport")


def display_frame(table: pd.DataFrame, units: str = "km") -> pd.DataFrame:
    """Table for people: distances in ``units`` (``"km"`` or ``"mi"``), short headers."""
    out = machine_frame(table)
    renames: dict[str, str] = {}
    for col in list(out.columns):
        if col.endswith("_km"):
            if units == "mi":
                out[col] = km_to(table[col], units).round(2)
                renames[col] = col[:-3] + "_mi"
            else:
                out[col] = table[col].round(2)
        elif col.endswith("_time_s"):
            out[col] = table[col].map(format_duration)
            renames[col] = col[:-2]
        elif col in ("ascent_m", "descent_m", "cadence_spm", "run_cadence_spm", "heart_rate_bpm"):
            out[col] = table[col].round(0)
    out = out.drop(columns=[c for c in _MACHINE_ONLY if c in out.columns])
    return out.rename(columns=renames)


def format_duration(seconds: float) -> str:
    """``3725`` → ``"1:02:05"``; NaN → ``""``.

    >>> format_duration(3725.0)
    '1:02:05'
    """
    if seconds is None or not np.isfinite(seconds):
        return ""
    total = round(seconds)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def to_table(table: pd.DataFrame, units: str = "km") -> str:
    """An aligned plain-text table for a terminal."""
    frame = display_frame(table, units)
    if frame.empty:
        return "(no rows)"
    return frame.to_string(index=False, na_rep="–")


def findings_table(findings: Sequence[Finding]) -> str:
    """Findings for a terminal: one block per finding, newest first."""
    if not findings:
        return "No findings: nothing in this history matches a risk pattern."
    lines = []
    for f in sorted(findings, key=lambda f: (f.week_start, f.severity_rank), reverse=True):
        lines.append(f"{f.week_start.isoformat()}  {f.severity.upper():7}  {f.rule}")
        lines.append(f"    {f.message}")
        if f.exercises:
            lines.append(f"    exercises: {', '.join(f.exercises)}  (runaudit exercises {f.rule})")
    return "\n".join(lines)
