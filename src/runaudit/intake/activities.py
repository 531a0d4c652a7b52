"""The ``activities`` table: one row per kept run, built from the intake's records.

Column names carry their units; ``start_utc`` is tz-aware UTC, ``start_local``
and ``week_start`` are tz-naive ``datetime64[ns]`` (``week_start`` is the Monday
00:00 of the run's local week).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

#: Columns of the activities table, in order.
ACTIVITY_COLUMNS: tuple[str, ...] = (
    "activity_id",
    "source",
    "format",
    "sport",
    "sub_sport",
    "start_utc",
    "start_local",
    "utc_offset_s",
    "tz_source",
    "week_start",
    "distance_km",
    "moving_time_s",
    "elapsed_time_s",
    "ascent_m",
    "descent_m",
    "downhill_km",
    "cadence_spm",
    "run_cadence_spm",
    "heart_rate_bpm",
    "device",
    "date_known",
    "shoe",
    "surface",
    "origin",
)
#: Float columns of the activities and weekly tables.
FLOAT_COLUMNS = {
    "distance_km",
    "moving_time_s",
    "elapsed_time_s",
    "ascent_m",
    "descent_m",
    "downhill_km",
    "cadence_spm",
    "run_cadence_spm",
    "heart_rate_bpm",
    "long_run_km",
    "chronic_km",
    "acwr",
    "trail_km",
    "treadmill_km",
    "acwr_time",
}


def empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    dtypes: dict[str, Any] = {}
    for col in columns:
        if col in FLOAT_COLUMNS:
            dtypes[col] = "float64"
        elif col in ("start_utc",):
            dtypes[col] = "datetime64[ns, UTC]"
        elif col in ("start_local", "week_start"):
            dtypes[col] = "datetime64[ns]"
        elif col in ("runs", "utc_offset_s"):
            dtypes[col] = "int64"
        elif col == "date_known":
            dtypes[col] = "bool"
        else:
            dtypes[col] = "object"
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def week_start_of(local: pd.Series) -> pd.Series:
    """Monday 00:00 of the week containing each local time.

    >>> local = pd.Series(pd.to_datetime(["2026-03-08 23:59", "2026-03-09 06:00"]))
    >>> week_start_of(local).dt.strftime("%Y-%m-%d").tolist()
    ['2026-03-02', '2026-03-09']
    """
    day = local.dt.normalize()
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def activities_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Build the activities table from kept run summaries.

    Each row needs ``start_utc`` [s since epoch] and ``utc_offset_s`` [s]; the
    local start and the Monday week start are derived from them.
    """
    if not rows:
        return empty_frame(ACTIVITY_COLUMNS)
    frame = pd.DataFrame([{c: r.get(c) for c in ACTIVITY_COLUMNS} for r in rows])
    start = np.array([r["start_utc"] for r in rows], dtype=float)
    offset = np.array([r.get("utc_offset_s") or 0 for r in rows], dtype=np.int64)
    frame["start_utc"] = pd.to_datetime(start, unit="s", utc=True).as_unit("ns")
    frame["start_local"] = pd.to_datetime(start + offset, unit="s").as_unit("ns")
    frame["utc_offset_s"] = offset
    frame["week_start"] = week_start_of(frame["start_local"])
    for col in FLOAT_COLUMNS & set(frame.columns):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["date_known"] = [bool(r.get("date_known", True)) for r in rows]
    return frame.sort_values(["start_utc", "activity_id"], kind="stable").reset_index(drop=True)


def dated_runs(activities: pd.DataFrame) -> pd.DataFrame:
    """The runs whose date is known (a watch whose clock was never set gives no week).

    Returns ``activities`` itself when every date is known, else a filtered copy.
    """
    if "date_known" not in activities.columns or activities["date_known"].all():
        return activities
    return activities[activities["date_known"].astype(bool)].reset_index(drop=True)
