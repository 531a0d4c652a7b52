"""low_cadence: weekly running cadence below ``low_cadence_spm`` (160 spm).

Long, slow strides raise the load on the knee with every step (001 seed: 160–180
spm is typical; 004 seed: aim for 165–180). The message states the target range
and the first step toward it: raise the step rate by ``cadence_step_min`` to
``cadence_step_max`` (5–10 %) at a time, capped at the top of the target range
(Heiderscheit et al. 2011; Lenhart et al. 2014).

Weeks without cadence data (NaN, including weeks without running) are skipped,
never flagged.

Severity policy (each low week is flagged so a chart can mark it, but a single
low week is not alarming): a low week is ``"info"``; from the
``low_cadence_warning_weeks``-th (3rd) consecutive low week on it is
``"warning"``. Weeks without cadence data neither break nor extend a streak; a
week with data at or above the threshold, or a week without running, ends it.
Cadence is a habit, not an acute load, so this rule never alerts.

Episodes: the low weeks of one streak are one finding (``weeks`` lists them),
whose message says since when and how the cadence moved (156 → 158 spm).
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
)
from runaudit.rules.findings import Finding
from runaudit.rules.messages import check_units, format_date
from runaudit.rules.rule import Evidence, Measure, Rule
from runaudit.thresholds import Thresholds


def suggested_cadence(cadence_spm: float, thresholds: Thresholds | None = None) -> tuple[int, int]:
    """The next cadence range to try: 5–10% above the current one (by default).

    Parameters
    ----------
    cadence_spm : float
        Current running cadence [steps/min].
    thresholds : Thresholds, optional
        ``cadence_step_min`` and ``cadence_step_max`` [fraction] set the step,
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
    steps = (t.cadence_step_min, t.cadence_step_max)
    low, high = (min(math.floor(cadence_spm * (1 + s) + 0.5), cap) for s in steps)
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
        ``target_cadence_high_spm`` [steps/min], ``low_cadence_warning_weeks``
        [weeks], ``cadence_step_min`` and ``cadence_step_max`` [fraction].
        Defaults to ``Thresholds()``.
    units : {"km", "mi"}, default "km"
        Distance unit of the messages. Accepted and validated like the other
        rules' so :func:`~runaudit.rules.analyze` can pass it on; this
        rule's messages state no distance.

    Returns
    -------
    list of Finding
        One per streak of low weeks, in week order (``weeks`` lists them);
        ``"info"``, or ``"warning"`` once the streak reaches
        ``low_cadence_warning_weeks``. ``evidence`` (the streak's last week):
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
    found: list[Finding] = []
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
        severity = "warning" if streak >= t.low_cadence_warning_weeks else "info"
        found.append(_finding(to_date(week_start), float(spm), streak, severity, t))

    def starts_anew(_: Finding, current: Finding) -> bool:
        return bool(current.evidence["consecutive_low_weeks"] == 1)

    return [
        part[0] if len(part) == 1 else _episode(part, t) for part in episodes(found, starts_anew)
    ]


def _spm(spm: float, t: Thresholds) -> str:
    """Whole steps, unless rounding would reach the threshold (159.6 must not read 160)."""
    if round(spm) < t.low_cadence_spm:
        return str(round(spm))
    return f"{math.floor(spm * 10) / 10:.1f}"


def _advice(spm: float, t: Thresholds) -> str:
    low, high = suggested_cadence(spm, t)
    target = f"{t.target_cadence_low_spm:g}–{t.target_cadence_high_spm:g} spm"
    step = f"{t.cadence_step_min * 100:g}–{t.cadence_step_max * 100:g}%"
    return (
        f"aim for {target} by raising your step rate about {step} at a time, so try "
        f"{low}–{high} spm first."
    )


def _episode(parts: list[Finding], t: Thresholds) -> Finding:
    """One finding for a streak of low weeks: since when, and how the cadence moved."""
    first, last = parts[0], parts[-1]
    spm_first = float(first.evidence["cadence_spm"])
    spm_last = float(last.evidence["cadence_spm"])
    message = (
        f"Since the week of {format_date(first.week_start)}: your running cadence was below "
        f"{t.low_cadence_spm:g} spm in {len(parts)} weeks in a row, "
        f"{_spm(spm_first, t)} → {_spm(spm_last, t)} spm; {_advice(spm_last, t)}"
    )
    return merge_episode(parts, message, key=last)


def _finding(week: date, spm: float, streak: int, severity: str, t: Thresholds) -> Finding:
    low, high = suggested_cadence(spm, t)
    # a week after other low weeks is part of their episode (see _episode)
    where = f"below {t.low_cadence_spm:g}"
    message = (
        f"Week of {format_date(week)}: your running cadence was {_spm(spm, t)} spm, {where}; "
        f"{_advice(spm, t)}"
    )
    measures = [
        Measure("cadence_spm", round(spm, 1), "spm", "cadence"),
        Measure("threshold_spm", t.low_cadence_spm, "spm", "flagged below"),
        Measure("target_low_spm", t.target_cadence_low_spm, "spm", "target from"),
        Measure("target_high_spm", t.target_cadence_high_spm, "spm", "target up to"),
        Measure("suggested_low_spm", low, "spm", "try from"),
        Measure("suggested_high_spm", high, "spm", "try up to"),
        Measure("consecutive_low_weeks", streak, "weeks", "low weeks in a row"),
    ]
    return make_finding(RULE, severity, week, message, measures)


RULE = Rule(
    id="low_cadence",
    label="low cadence",
    find=find_low_cadence,
    table="weekly",
    inputs=("week_start", "cadence_spm", "runs"),
    thresholds=(
        "low_cadence_spm",
        "target_cadence_low_spm",
        "target_cadence_high_spm",
        "low_cadence_warning_weeks",
        "cadence_step_min",
        "cadence_step_max",
    ),
    exercises=(
        "pogo_hops_metronome",
        "cadence_drill",
        "single_leg_calf_raise",
        "bent_knee_calf_raise",
    ),
    evidence=Evidence(
        kind="lab biomechanics",
        summary=(
            "In the lab, a 5–10 % higher step rate lowered the load on the knee: "
            "Heiderscheit et al. 2011 (+5–10 %, less energy absorbed at the knee), "
            "Lenhart et al. 2014 (+10 %, peak patellofemoral force −14 %), Willson et al. "
            "2014 (10 % shorter steps, patellofemoral stress per step −22 %). No trial has "
            "shown that a cadence below 160 spm causes injury; the 160 spm line and the "
            "165–180 target are clinical guidance."
        ),
        references=(
            "Heiderscheit et al. 2011, Med Sci Sports Exerc",
            "Lenhart et al. 2014, Med Sci Sports Exerc",
            "Willson et al. 2014, Med Sci Sports Exerc",
            "Dealing With Runner’s Knee? Feel Better with These PT-Approved Tips and "
            "Exercises (004 seed)",
        ),
    ),
    description="Low step rate (long strides), which raises the load on the knee per step.",
    rank=40,
)
