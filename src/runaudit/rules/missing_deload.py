"""missing_deload: too many weeks in a row without a lighter recovery week.

A deload week (:func:`runaudit.training.load.deload_weeks`) is one of at most
``deload_ratio`` (85%) of the highest of the ``deload_lookback_weeks`` (3) weeks
before it, or a week without running. The
first weeks of the data, before that much history exists, count as loading
weeks: the streak counts from the first week. The week that is the
``deload_max_streak``-th (7th) in a row without a deload raises the flag; the
001 seed advises a lighter week every 4–6 weeks.

Episodes: every week of a streak from the ``deload_max_streak``-th on is
flagged, and those consecutive weeks are one finding whose ``weeks`` lists
them. Weeks up to the ``deload_alert_streak``-th (10th) are warnings, later ones
alerts; the episode takes its worst week's severity.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from runaudit.rules._common import (
    complete_weeks,
    episodes,
    iso,
    make_finding,
    merge_episode,
    resolve,
    to_date,
)
from runaudit.rules.findings import Finding
from runaudit.rules.messages import check_units, format_date, format_distance, ordinal
from runaudit.rules.rule import Evidence, Measure, Rule
from runaudit.thresholds import Thresholds
from runaudit.training.load import deload_weeks


def find_missing_deloads(
    weekly: pd.DataFrame, thresholds: Thresholds | None = None, *, units: str = "km"
) -> list[Finding]:
    """Flag long streaks of weeks without a lighter recovery week.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``week_start`` (Monday) and ``distance_km`` [km].
        Not modified.
    thresholds : Thresholds, optional
        Uses ``deload_ratio`` [fraction], ``deload_lookback_weeks``,
        ``deload_max_streak`` and ``deload_alert_streak`` [weeks]. Defaults to ``Thresholds()``.
    units : {"km", "mi"}, default "km"
        Distance unit of the messages; ``evidence`` stays in km.

    Returns
    -------
    list of Finding
        One per streak that reaches ``deload_max_streak`` weeks, in week order:
        ``week_start`` is that week, ``weeks`` every week of the streak from
        there on; ``"alert"`` once the streak reaches ``deload_alert_streak``,
        otherwise ``"warning"``. ``evidence`` (the streak's last week):
        ``weeks_without_deload`` [weeks],
        ``last_deload_week`` (``YYYY-MM-DD`` or None when the data holds none),
        ``distance_km`` [km], ``deload_target_km`` [km] (the most a next week may
        run to count as a deload).

    Raises
    ------
    ValueError
        If ``units`` is neither ``"km"`` nor ``"mi"``, or the table lacks a
        column, lists a week twice, or has week starts not whole weeks apart.

    Examples
    --------
    >>> weekly = pd.DataFrame({
    ...     "week_start": pd.date_range("2026-01-05", periods=10, freq="7D"),
    ...     "distance_km": [20.0 + 2 * i for i in range(10)],
    ... })
    >>> [(f.week_start.isoformat(), f.severity) for f in find_missing_deloads(weekly)]
    [('2026-02-16', 'alert')]
    >>> len(find_missing_deloads(weekly)[0].weeks)
    4
    """
    check_units(units)
    t = resolve(thresholds)
    if weekly.empty:
        return []
    weeks = complete_weeks(weekly, ["distance_km"])
    distance = weeks["distance_km"].to_numpy()
    lookback = t.deload_lookback_weeks
    deload = deload_weeks(weeks.reset_index(), t.deload_ratio, lookback).to_numpy()
    streak = 0
    last_deload: str | None = None
    found: list[Finding] = []
    for i, km in enumerate(distance):
        if deload[i]:
            streak = 0
            last_deload = iso(weeks.index[i])
            continue
        streak += 1
        if streak < t.deload_max_streak:
            continue
        recent_peak = float(distance[max(0, i + 1 - lookback) : i + 1].max())
        found.append(
            _finding(
                to_date(weeks.index[i]),
                streak,
                last_deload,
                float(km),
                t.deload_ratio * recent_peak,
                "alert" if streak >= t.deload_alert_streak else "warning",
                t,
                units,
            )
        )
    return [part[0] if len(part) == 1 else _episode(part, t, units) for part in episodes(found)]


def _since(last_deload: str | None, week: date) -> str:
    if last_deload is None:
        return "none since your records begin"
    last = date.fromisoformat(last_deload)
    return f"the last was the week of {format_date(last, year=last.year != week.year)}"


def _episode(parts: list[Finding], t: Thresholds, units: str) -> Finding:
    """One finding for the flagged weeks of one streak: since when, how long by now."""
    first, last = parts[0], parts[-1]
    ev = last.evidence
    message = (
        f"Since the week of {format_date(first.week_start)}: "
        f"{ordinal(first.evidence['weeks_without_deload'])} to "
        f"{ordinal(ev['weeks_without_deload'])} week in a row without a lighter week "
        f"({_since(ev['last_deload_week'], first.week_start)}); plan a recovery week of "
        f"{format_distance(ev['deload_target_km'], units)} or less "
        f"({round(t.deload_ratio * 100)}% of your recent peak) to let your knees adapt."
    )
    return merge_episode(parts, message, key=last)


def _finding(
    week: date,
    streak: int,
    last_deload: str | None,
    km: float,
    target_km: float,
    severity: str,
    t: Thresholds,
    units: str,
) -> Finding:
    since = _since(last_deload, week)
    message = (
        f"Week of {format_date(week)}: {ordinal(streak)} week in a row without a lighter "
        f"week ({since}); plan a recovery week of {format_distance(target_km, units)} or less "
        f"({round(t.deload_ratio * 100)}% of your recent peak) to let your knees adapt."
    )
    measures = [
        Measure("weeks_without_deload", streak, "weeks", "weeks without a lighter week"),
        Measure("last_deload_week", last_deload, "date", "last lighter week"),
        Measure("distance_km", round(km, 1), "km", "distance"),
        Measure("deload_target_km", round(target_km, 1), "km", "lighter week at most"),
    ]
    return make_finding(RULE, severity, week, message, measures)


RULE = Rule(
    id="missing_deload",
    label="missing deload",
    find=find_missing_deloads,
    table="weekly",
    inputs=("week_start", "distance_km"),
    thresholds=(
        "deload_ratio",
        "deload_lookback_weeks",
        "deload_max_streak",
        "deload_alert_streak",
    ),
    exercises=("load_management", "single_leg_calf_raise", "wall_sit", "glute_bridge"),
    evidence=Evidence(
        kind="expert practice",
        summary=(
            "A lighter week every 4–6 weeks is coaching practice that the runner's-knee "
            "articles recommend; no trial has tested how often runners should deload, so "
            "the 7-week limit and the 85 % cut-off are conventions."
        ),
        references=("Six exercises to help with runner’s knee (001 seed)",),
    ),
    description="Several hard weeks in a row without a lighter recovery week.",
    rank=20,
)
