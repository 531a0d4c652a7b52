"""knee_pain: a week whose diary pain went above the "pain buffer zone".

The 004 seed ("Dealing With Runner’s Knee? Feel Better with These PT-Approved
Tips and Exercises") asks runners to rate knee pain from 0 to 10 and to scale
back once it goes above 5. A week whose highest score is above
``pain_warning`` (5) is a warning; it is an alert when the score reaches
``pain_alert`` (7) or when it is the ``pain_alert_weeks``-th (2nd) week in a
row above ``pain_warning``. Each finding names what rose in the running before
it (:func:`runaudit.training.triggers.find_triggers`) in the language of
association. Consecutive weeks above the line are one episode, named by what
rose before its first week.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from runaudit.rules._common import episodes, make_finding, merge_episode, resolve, to_date, worst
from runaudit.rules.findings import Finding
from runaudit.rules.messages import check_units, format_date, format_ratio
from runaudit.rules.rule import Evidence, Measure, Rule
from runaudit.thresholds import Thresholds
from runaudit.training.triggers import (
    BASELINE_WEEKS,
    RECENT_WEEKS,
    Trigger,
    dimension_label,
    find_triggers,
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
        Uses ``pain_warning``, ``pain_alert`` [score], ``pain_alert_weeks``
        [weeks] and the trigger thresholds.
    units : {"km", "mi"}, default "km"
        Accepted for symmetry with the other rules (the message has no distances).

    Returns
    -------
    list of Finding
        One per episode of consecutive weeks above ``pain_warning`` (``weeks``
        lists them). ``evidence`` (the worst week's, its triggers those before
        the episode's first week): ``pain_max``, ``pain_mean`` [score],
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
    found: list[Finding] = []
    for start, score in by_week.items():
        if not score > t.pain_warning:  # NaN (no entry) is never flagged
            continue
        streak = 1
        prev = pd.Timestamp(str(start)) - pd.Timedelta(days=7)
        while prev in by_week.index and by_week.loc[prev] > t.pain_warning:
            streak += 1
            prev -= pd.Timedelta(days=7)
        severity = "alert" if score >= t.pain_alert or streak >= t.pain_alert_weeks else "warning"
        mean = float(pain_mean[starts == start].iloc[0])
        report = find_triggers(weekly, start, activities, t)
        found.append(
            make_finding(
                RULE,
                severity,
                to_date(start),
                _message(to_date(start), float(score), mean, streak, severity, report, t),
                [
                    Measure("pain_max", round(float(score), 1), "score", "highest pain"),
                    Measure("pain_mean", round(mean, 1), "score", "mean pain"),
                    Measure(
                        "weeks_above",
                        streak,
                        "weeks",
                        f"weeks above {format_score(t.pain_warning)}",
                    ),
                    _triggers(report),
                    Measure(
                        "baseline_weeks",
                        report.baseline_weeks,
                        "weeks",
                        "compared with",
                        shown=False,
                    ),
                    Measure(
                        "not_compared", list(report.not_compared), "", "not compared", shown=False
                    ),
                ],
            )
        )
    return [part[0] if len(part) == 1 else _episode(part, t) for part in episodes(found)]


def _triggers(report: Any) -> Measure:
    """The triggers as a measure: the list for JSON, short words for a card."""
    text = ", ".join(
        f"{dimension_label(tr.dimension)} {format_ratio(tr.ratio)}×"
        for tr in report.triggers
        if tr.ratio is not None
    )
    return Measure(
        "triggers",
        [tr.to_dict() for tr in report.triggers],
        "",
        "what rose before",
        shown=bool(text),
        text=text or "none",
    )


def _episode(parts: list[Finding], t: Thresholds) -> Finding:
    """One finding for consecutive pain weeks: since when, the scores, what rose before."""
    first, peak = parts[0], worst(parts)
    scores = " → ".join(f"{format_score(f.evidence['pain_max'])}" for f in parts)
    limit = format_score(t.pain_warning)
    # the first week's sentence about what came before, then the advice
    before = first.message.split(". ", 1)[1] if ". " in first.message else ""
    message = (
        f"Since the week of {format_date(first.week_start)}: knee pain above {limit}/10 for "
        f"{len(parts)} weeks in a row ({scores}/10). {before}"
    )
    return merge_episode(
        parts,
        message,
        key=peak,
        extra=[first.evidence.measure("triggers"), first.evidence.measure("baseline_weeks")],
    )


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


RULE = Rule(
    id="knee_pain",
    label="knee pain",
    find=find_knee_pain,
    table="weekly+activities",
    inputs=("week_start", "pain_max", "pain_mean", "shoe"),
    thresholds=(
        "pain_warning",
        "pain_alert",
        "pain_alert_weeks",
        "trigger_ratio",
        "cadence_drop_spm",
        "trigger_shoe_share",
    ),
    exercises=(
        "load_management",
        "straight_leg_raise",
        "short_arc_quads",
        "wall_sit",
        "glute_bridge",
    ),
    evidence=Evidence(
        kind="clinical guidance",
        summary=(
            "Physical therapists ask runners with knee pain to keep it at or below 5 out of "
            "10 and to scale back above that (the “pain buffer zone”); the triggers named "
            "are what rose before the pain, an association, not a proven cause."
        ),
        references=(f"{SOURCE} (004 seed)",),
    ),
    description="Knee pain in your diary went above the top of the pain buffer zone.",
    rank=80,
)
