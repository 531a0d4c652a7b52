"""missing_deload: too many weeks in a row without a lighter recovery week.

A deload week (:func:`runaudit.training.load.deload_weeks`) is one of at most
``deload_ratio`` (85%) of the highest of the ``deload_lookback_weeks`` (3) weeks
before it, or a week without running. The
first weeks of the data, before that much history exists, count as loading
weeks: the streak counts from the first week. The week that is the
``deload_max_streak``-th (7th) in a row without a deload raises the flag; the
001 seed advises a lighter week every 4–6 weeks.

Repeat policy: one long block would otherwise repeat the flag every week. The
same streak is flagged again only every :data:`REPEAT_EVERY_WEEKS` (3) further
weeks, and from ``deload_max_streak + REPEAT_EVERY_WEEKS`` weeks (10 by default)
the flag is an alert: weeks 7 (warning), 10, 13, 16, ... (alert).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from runaudit.rules._common import complete_weeks, iso, resolve, to_date
from runaudit.rules.findings import Finding
from runaudit.rules.messages import check_units, format_date, format_distance, ordinal
from runaudit.thresholds import Thresholds
from runaudit.training.load import deload_weeks

RULE = "missing_deload"
#: Catalog exercise ids for this rule, most relevant first.
EXERCISES: tuple[str, ...] = (
    "load_management",
    "single_leg_calf_raise",
    "wall_sit",
    "glute_bridge",
)
#: A running streak is flagged again every this many further weeks [weeks].
REPEAT_EVERY_WEEKS = 3


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
        Uses ``deload_ratio`` [fraction], ``deload_lookback_weeks`` [weeks] and
        ``deload_max_streak`` [weeks]. Defaults to ``Thresholds()``.
    units : {"km", "mi"}, default "km"
        Distance unit of the messages; ``evidence`` stays in km.

    Returns
    -------
    list of Finding
        In week order: the ``deload_max_streak``-th week of a streak
        (``"warning"``), then every :data:`REPEAT_EVERY_WEEKS` further weeks of the
        same streak (``"alert"`` once the streak reaches ``deload_max_streak +
        REPEAT_EVERY_WEEKS``). ``evidence``: ``weeks_without_deload`` [weeks],
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
    [('2026-02-16', 'warning'), ('2026-03-09', 'alert')]
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
    findings: list[Finding] = []
    for i, km in enumerate(distance):
        if deload[i]:
            streak = 0
            last_deload = iso(weeks.index[i])
            continue
        streak += 1
        beyond = streak - t.deload_max_streak
        if beyond < 0 or beyond % REPEAT_EVERY_WEEKS:
            continue
        recent_peak = float(distance[max(0, i + 1 - lookback) : i + 1].max())
        findings.append(
            _finding(
                to_date(weeks.index[i]),
                streak,
                last_deload,
                float(km),
                t.deload_ratio * recent_peak,
                "alert" if beyond >= REPEAT_EVERY_WEEKS else "warning",
                t,
                units,
            )
        )
    return findings


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
    if last_deload is None:
        since = "none since your records begin"
    else:
        last = date.fromisoformat(last_deload)
        since = f"the last was the week of {format_date(last, year=last.year != week.year)}"
    message = (
        f"Week of {format_date(week)}: {ordinal(streak)} week in a row without a lighter "
        f"week ({since}); plan a recovery week of {format_distance(target_km, units)} or less "
        f"({round(t.deload_ratio * 100)}% of your recent peak) to let your knees adapt."
    )
    evidence: dict[str, Any] = {
        "weeks_without_deload": streak,
        "last_deload_week": last_deload,
        "distance_km": round(km, 1),
        "deload_target_km": round(target_km, 1),
    }
    return Finding(
        rule=RULE,
        severity=severity,
        week_start=week,
        message=message,
        evidence=evidence,
        exercises=EXERCISES,
    )
