"""long_run_spike: one run much longer than the longest run of the previous 30 days.

Frandsen et al. (BJSM 2025, 5,205 runners) found single-session spikes, a run
longer than the longest of the previous 30 days, predicted overuse injury
better than weekly ratios: +10–30% HRR 1.64, +30–100% HRR 1.52, over +100% HRR
2.28. A run is flagged when it is more than ``long_run_ratio`` (1.3) × the
longest run that started in the ``long_run_window_days`` (30) days before it
(:func:`runaudit.training.load.longest_run_before`: window start inclusive, the
run's own start excluded; by ``start_local``). At
least one earlier run of some distance must lie in the window, so a first run after a month off
is not judged, and runs shorter than ``long_run_min_km`` (5 km) never flag.
Severity is ``"warning"``, ``"alert"`` above :data:`ALERT_RATIO` (more than
double, the study's highest-risk band).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from runaudit.rules._common import iso, require_columns, resolve, to_date
from runaudit.rules.findings import Finding
from runaudit.rules.messages import check_units, format_date, format_distance, format_ratio
from runaudit.thresholds import Thresholds
from runaudit.training.load import longest_run_before

RULE = "long_run_spike"
#: Catalog exercise ids for this rule, most relevant first.
EXERCISES: tuple[str, ...] = (
    "load_management",
    "single_leg_calf_raise",
    "wall_sit",
    "glute_bridge",
)
#: A run more than this multiple of the previous longest is an alert [ratio].
ALERT_RATIO = 2.0


def find_long_run_spikes(
    activities: pd.DataFrame, thresholds: Thresholds | None = None, *, units: str = "km"
) -> list[Finding]:
    """Flag single runs far longer than the longest run of the previous weeks.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table; uses ``start_local`` (local wall-clock time),
        ``distance_km`` [km], and when present ``week_start`` (Monday) and
        ``activity_id``. Rows with no start time or distance are ignored. Not
        modified.
    thresholds : Thresholds, optional
        Uses ``long_run_ratio`` [ratio], ``long_run_window_days`` [days] and
        ``long_run_min_km`` [km]. Defaults to ``Thresholds()``.
    units : {"km", "mi"}, default "km"
        Distance unit of the messages; ``evidence`` stays in km.

    Returns
    -------
    list of Finding
        One per flagged run, in start order, about the run's week. Runs in the
        first half-window of the data (15 days by default) are not judged: the
        longest run before them is not known yet.
        ``evidence``: ``distance_km`` [km], ``previous_longest_km`` [km],
        ``ratio`` [ratio], ``run_date`` and ``previous_longest_date``
        (``YYYY-MM-DD``), ``activity_id`` (None without that column),
        ``window_days`` [days].

    Raises
    ------
    ValueError
        If ``units`` is neither ``"km"`` nor ``"mi"``, or a non-empty table lacks
        ``start_local`` or ``distance_km``.

    Examples
    --------
    >>> runs = pd.DataFrame({
    ...     "start_local": pd.to_datetime(["2026-02-20 08:00", "2026-03-15 08:00"]),
    ...     "distance_km": [16.0, 23.0],
    ... })
    >>> [(f.week_start.isoformat(), f.evidence["ratio"]) for f in find_long_run_spikes(runs)]
    [('2026-03-09', 1.44)]
    """
    check_units(units)
    t = resolve(thresholds)
    if activities.empty:
        return []
    require_columns(activities, ["start_local", "distance_km"], "activities")
    start = pd.to_datetime(activities["start_local"])
    if start.dt.tz is not None:
        start = start.dt.tz_localize(None)
    runs = pd.DataFrame(
        {
            "start": start,
            "km": pd.to_numeric(activities["distance_km"], errors="coerce").astype(float),
            "id": activities.get("activity_id"),
        }
    )
    if "week_start" in activities:
        runs["week"] = pd.to_datetime(activities["week_start"])
    else:
        runs["week"] = runs["start"].dt.normalize() - pd.to_timedelta(
            runs["start"].dt.day_of_week, unit="D"
        )
    runs = runs.dropna(subset=["start", "km"]).sort_values("start", kind="stable")
    starts = runs["start"].to_numpy()
    km = runs["km"].to_numpy()
    longest = longest_run_before(starts, km, starts, t.long_run_window_days)
    findings: list[Finding] = []
    # Judge a run only once the data covers half the look-back window before it:
    # a week into an export, "your longest run of the previous 30 days" is unknown.
    window = np.timedelta64(pd.Timedelta(days=t.long_run_window_days))
    history_from = starts[0] + window // 2 if len(starts) else None
    for i in range(len(runs)):
        j = int(longest[i])
        if km[i] < t.long_run_min_km or j < 0 or starts[i] < history_from:
            continue
        previous = float(km[j])
        if previous <= 0 or km[i] <= t.long_run_ratio * previous:
            continue
        row = runs.iloc[i]
        findings.append(
            _finding(
                to_date(row["week"]),
                to_date(row["start"]),
                float(km[i]),
                previous,
                to_date(starts[j]),
                None if row["id"] is None or pd.isna(row["id"]) else str(row["id"]),
                t,
                units,
            )
        )
    return findings


def _finding(
    week: date,
    day: date,
    km: float,
    previous: float,
    previous_day: date,
    activity_id: str | None,
    t: Thresholds,
    units: str,
) -> Finding:
    ratio = km / previous
    severity = "alert" if ratio > ALERT_RATIO else "warning"
    days = t.long_run_window_days
    same_year = previous_day.year == day.year
    compared = (
        f"{format_ratio(ratio)}× the longest run of your previous {days} days "
        f"({format_distance(previous, units)} on {format_date(previous_day, year=not same_year)})"
    )
    limit = (
        f"{format_ratio(t.long_run_ratio)}× ({format_distance(t.long_run_ratio * previous, units)})"
    )
    message = (
        f"Run on {format_date(day)}: {format_distance(km, units)}, {compared}; keep single runs "
        f"within {limit} of your recent longest and build up in smaller steps."
    )
    evidence: dict[str, Any] = {
        "distance_km": round(km, 1),
        "previous_longest_km": round(previous, 1),
        "ratio": round(ratio, 2),
        "run_date": iso(day),
        "previous_longest_date": iso(previous_day),
        "activity_id": activity_id,
        "window_days": days,
    }
    return Finding(
        rule=RULE,
        severity=severity,
        week_start=week,
        message=message,
        evidence=evidence,
        exercises=EXERCISES,
    )
