"""downhill_volume: a week with much more descent than the weeks before it.

Downhill running loads the patellofemoral joint (001 seed; Vernillo et al.
2017). A week is flagged when its descent is above ``downhill_ratio`` (1.5) ×
the mean descent of the ``chronic_weeks`` (4) weeks before it and at least
``downhill_min_m`` (500 m); it is judged once that many weeks of history exist.
A runner who is always hilly is used to it and is not flagged: the rule looks at
change, not at the amount. Severity is ``"warning"``, ``"alert"`` when the
descent is more than ``downhill_alert_ratio`` (2) × the baseline (or the
baseline is 0). Consecutive flagged weeks are one episode.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from runaudit.rules._common import (
    complete_weeks,
    episodes,
    make_finding,
    merge_episode,
    resolve,
    to_date,
    worst,
)
from runaudit.rules.findings import Finding
from runaudit.rules.messages import (
    check_units,
    format_date,
    format_distance,
    format_metres,
    format_ratio,
    format_ratio_against,
)
from runaudit.rules.rule import Evidence, Measure, Rule
from runaudit.thresholds import Thresholds


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
        Uses ``chronic_weeks`` [weeks], ``downhill_ratio``,
        ``downhill_alert_ratio`` [ratio] and ``downhill_min_m`` [m]. Defaults to ``Thresholds()``.
    units : {"km", "mi"}, default "km"
        Unit of the downhill distance in the messages (descent stays in metres);
        ``evidence`` stays in km and m.

    Returns
    -------
    list of Finding
        One per episode of consecutive flagged weeks, in week order (``weeks``
        lists them). ``evidence`` (the worst week's, latest among equals): ``descent_m`` [m],
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
    found: list[Finding] = []
    for i in range(n, len(descent)):
        acute = float(descent[i])
        chronic = float(descent[i - n : i].mean())
        if acute < t.downhill_min_m or acute <= t.downhill_ratio * chronic:
            continue
        ratio = acute / chronic if chronic > 0 else None
        severity = "alert" if ratio is None or ratio > t.downhill_alert_ratio else "warning"
        found.append(
            _finding(
                to_date(weeks.index[i]),
                acute,
                float(downhill[i]),
                chronic,
                ratio,
                n,
                severity,
                t,
                units,
            )
        )
    return [part[0] if len(part) == 1 else _episode(part) for part in episodes(found)]


def _episode(parts: list[Finding]) -> Finding:
    """One finding for consecutive weeks of more descent: since when, how much, the peak."""
    amounts = " → ".join(format_metres(f.evidence["descent_m"]) for f in parts)
    peak = worst(parts)
    ratio = peak.evidence["ratio"]
    compared = (
        f"after {peak.evidence['chronic_weeks']} weeks with none"
        if ratio is None
        else f"up to {format_ratio(ratio)}× the {peak.evidence['chronic_weeks']} weeks before"
    )
    message = (
        f"Since the week of {format_date(parts[0].week_start)}: {len(parts)} weeks in a row "
        f"with much more descent than before ({amounts}, {compared}); downhill running loads "
        "the kneecap joint, so add descent gradually."
    )
    return merge_episode(parts, message, key=peak)


def _finding(
    week: date,
    acute: float,
    downhill_km: float,
    chronic: float,
    ratio: float | None,
    n: int,
    severity: str,
    t: Thresholds,
    units: str,
) -> Finding:
    what = f"{format_metres(acute)} of descent"
    if math.isfinite(downhill_km) and downhill_km > 0:
        what += f" over {format_distance(downhill_km, units)} of downhill"
    if ratio is None:
        compared = f"after {n} weeks with none"
    else:
        compared = (
            f"{format_ratio_against(ratio, t.downhill_ratio)}× your previous {n}-week average "
            f"of {format_metres(chronic)}"
        )
    message = (
        f"Week of {format_date(week)}: {what}, {compared}; downhill running loads the "
        "kneecap joint, so add descent gradually."
    )
    measures = [
        Measure("descent_m", round(acute), "m", "descent"),
        Measure("downhill_km", round(downhill_km, 1), "km", "downhill distance"),
        Measure(
            "chronic_descent_m", round(chronic), "m", f"average descent of the {n} weeks before"
        ),
        Measure("ratio", None if ratio is None else round(ratio, 2), "ratio", "ratio to that"),
        Measure("chronic_weeks", n, "weeks", "weeks averaged", shown=False),
    ]
    return make_finding(RULE, severity, week, message, measures)


RULE = Rule(
    id="downhill_volume",
    label="downhill volume",
    find=find_downhill_spikes,
    table="weekly",
    inputs=("week_start", "descent_m", "downhill_km"),
    thresholds=("chronic_weeks", "downhill_ratio", "downhill_min_m", "downhill_alert_ratio"),
    exercises=(
        "forward_step_down",
        "single_leg_wall_sit",
        "eccentric_single_leg_squat",
        "clamshell",
        "monster_walk",
    ),
    evidence=Evidence(
        kind="lab biomechanics",
        summary=(
            "Downhill running loads the kneecap joint and the thigh muscles eccentrically "
            "more than level running (Vernillo et al. 2017 review); the 1.5× and 500 m "
            "cut-offs are our choice by analogy with load ratios, untested in a cohort."
        ),
        references=(
            "Vernillo et al. 2017, Sports Med",
            "Six exercises to help with runner’s knee (001 seed)",
        ),
    ),
    description="A lot of downhill running, which loads the kneecap joint heavily.",
    rank=30,
)
