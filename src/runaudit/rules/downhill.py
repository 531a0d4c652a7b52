"""downhill_volume: a week with much more descent than the weeks before it.

Downhill running loads the patellofemoral joint (001 seed; Vernillo et al.
2017). A week is flagged when its descent is above ``downhill_ratio`` (1.5) ×
the mean descent of the ``chronic_weeks`` (4) weeks before it and at least
``downhill_min_m`` (500 m); it is judged once that many weeks of history exist.
A runner who is always hilly is used to it and is not flagged: the rule looks at
change, not at the amount. Severity is ``"warning"``, ``"alert"`` when the
descent is more than :data:`ALERT_RATIO` × the baseline (or the baseline is 0).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd

from runaudit.rules._common import complete_weeks, resolve, to_date
from runaudit.rules.findings import Finding
from runaudit.rules.messages import (
    check_units,
    format_date,
    format_distance,
    format_metres,
    format_ratio,
)
from runaudit.thresholds import Thresholds

RULE = "downhill_volume"
#: Catalog exercise ids for this rule, most relevant first.
EXERCISES: tuple[str, ...] = (
    "forward_step_down",
    "single_leg_wall_sit",
    "eccentric_single_leg_squat",
    "clamshell",
    "monster_walk",
)
#: Descent above this multiple of the baseline is an alert [ratio].
ALERT_RATIO = 2.0


def find_downhill_spikes(
    weekly: pd.DataFrame, thresholds: Thresholds | None = None, *, units: str = "km"
) -> list[Finding]:
    """Flag weeks whose descent jumps above the previous weeks' average.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``week_start`` (Monday), ``descent_m`` [m] and
        ``downhill_km`` [km]. Not modified.
    thresholds : Thresholds, optional
        Uses ``chronic_weeks`` [weeks], ``downhill_ratio`` [ratio] and
        ``downhill_min_m`` [m]. Defaults to ``Thresholds()``.
    units : {"km", "mi"}, default "km"
        Unit of the downhill distance in the messages (descent stays in metres);
        ``evidence`` stays in km and m.

    Returns
    -------
    list of Finding
        One per flagged week, in week order. ``evidence``: ``descent_m`` [m],
        ``downhill_km`` [km], ``chronic_descent_m`` [m/week], ``ratio`` [ratio,
        None when the baseline is 0], ``chronic_weeks`` [weeks].

    Raises
    ------
    ValueError
        If ``units`` is neither ``"km"`` nor ``"mi"``, or the table lacks a
        column, lists a week twice, or has week starts not whole weeks apart.

    Examples
    --------
    >>> weekly = pd.DataFrame({
    ...     "week_start": pd.date_range("2026-01-05", periods=5, freq="7D"),
    ...     "descent_m": [300.0, 300.0, 300.0, 300.0, 1200.0],
    ...     "downhill_km": [3.0, 3.0, 3.0, 3.0, 12.0],
    ... })
    >>> [(f.severity, f.evidence["ratio"]) for f in find_downhill_spikes(weekly)]
    [('alert', 4.0)]
    """
    check_units(units)
    t = resolve(thresholds)
    if weekly.empty:
        return []
    weeks = complete_weeks(weekly, ["descent_m", "downhill_km"])
    descent = weeks["descent_m"].to_numpy()
    downhill = weeks["downhill_km"].to_numpy()
    n = t.chronic_weeks
    findings: list[Finding] = []
    for i in range(n, len(descent)):
        acute = float(descent[i])
        chronic = float(descent[i - n : i].mean())
        if acute < t.downhill_min_m or acute <= t.downhill_ratio * chronic:
            continue
        ratio = acute / chronic if chronic > 0 else None
        severity = "alert" if ratio is None or ratio > ALERT_RATIO else "warning"
        findings.append(
            _finding(
                to_date(weeks.index[i]),
                acute,
                float(downhill[i]),
                chronic,
                ratio,
                n,
                severity,
                units,
            )
        )
    return findings


def _finding(
    week: date,
    acute: float,
    downhill_km: float,
    chronic: float,
    ratio: float | None,
    n: int,
    severity: str,
    units: str,
) -> Finding:
    what = f"{format_metres(acute)} of descent"
    if math.isfinite(downhill_km) and downhill_km > 0:
        what += f" over {format_distance(downhill_km, units)} of downhill"
    if ratio is None:
        compared = f"after {n} weeks with none"
    else:
        compared = (
            f"{format_ratio(ratio)}× your previous {n}-week average of {format_metres(chronic)}"
        )
    message = (
        f"Week of {format_date(week)}: {what}, {compared}; downhill running loads the "
        "kneecap joint, so add descent gradually."
    )
    evidence: dict[str, Any] = {
        "descent_m": round(acute),
        "downhill_km": round(downhill_km, 1),
        "chronic_descent_m": round(chronic),
        "ratio": None if ratio is None else round(ratio, 2),
        "chronic_weeks": n,
    }
    return Finding(
        rule=RULE,
        severity=severity,
        week_start=week,
        message=message,
        evidence=evidence,
        exercises=EXERCISES,
    )
