"""long_run_spike: one run much longer than the longest run of the previous 30 days.

Frandsen et al. (BJSM 2025, 5,205 runners, 588,071 sessions) found that a
single run longer than the longest of the previous 30 days predicted overuse
injury, in three bands: 10–30 % longer, hazard rate ratio 1.64 (95 % CI
1.31–2.05); 30–100 % longer, 1.52 (1.16–2.00); more than 100 % longer, 2.28
(1.50–3.48); the weekly acute:chronic ratio showed no positive association.

A run is flagged when it is more than ``long_run_ratio`` (1.1) × the longest
run that started in the ``long_run_window_days`` (30) days before it
(:func:`runaudit.training.load.longest_run_before`: window start inclusive, the
run's own start excluded; by ``start_local``): a warning, or an alert above
``long_run_alert_ratio`` (2.0, the study's highest-risk band). At least one
earlier run of some distance must lie in the window, so a first run after a
month off is not judged; runs in the first ``long_run_history_days`` (15) of the
data are not judged either, and runs shorter than ``long_run_min_km`` (5 km)
never flag. The message names the study's band the run falls in (:data:`BANDS`:
facts of the study, not cut-offs of the rule). Each finding is one run, never
merged with others.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from runaudit.rules._common import iso, make_finding, require_columns, resolve, to_date
from runaudit.rules.findings import Finding
from runaudit.rules.messages import (
    check_units,
    format_date,
    format_distances,
    format_ratio,
    format_ratio_against,
)
from runaudit.rules.rule import Evidence, Measure, Rule
from runaudit.thresholds import Thresholds
from runaudit.training.load import longest_run_before

#: Frandsen et al. (2025): (lower edge, upper edge) of "longer than the 30-day
#: longest" as ratios, and the band's hazard rate ratio.
BANDS: tuple[tuple[float, float, float], ...] = (
    (1.1, 1.3, 1.64),
    (1.3, 2.0, 1.52),
    (2.0, float("inf"), 2.28),
)


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
        Uses ``long_run_ratio``, ``long_run_alert_ratio`` [ratio],
        ``long_run_window_days``, ``long_run_history_days`` [days] and
        ``long_run_min_km`` [km]. Defaults to ``Thresholds()``.
    units : {"km", "mi"}, default "km"
        Distance unit of the messages; ``evidence`` stays in km.

    Returns
    -------
    list of Finding
        One per flagged run, in start order, about the run's week: ``"warning"``,
        ``"alert"`` above ``long_run_alert_ratio``. Runs in the first
        ``long_run_history_days`` of the data are not judged: the longest run
        before them is not known yet.
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
    # Judge a run only once the data covers long_run_history_days before it:
    # a week into an export, "your longest run of the previous 30 days" is unknown.
    history = np.timedelta64(pd.Timedelta(days=t.long_run_history_days))
    history_from = starts[0] + history if len(starts) else None
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


def _band(ratio: float) -> str:
    """The sentence naming the study's band ``ratio`` falls in ("" below the lowest)."""
    for low, high, hrr in BANDS:
        if low < ratio <= high:
            span = (
                f"more than {round((low - 1) * 100)}% longer"
                if high == float("inf")
                else f"{round((low - 1) * 100)}–{round((high - 1) * 100)}% longer"
            )
            return (
                f"in a study of 5,205 runners, runs {span} than the 30-day longest came "
                f"with a {format_ratio(hrr)}× higher injury rate"
            )
    return ""


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
    severity = "alert" if ratio > t.long_run_alert_ratio else "warning"
    days = t.long_run_window_days
    same_year = previous_day.year == day.year
    cap = t.long_run_ratio * previous
    km_text, previous_text, cap_text = format_distances(km, previous, cap, units=units)
    compared = (
        f"{format_ratio_against(ratio, t.long_run_ratio)}× the longest run of your previous "
        f"{days} days ({previous_text} on {format_date(previous_day, year=not same_year)})"
    )
    band = _band(ratio)
    message = (
        f"Run on {format_date(day)}: {km_text}, {compared}"
        f"{'; ' + band if band else ''}; keep single runs within "
        f"{format_ratio(t.long_run_ratio)}× ({cap_text}) of your recent longest and build up "
        "in smaller steps."
    )
    measures = [
        Measure("distance_km", round(km, 1), "km", "run"),
        Measure(
            "previous_longest_km", round(previous, 1), "km", f"longest of the {days} days before"
        ),
        Measure("ratio", round(ratio, 2), "ratio", "ratio to that"),
        Measure("run_date", iso(day), "date", "run on", shown=False),
        Measure("previous_longest_date", iso(previous_day), "date", "longest run on"),
        Measure("activity_id", activity_id, "", "activity", shown=False),
        Measure("window_days", days, "days", "look-back", shown=False),
    ]
    return make_finding(RULE, severity, week, message, measures)


RULE = Rule(
    id="long_run_spike",
    label="long-run spike",
    find=find_long_run_spikes,
    table="activities",
    inputs=("start_local", "distance_km", "week_start", "activity_id"),
    thresholds=(
        "long_run_ratio",
        "long_run_alert_ratio",
        "long_run_window_days",
        "long_run_history_days",
        "long_run_min_km",
    ),
    exercises=("load_management", "single_leg_calf_raise", "wall_sit", "glute_bridge"),
    evidence=Evidence(
        kind="prospective cohort",
        summary=(
            "In 5,205 runners followed over 588,071 sessions, a run longer than the longest "
            "of the previous 30 days came with more overuse injuries: 10–30 % longer, hazard "
            "rate ratio 1.64 (1.31–2.05); 30–100 % longer, 1.52 (1.16–2.00); more than 100 % "
            "longer, 2.28 (1.50–3.48). An association in one cohort, not a proven cause."
        ),
        references=("Frandsen et al. 2025, Br J Sports Med",),
    ),
    description="A single long run far beyond what recent training has prepared for.",
    per_run=True,
    rank=50,
)
