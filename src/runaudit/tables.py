"""The ``activities`` and ``weekly`` tables (pure functions over plain data).

Column names carry their units. Weeks start on Monday in the athlete's local
time; every week between the first and the last run is present, empty weeks
with zeros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .metrics.cadence import weighted_median
from .thresholds import Thresholds
from .training_load import acwr_rolling

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
#: Columns of the weekly table, in order.
WEEKLY_COLUMNS: tuple[str, ...] = (
    "week_start",
    "runs",
    "distance_km",
    "moving_time_s",
    "long_run_km",
    "ascent_m",
    "descent_m",
    "downhill_km",
    "cadence_spm",
    "chronic_km",
    "acwr",
    "trail_km",
    "treadmill_km",
    "acwr_time",
)
_FLOATS = {
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


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    dtypes: dict[str, Any] = {}
    for col in columns:
        if col in _FLOATS:
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
        return _empty(ACTIVITY_COLUMNS)
    frame = pd.DataFrame([{c: r.get(c) for c in ACTIVITY_COLUMNS} for r in rows])
    start = np.array([r["start_utc"] for r in rows], dtype=float)
    offset = np.array([r.get("utc_offset_s") or 0 for r in rows], dtype=np.int64)
    frame["start_utc"] = pd.to_datetime(start, unit="s", utc=True).as_unit("ns")
    frame["start_local"] = pd.to_datetime(start + offset, unit="s").as_unit("ns")
    frame["utc_offset_s"] = offset
    frame["week_start"] = week_start_of(frame["start_local"])
    for col in _FLOATS & set(frame.columns):
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


def weekly_table(
    activities: pd.DataFrame,
    cadence_hist: Mapping[str, tuple[Sequence[int], Sequence[float]]] | None = None,
    *,
    chronic_weeks: int = Thresholds.chronic_weeks,
    through: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Aggregate runs into Monday-start weeks.

    The table spans the first to the last week with a run, or on to the Monday
    ``through`` [local date] when that is later (weeks a pain diary covers after
    the runner stopped running), with empty weeks as zeros.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table (not modified). Runs whose ``date_known`` is
        False (device clock never set) are left out.
    cadence_hist : mapping, optional
        activity_id → (cadence bins [spm], seconds [s]) of running samples.
        With it, ``cadence_spm`` is the time-weighted median over the week's
        running samples; without it, the median of the runs' running cadence
        weighted by moving time.
    chronic_weeks : int, default ``Thresholds.chronic_weeks`` (4)
        Weeks averaged for ``chronic_km`` [weeks].

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WEEKLY_COLUMNS`: ``runs``; sums of ``distance_km``,
        ``moving_time_s`` [s], ``ascent_m``, ``descent_m``, ``downhill_km``;
        ``long_run_km`` (longest run); ``cadence_spm`` (NaN for weeks without
        cadence data); ``chronic_km`` and ``acwr`` from
        :func:`runaudit.training_load.acwr_rolling` (mean distance of the
        ``chronic_weeks`` weeks before; distance / chronic_km, NaN until that much
        history exists or when chronic_km is 0); ``trail_km`` and
        ``treadmill_km`` (distance of the week's runs on that ``surface`` [km]);
        ``acwr_time`` (the same ratio on ``moving_time_s``).
    """
    acts = dated_runs(activities)
    if acts.empty:
        return _empty(WEEKLY_COLUMNS)
    acts = acts.copy()
    last = acts["week_start"].max()
    if through is not None:
        last = max(last, pd.Timestamp(through).normalize() - pd.Timedelta(days=through.weekday()))
    weeks = pd.date_range(acts["week_start"].min(), last, freq="7D")
    grouped = acts.groupby("week_start")
    out = pd.DataFrame(index=pd.DatetimeIndex(weeks, name="week_start"))
    out["runs"] = grouped.size().reindex(weeks, fill_value=0).astype("int64")
    for col in ("distance_km", "moving_time_s", "ascent_m", "descent_m", "downhill_km"):
        out[col] = grouped[col].sum(min_count=0).reindex(weeks).fillna(0.0).astype("float64")
    out["long_run_km"] = grouped["distance_km"].max().reindex(weeks).fillna(0.0)
    out["cadence_spm"] = (
        pd.Series({week: _week_cadence(group, cadence_hist) for week, group in grouped})
        .reindex(weeks)
        .astype("float64")
    )
    load = acwr_rolling(out["distance_km"], chronic_weeks)
    out["chronic_km"] = load["chronic_km"]
    out["acwr"] = load["acwr"]
    surfaces = acts["surface"] if "surface" in acts else pd.Series("unknown", index=acts.index)
    for surface in ("trail", "treadmill"):
        on = acts["distance_km"].where(surfaces == surface)
        out[f"{surface}_km"] = on.groupby(acts["week_start"]).sum().reindex(weeks).fillna(0.0)
    out["acwr_time"] = acwr_rolling(out["moving_time_s"], chronic_weeks)["acwr"]
    out = out.reset_index()
    return out[list(WEEKLY_COLUMNS)].astype({c: "float64" for c in _FLOATS & set(out.columns)})


def _week_cadence(
    week: pd.DataFrame, hist: Mapping[str, tuple[Sequence[int], Sequence[float]]] | None
) -> float:
    if hist is not None:
        bins: list[int] = []
        secs: list[float] = []
        for activity_id in week["activity_id"]:
            b, s = hist.get(activity_id, ((), ()))
            bins.extend(b)
            secs.extend(s)
        if bins:
            return weighted_median(np.array(bins, float), np.array(secs, float))
        return float("nan")
    return weighted_median(
        week["run_cadence_spm"].to_numpy(float), week["moving_time_s"].fillna(0).to_numpy(float)
    )
