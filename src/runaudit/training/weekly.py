"""The ``weekly`` table (a pure function over the activities table).

Column names carry their units. Weeks start on Monday in the athlete's local
time; every week between the first and the last run is present, empty weeks
with zeros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from runaudit.intake.activities import FLOAT_COLUMNS, dated_runs, empty_frame
from runaudit.reading.metrics.cadence import weighted_median
from runaudit.thresholds import Thresholds
from runaudit.training.load import acwr_rolling

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
    "incomplete",
)


def weekly_table(
    activities: pd.DataFrame,
    cadence_hist: Mapping[str, tuple[Sequence[int], Sequence[float]]] | None = None,
    *,
    chronic_weeks: int = Thresholds.chronic_weeks,
    through: pd.Timestamp | None = None,
    unread_dates: Sequence[pd.Timestamp] | pd.Series | None = None,
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
    unread_dates : sequence of Timestamp, optional
        Local dates of files that look like runs but could not be read
        (:func:`runaudit.audit.unread_files`); their weeks are ``incomplete``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WEEKLY_COLUMNS`: ``runs``; sums of ``distance_km``,
        ``moving_time_s`` [s], ``ascent_m``, ``descent_m``, ``downhill_km``;
        ``long_run_km`` (longest run); ``cadence_spm`` (NaN for weeks without
        cadence data); ``chronic_km`` and ``acwr`` from
        :func:`runaudit.training.load.acwr_rolling` (mean distance of the
        ``chronic_weeks`` weeks before; distance / chronic_km, NaN until that much
        history exists or when chronic_km is 0); ``trail_km`` and
        ``treadmill_km`` (distance of the week's runs on that ``surface`` [km]);
        ``acwr_time`` (the same ratio on ``moving_time_s``); ``incomplete`` (bool:
        a file of that week that looks like a run could not be read).
    """
    acts = dated_runs(activities)
    if acts.empty:
        return empty_frame(WEEKLY_COLUMNS).astype({"incomplete": "bool"})
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
    unread = pd.to_datetime(
        pd.Series(list(unread_dates) if unread_dates is not None else [], dtype="datetime64[ns]")
    )
    unread_weeks = set(unread.dt.normalize() - pd.to_timedelta(unread.dt.day_of_week, unit="D"))
    out["incomplete"] = [week in unread_weeks for week in weeks]
    out = out.reset_index()
    return out[list(WEEKLY_COLUMNS)].astype(
        {c: "float64" for c in FLOAT_COLUMNS & set(out.columns)}
    )


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
