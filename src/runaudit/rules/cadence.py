"""low_cadence: weekly running cadence below ``low_cadence_spm`` (160 spm).

Long, slow strides raise the load on the knee with every step (001 seed: 160–180
spm is typical; 004 seed: aim for 165–180). The message states the target range
and the first step toward it: raise the step rate by about 5–10% at a time
(capped at the top of the target range).

Weeks without cadence data (NaN, including weeks without running) are skipped,
never flagged.

Severity policy (each low week is flagged so a chart can mark it, but a single
low week is not alarming): a low week is ``"info"``; from the
:data:`WARN_AFTER_WEEKS`-th (3rd) consecutive low week on it is ``"warning"``.
Weeks without cadence data neither break nor extend a streak; a week with data
at or above the threshold ends it. Cadence is a habit, not an acute load, so
this rule never alerts.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd

from runaudit.rules._common import complete_weeks, resolve, to_date
from runaudit.rules.findings import Finding
from runaudit.rules.messages import check_units, format_date, ordinal
from runaudit.thresholds import Thresholds

RULE = "low_cadence"
#: Catalog exercise ids for this rule, most relevant first.
EXERCISES: tuple[str, ...] = (
    "pogo_hops_metronome",
    "cadence_drill",
    "single_leg_calf_raise",
    "bent_knee_calf_raise",
)
#: The this-many-th consecutive low week (and later ones) is a warning [weeks].
WARN_AFTER_WEEKS = 3
#: First step toward the target: raise the step rate by this share [fraction].
STEP_UP = (0.05, 0.10)


def suggested_cadence(cadence_spm: float, thresholds: Thresholds | None = None) -> tuple[int, int]:
    """The next cadence range to try: 5–10% above the current one.

    Parameters
    ----------
    cadence_spm : float
        Current running cadence [steps/min].
    thresholds : Thresholds, optional
        ``target_cadence_high_spm`` [steps/min] caps the range.

    Returns
    -------
    tuple of int
        (low, high) [steps/min], rounded to whole steps.

    Examples
    --------
    >>> suggested_cadence(155.0)
    (163, 171)
    """
    t = resolve(thresholds)
    cap = t.target_cadence_high_spm
    low, high = (min(math.floor(cadence_spm * (1 + s) + 0.5), cap) for s in STEP_UP)
    return int(low), int(high)


def find_low_cadence(
    weekly: pd.DataFrame, thresholds: Thresholds | None = None, *, units: str = "km"
) -> list[Finding]:
    """Flag weeks whose running cadence is below the threshold.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``week_start`` (Monday) and ``cadence_spm``
        [steps/min] (time-weighted median of the week's running; NaN when the
        week has no cadence data). Not modified.
    thresholds : Thresholds, optional
        Uses ``low_cadence_spm``, ``target_cadence_low_spm`` and
        ``target_cadence_high_spm`` [steps/min]. Defaults to ``Thresholds()``.
    units : {"km", "mi"}, default "km"
        Distance unit of the messages. Accepted and validated like the other
        rules' so :func:`~runaudit.rules.analyze` can pass it on; this
        rule's messages state no distance.

    Returns
    -------
    list of Finding
        One per low week, in week order; ``"info"``, or ``"warning"`` from the
        :data:`WARN_AFTER_WEEKS`-th consecutive low week. ``evidence``:
        ``cadence_spm``, ``threshold_spm``, ``target_low_spm``, ``target_high_spm``,
        ``suggested_low_spm``, ``suggested_high_spm`` [steps/min],
        ``consecutive_low_weeks`` [weeks].

    Raises
    ------
    ValueError
        If ``units`` is neither ``"km"`` nor ``"mi"``, or the table lacks a
        column, lists a week twice, or has week starts not whole weeks apart.

    Examples
    --------
    >>> weekly = pd.DataFrame({
    ...     "week_start": pd.date_range("2026-01-05", periods=3, freq="7D"),
    ...     "cadence_spm": [170.0, float("nan"), 155.0],
    ... })
    >>> [(f.week_start.isoformat(), f.severity) for f in find_low_cadence(weekly)]
    [('2026-01-19', 'info')]
    """
    check_units(units)
    t = resolve(thresholds)
    if weekly.empty:
        return []
    has_runs = "runs" in weekly.columns
    weeks = complete_weeks(weekly, ["runs"] if has_runs else [], keep=["cadence_spm"])
    streak = 0
    findings: list[Finding] = []
    for week_start, spm in weeks["cadence_spm"].items():
        if has_runs and not weeks.at[week_start, "runs"]:
            streak = 0  # a week without running ends a run of low weeks
            continue
        if math.isnan(spm):
            continue  # ran, but without a cadence sensor: neither breaks nor extends
        if spm >= t.low_cadence_spm:
            streak = 0
            continue
        streak += 1
        severity = "warning" if streak >= WARN_AFTER_WEEKS else "info"
        findings.append(_finding(to_date(week_start), float(spm), streak, severity, t))
    return findings


def _spm(spm: float, t: Thresholds) -> str:
    """Whole steps, unless rounding would reach the threshold (159.6 must not read 160)."""
    if round(spm) < t.low_cadence_spm:
        return str(round(spm))
    return f"{math.floor(spm * 10) / 10:.1f}"


def _finding(week: date, spm: float, streak: int, severity: str, t: Thresholds) -> Finding:
    low, high = suggested_cadence(spm, t)
    target = f"{t.target_cadence_low_spm:g}–{t.target_cadence_high_spm:g} spm"
    where = (
        f"below {t.low_cadence_spm:g}"
        if streak == 1
        else f"the {ordinal(streak)} week in a row below {t.low_cadence_spm:g}"
    )
    message = (
        f"Week of {format_date(week)}: your running cadence was {_spm(spm, t)} spm, {where}; "
        f"aim for {target} by raising your step rate about 5–10% at a time, so try "
        f"{low}–{high} spm first."
    )
    evidence: dict[str, Any] = {
        "cadence_spm": round(spm, 1),
        "threshold_spm": t.low_cadence_spm,
        "target_low_spm": t.target_cadence_low_spm,
        "target_high_spm": t.target_cadence_high_spm,
        "suggested_low_spm": low,
        "suggested_high_spm": high,
        "consecutive_low_weeks": streak,
    }
    return Finding(
        rule=RULE,
        severity=severity,
        week_start=week,
        message=message,
        evidence=evidence,
        exercises=EXERCISES,
    )
