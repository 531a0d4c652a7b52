"""One plan for the coming week, built from every finding still open (pure).

Instead of one list of exercises per finding, the runner gets one plan:

* a **distance cap** for next week: the ramp rule's ``acwr_warning`` × the mean
  of the last ``chronic_weeks`` weeks; while the latest knee pain is above
  ``pain_warning`` a lighter week instead (``deload_ratio`` × that mean);
  after a break (mean below ``comeback_chronic_km``) ``comeback_min_km``;
* **what to scale back**: the triggers of the latest open ``knee_pain`` finding;
* **one exercise list**, each exercise once with the rules it answers, most
  urgent rule first, then the hip and trunk group; the easier version
  (regression) while pain is above ``pain_warning``, the harder one
  (progression) once the weekly highest pain has stayed at or below
  ``pain_easy`` for the last two weeks of the diary.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from runaudit.advice.exercises import Exercise, load_catalog
from runaudit.rules.findings import Finding
from runaudit.thresholds import Thresholds
from runaudit.training.pain import latest_pain, weekly_pain
from runaudit.training.triggers import dimension_label

__all__ = ["OPEN_WEEKS", "Plan", "PlanExercise", "build_plan"]

#: Findings of the latest this-many weeks are "open" (the report and roster use the same).
OPEN_WEEKS = 4
#: Versions of an exercise the plan can ask for.
VERSIONS = ("easier", "standard", "harder")


@dataclass(frozen=True)
class PlanExercise:
    """One exercise of the plan.

    Attributes
    ----------
    exercise : Exercise
    rules : tuple of str
        The rules it answers, most urgent first (``hip_control`` for the group
        every runner with knee pain gets).
    version : str
        ``"easier"`` (do the regression), ``"standard"`` or ``"harder"`` (the progression).
    how : str
        The dose, or the regression/progression text for that version.
    """

    exercise: Exercise
    rules: tuple[str, ...]
    version: str
    how: str


@dataclass(frozen=True)
class Plan:
    """The plan for the week after the last week of data.

    Attributes
    ----------
    week_start : datetime.date or None
        Monday of the coming week (None without runs).
    distance_cap_km : float or None
        Most distance for that week [km].
    time_cap_s : float or None
        The same cap on running time [s] (``acwr_warning`` or ``deload_ratio`` ×
        the mean running time of the last weeks).
    cap_reason : str
        How the cap was set, in words.
    pain : float or None
        Latest diary score [0–10], with ``pain_date``.
    pain_date : datetime.date or None
    pain_state : str
        ``"none"`` (no diary), ``"high"`` (latest week above ``pain_warning``),
        ``"settling"`` or ``"low"`` (at or below ``pain_easy`` two weeks running).
    scale_back : tuple of str
        Dimensions to scale back (``descent_m``...), from the latest open knee_pain finding.
    scale_back_text : tuple of str
        The same in words.
    exercises : tuple of PlanExercise
        Each exercise once.
    findings : tuple of Finding
        The open findings the plan answers, most urgent first.
    """

    week_start: date | None
    distance_cap_km: float | None
    time_cap_s: float | None
    cap_reason: str
    pain: float | None
    pain_date: date | None
    pain_state: str
    scale_back: tuple[str, ...]
    scale_back_text: tuple[str, ...]
    exercises: tuple[PlanExercise, ...]
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (exercises by id)."""
        return {
            "week_start": self.week_start.isoformat() if self.week_start else None,
            "distance_cap_km": self.distance_cap_km,
            "time_cap_s": self.time_cap_s,
            "cap_reason": self.cap_reason,
            "pain": self.pain,
            "pain_date": self.pain_date.isoformat() if self.pain_date else None,
            "pain_state": self.pain_state,
            "scale_back": list(self.scale_back),
            "exercises": [
                {"id": p.exercise.id, "rules": list(p.rules), "version": p.version, "how": p.how}
                for p in self.exercises
            ],
            "findings": [f"{f.rule}:{f.week_start.isoformat()}" for f in self.findings],
        }


def open_findings(
    findings: Sequence[Finding], last_week: date | None, weeks: int = OPEN_WEEKS
) -> list[Finding]:
    """Findings of the latest ``weeks`` weeks, most severe then newest first."""
    if last_week is None:
        return []
    recent = [f for f in findings if 0 <= (last_week - f.week_start).days < 7 * weeks]
    return sorted(recent, key=lambda f: (f.severity_rank, f.week_start), reverse=True)


def _pain_state(entries: pd.DataFrame | None, t: Thresholds) -> str:
    if entries is None or entries.empty:
        return "none"
    weeks = weekly_pain(entries)["pain_max"].sort_index()
    latest = weeks.index[-1]
    if weeks.iloc[-1] > t.pain_warning:
        return "high"
    before = latest - pd.Timedelta(days=7)
    if weeks.iloc[-1] <= t.pain_easy and before in weeks.index and weeks.loc[before] <= t.pain_easy:
        return "low"
    return "settling"


def _caps(weekly: pd.DataFrame, state: str, t: Thresholds) -> tuple[float, float | None, str]:
    last = weekly.tail(t.chronic_weeks)
    km = float(last["distance_km"].mean())
    secs = float(last["moving_time_s"].mean()) if "moving_time_s" in last.columns else math.nan
    n = len(last)
    if km < t.comeback_chronic_km:
        return (
            t.comeback_min_km,
            None,
            f"your last {n} weeks averaged under {t.comeback_chronic_km:g} km, so build back"
            f" gently: at most {t.comeback_min_km:g} km",
        )
    if state == "high":
        factor = t.deload_ratio
        reason = (
            f"knee pain is above {t.pain_warning:g}/10: a lighter week, at most"
            f" {factor:.0%} of your {n}-week average"
        )
    else:
        factor = t.acwr_warning
        reason = f"at most {factor:g}× your {n}-week average (the ramp rule's limit)"
    time_cap = factor * secs if math.isfinite(secs) and secs > 0 else None
    return round(factor * km, 1), (round(time_cap) if time_cap else None), reason


def _how(ex: Exercise, version: str) -> str:
    if version == "easier":
        return ex.regression
    if version == "harder":
        return ex.progression
    return ex.dose_text


def build_plan(
    weekly: pd.DataFrame,
    findings: Sequence[Finding],
    pain_entries: pd.DataFrame | None = None,
    thresholds: Thresholds | None = None,
    *,
    open_weeks: int = OPEN_WEEKS,
) -> Plan:
    """The plan for the week after the weekly table's last week.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table (``week_start``, ``distance_km`` [km], ``moving_time_s`` [s]).
    findings : sequence of Finding
        All findings; those of the last ``open_weeks`` weeks are answered.
    pain_entries : pandas.DataFrame, optional
        The diary's entries (:attr:`runaudit.training.pain.PainDiary.entries`).
    thresholds : Thresholds, optional

    Returns
    -------
    Plan
    """
    t = thresholds or Thresholds()
    catalog = load_catalog()
    state = _pain_state(pain_entries, t)
    latest = latest_pain(pain_entries)
    pain, pain_date = (latest[1], latest[0].date()) if latest else (None, None)
    if weekly.empty:
        week_start = None
        cap: float | None = None
        time_cap: float | None = None
        reason = "no runs yet"
        last_week = None
    else:
        last_week = pd.Timestamp(weekly["week_start"].max()).date()
        week_start = last_week + timedelta(days=7)
        cap, time_cap, reason = _caps(weekly, state, t)
    current = open_findings(findings, last_week, open_weeks)
    pain_findings = [f for f in current if f.rule == "knee_pain"]
    scale: list[str] = []
    if pain_findings:
        newest = max(pain_findings, key=lambda f: f.week_start)
        scale = [tr["dimension"] for tr in newest.evidence.get("triggers", [])][:3]
    version = {"high": "easier", "low": "harder"}.get(state, "standard")
    order: dict[str, list[str]] = {}
    for rule_findings in [*current, None]:
        rule = rule_findings.rule if rule_findings is not None else "hip_control"
        ids = (
            rule_findings.exercises or catalog.rules.get(rule, ())
            if rule_findings is not None
            else catalog.rules.get("hip_control", ())
        )
        for ex_id in ids:
            if ex_id not in catalog.exercises:
                continue
            rules = order.setdefault(ex_id, [])
            if rule not in rules:
                rules.append(rule)
    exercises = tuple(
        PlanExercise(
            catalog.exercises[i], tuple(rules), version, _how(catalog.exercises[i], version)
        )
        for i, rules in order.items()
    )
    return Plan(
        week_start=week_start,
        distance_cap_km=cap,
        time_cap_s=time_cap,
        cap_reason=reason,
        pain=pain,
        pain_date=pain_date,
        pain_state=state,
        scale_back=tuple(scale),
        scale_back_text=tuple(dimension_label(d) for d in scale),
        exercises=exercises,
        findings=tuple(current),
    )
