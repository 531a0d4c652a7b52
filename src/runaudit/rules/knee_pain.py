"""knee_pain: a week whose diary pain went above the "pain buffer zone".

The 004 seed ("Dealing With Runner’s Knee? Feel Better with These PT-Approved
Tips and Exercises") asks runners to rate knee pain from 0 to 10 and to scale
back once it goes above 5. A week whose highest score is above
``pain_warning`` (5) is a warning; it is an alert when the score reaches
``pain_alert`` (7) or when the week before was above ``pain_warning`` too.
Each finding names what rose in the running before it
(:func:`runaudit.training.triggers.find_triggers`) in the language of association.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from runaudit.rules._common import resolve, to_date
from runaudit.rules.findings import Finding
from runaudit.rules.messages import check_units, format_date, format_ratio
from runaudit.thresholds import Thresholds
from runaudit.training.triggers import (
    BASELINE_WEEKS,
    RECENT_WEEKS,
    Trigger,
    dimension_label,
    find_triggers,
)

RULE = "knee_pain"
#: Catalog exercise ids for this rule, most relevant first.
EXERCISES: tuple[str, ...] = (
    "load_management",
    "straight_leg_raise",
    "short_arc_quads",
    "wall_sit",
    "glute_bridge",
)
#: The article the rule's advice comes from.
SOURCE = "Dealing With Runner’s Knee? Feel Better with These PT-Approved Tips and Exercises"
#: Triggers named in the message (evidence lists them all).
NAMED_TRIGGERS = 3


def format_score(score: float) -> str:
    """A pain score as ``6`` or ``6.5``.

    >>> format_score(6.0), format_score(6.5)
    ('6', '6.5')
    """
    return f"{score:.1f}".removesuffix(".0")


def find_knee_pain(
    weekly: pd.DataFrame,
    activities: pd.DataFrame | None = None,
    thresholds: Thresholds | None = None,
    *,
    units: str = "km",
) -> list[Finding]:
    """Flag weeks whose highest pain score is above ``pain_warning``.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table with ``pain_max`` and ``pain_mean`` [score 0–10] (see
        :func:`runaudit.training.pain.with_weekly_pain`); without ``pain_max`` there is
        no diary and nothing is flagged. The load columns feed the triggers.
        Not modified.
    activities : pandas.DataFrame, optional
        For new-shoe triggers (needs a ``shoe`` column).
    thresholds : Thresholds, optional
        Uses ``pain_warning``, ``pain_alert`` and the trigger thresholds.
    units : {"km", "mi"}, default "km"
        Accepted for symmetry with the other rules (the message has no distances).

    Returns
    -------
    list of Finding
        One per flagged week. ``evidence``: ``pain_max``, ``pain_mean`` [score],
        ``weeks_above`` (weeks in a row above ``pain_warning``, this one
        included), ``triggers`` (list of ``{"dimension", "week_start", "ratio",
        "value", "baseline"}``, ranked), ``baseline_weeks``, ``not_compared``.
    """
    check_units(units)
    t = resolve(thresholds)
    if weekly.empty or "pain_max" not in weekly.columns:
        return []
    starts = pd.to_datetime(weekly["week_start"])
    pain_max = pd.to_numeric(weekly["pain_max"], errors="coerce")
    pain_mean = (
        pd.to_numeric(weekly["pain_mean"], errors="coerce")
        if "pain_mean" in weekly.columns
        else pain_max
    )
    by_week = pd.Series(pain_max.to_numpy(), index=pd.DatetimeIndex(starts)).sort_index()
    findings: list[Finding] = []
    for start, score in by_week.items():
        if not score > t.pain_warning:  # NaN (no entry) is never flagged
            continue
        streak = 1
        prev = pd.Timestamp(str(start)) - pd.Timedelta(days=7)
        while prev in by_week.index and by_week.loc[prev] > t.pain_warning:
            streak += 1
            prev -= pd.Timedelta(days=7)
        severity = "alert" if score >= t.pain_alert or streak >= 2 else "warning"
        mean = float(pain_mean[starts == start].iloc[0])
        report = find_triggers(weekly, start, activities, t)
        findings.append(
            Finding(
                rule=RULE,
                severity=severity,
                week_start=to_date(start),
                message=_message(to_date(start), float(score), mean, streak, severity, report, t),
                evidence={
                    "pain_max": round(float(score), 1),
                    "pain_mean": round(mean, 1),
                    "weeks_above": streak,
                    "triggers": [tr.to_dict() for tr in report.triggers],
                    "baseline_weeks": report.baseline_weeks,
                    "not_compared": list(report.not_compared),
                },
                exercises=EXERCISES,
            )
        )
    return findings


def describe_trigger(tr: Trigger) -> str:
    """One trigger in words, e.g. ``descent (4.5× the weeks before, week of 16 Feb 2026)``."""
    when = f"week of {format_date(tr.week_start)}"
    if tr.dimension == "new_shoe":
        return f"a new shoe, {tr.shoe} ({tr.value:.0%} of that week's distance, {when})"
    if tr.dimension == "cadence_spm":
        return f"a drop in cadence to {tr.value:.0f} from {tr.baseline:.0f} steps/min ({when})"
    ratio = format_ratio(tr.ratio or 0.0)
    return f"{dimension_label(tr.dimension)} ({ratio}× the weeks before, {when})"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _message(
    week: date,
    score: float,
    mean: float,
    streak: int,
    severity: str,
    report: Any,
    t: Thresholds,
) -> str:
    limit = format_score(t.pain_warning)
    head = (
        f"Week of {format_date(week)}: knee pain up to {format_score(score)}/10 (mean {mean:.1f})"
    )
    if streak >= 2:
        head += f", above {limit} for {streak} weeks in a row"
    if not report.judged:
        context = "There is too little running before it to compare what changed."
    elif report.triggers:
        named = [describe_trigger(tr) for tr in report.triggers[:NAMED_TRIGGERS]]
        context = (
            f"It came after a rise in {_join(named)}, compared with the "
            f"{report.baseline_weeks} weeks before."
        )
    else:
        context = (
            f"Nothing unusual came before it: distance, time, runs, long run and descent "
            f"in that week and the {RECENT_WEEKS - 1} before stayed close to the "
            f"{BASELINE_WEEKS} weeks before those."
        )
    advice = (
        f"Scale back distance, frequency and hills until the pain settles back to {limit} or"
        f" below (the “pain buffer zone” in “{SOURCE}”)."
    )
    return f"{head}. {context} {advice}"
