"""The plan: the seven days from the Monday after the audit's date, day by day (pure).

:func:`build_plan` turns the tables, the open findings and the pain diary into a
:class:`WeekPlan`:

* **how far**: a distance cap for the week (``acwr_warning`` × the mean of the
  last ``chronic_weeks`` weeks; ``deload_ratio`` × that mean while knee pain is
  above ``pain_warning``; never more than the week that raised an open
  ``ramp_up`` or ``long_run_spike``), and a cap on the longest run
  (``long_run_cap_ratio`` × the longest run of the previous
  ``long_run_window_days`` days; Frandsen et al. 2025). More than
  ``comeback_gap_days`` after the last run the week is a comeback week that
  assumes no running since.
* **when**: runs on the runner's usual weekdays and in their usual number (the
  last :data:`HABIT_WEEKS` weeks of data), at least one day without a run.
* **what else**: strength on two to four days, at most
  :data:`MAX_EXERCISES_PER_DAY` exercises a day, picked by the open findings'
  priority. The plan starts with two or three exercises and adds one once pain
  has stayed low (the "Best Exercises for Runner's Knee: Quick Relief Tips"
  article: begin with two or three and add more as you get stronger). Each
  exercise appears on as many strength days as its dose asks for (up to the
  number of strength days). Plyometrics (pogo hops) only once the diary's weekly
  highest pain has stayed at or below ``pain_easy`` for two weeks; the easier
  versions (regressions) while pain is above ``pain_warning``. Load management
  and running drills are advice, not strength work: they go in the notes.

Examples
--------
>>> plan = build_plan(activities, weekly, findings, as_of=date(2026, 9, 21))  # doctest: +SKIP
>>> plan.to_frame()                                                           # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Any

import pandas as pd

from runaudit.advice.exercises import Catalog, Exercise, load_catalog
from runaudit.rules import rule_label
from runaudit.rules.findings import Finding
from runaudit.rules.messages import format_date
from runaudit.thresholds import Thresholds
from runaudit.training.pain import latest_pain, weekly_pain
from runaudit.training.triggers import dimension_label

__all__ = [
    "HABIT_WEEKS",
    "MAX_EXERCISES_PER_DAY",
    "OPEN_WEEKS",
    "PlanDay",
    "PlanExercise",
    "WeekPlan",
    "build_plan",
    "finding_exercises",
    "open_findings",
    "plan_week_start",
    "times_per_week",
]

#: Findings of the latest this-many weeks of data are "open" (the report and roster use the same).
OPEN_WEEKS = 4
#: Weeks of data the usual weekdays and number of runs are read from [weeks].
HABIT_WEEKS = 8
#: Most exercises on one strength day.
MAX_EXERCISES_PER_DAY = 4
#: Fewest and most strength days a week.
MIN_STRENGTH_DAYS, MAX_STRENGTH_DAYS = 2, 4
#: Shortest run the plan schedules [km]; fewer runs rather than shorter ones.
MIN_RUN_KM = 3.0
#: Kinds of catalog entries done on a strength day.
STRENGTH_KINDS = frozenset({"strength", "plyometric", "mobility"})
#: Versions of an exercise the plan can ask for.
VERSIONS = ("easier", "standard", "harder")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class PlanExercise:
    """One exercise of the week.

    Attributes
    ----------
    exercise : Exercise
    rules : tuple of str
        The open findings' rules it answers, most urgent first (``hip_control`` for
        the hip and trunk group).
    version : str
        ``"easier"`` (do the regression), ``"standard"`` or ``"harder"`` (the progression).
    how : str
        The dose, or the regression/progression text for that version.
    days_per_week : int
        Strength days it is on this week.
    """

    exercise: Exercise
    rules: tuple[str, ...]
    version: str
    how: str
    days_per_week: int


@dataclass(frozen=True)
class PlanDay:
    """One day of the plan.

    Attributes
    ----------
    date : datetime.date
    run_km : float
        Distance to run [km]; 0.0 on a day without a run.
    strength : tuple of str
        Catalog ids of the day's exercises (at most :data:`MAX_EXERCISES_PER_DAY`).
    notes : tuple of str
        What else to know about the day, in words.
    long_run : bool
        The week's longest run is on this day.
    """

    date: date
    run_km: float
    strength: tuple[str, ...]
    notes: tuple[str, ...]
    long_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``date`` (ISO), ``run_km``, ``strength`` (ids), ``notes``."""
        return {
            "date": self.date.isoformat(),
            "run_km": self.run_km,
            "strength": list(self.strength),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class WeekPlan:
    """The seven days from :attr:`week_start`.

    Attributes
    ----------
    week_start : datetime.date
        The Monday after :attr:`as_of`.
    as_of : datetime.date
        The day the plan was made.
    data_ends : datetime.date or None
        Local date of the last dated run (None without runs).
    days_since_data : int or None
        Days from :attr:`data_ends` to :attr:`as_of`.
    comeback : bool
        True when the week starts more than ``comeback_gap_days`` after the last run:
        the plan assumes no running since.
    cap_km : float
        Most distance for the week [km]; the runs sum to at most this.
    long_run_cap_km : float
        Longest single run allowed [km].
    cap_reason : str
        How the cap was set, in words.
    descent_cap_m : float or None
        Most descent for the week [m] while ``downhill_volume`` is open.
    trail_cap_km : float or None
        Most distance on the flagged surface [km] while ``surface_change`` is open.
    pain : float or None
        Latest diary score [0–10], on ``pain_date``.
    pain_date : datetime.date or None
    pain_state : str
        ``"none"`` (no diary), ``"high"`` (latest week above ``pain_warning``),
        ``"settling"``, or ``"low"`` (at or below ``pain_easy`` two weeks running).
    scale_back : tuple of str
        Dimensions to scale back (``descent_m``...), from the latest open knee_pain finding.
    scale_back_text : tuple of str
        The same in words.
    exercises : tuple of PlanExercise
        The week's exercises, most urgent first.
    findings : tuple of Finding
        The open findings the plan answers, most urgent first.
    days : tuple of PlanDay
        Seven days, Monday first.
    notes : tuple of str
        Advice for the whole week (load management, the data's age, the cap).
    """

    week_start: date
    as_of: date
    data_ends: date | None
    days_since_data: int | None
    comeback: bool
    cap_km: float
    long_run_cap_km: float
    cap_reason: str
    descent_cap_m: float | None
    trail_cap_km: float | None
    pain: float | None
    pain_date: date | None
    pain_state: str
    scale_back: tuple[str, ...]
    scale_back_text: tuple[str, ...]
    exercises: tuple[PlanExercise, ...]
    findings: tuple[Finding, ...]
    days: tuple[PlanDay, ...]
    notes: tuple[str, ...]

    @property
    def run_km(self) -> float:
        """The week's planned distance [km] (at most :attr:`cap_km`)."""
        return round(sum(d.run_km for d in self.days), 1)

    @property
    def exercise_ids(self) -> tuple[str, ...]:
        """Catalog ids of the week's exercises, most urgent first."""
        return tuple(p.exercise.id for p in self.exercises)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``week_start``, ``cap_km``, ``long_run_cap_km``, ``days``
        (seven :meth:`PlanDay.to_dict`), then the rest of the plan."""
        return {
            "week_start": self.week_start.isoformat(),
            "cap_km": self.cap_km,
            "long_run_cap_km": self.long_run_cap_km,
            "days": [d.to_dict() for d in self.days],
            "as_of": self.as_of.isoformat(),
            "data_ends": self.data_ends.isoformat() if self.data_ends else None,
            "days_since_data": self.days_since_data,
            "comeback": self.comeback,
            "cap_reason": self.cap_reason,
            "descent_cap_m": self.descent_cap_m,
            "trail_cap_km": self.trail_cap_km,
            "pain": self.pain,
            "pain_date": self.pain_date.isoformat() if self.pain_date else None,
            "pain_state": self.pain_state,
            "scale_back": list(self.scale_back),
            "exercises": [
                {
                    "id": p.exercise.id,
                    "name": p.exercise.name,
                    "rules": list(p.rules),
                    "version": p.version,
                    "how": p.how,
                    "days_per_week": p.days_per_week,
                }
                for p in self.exercises
            ],
            "findings": [f"{f.rule}:{f.week_start.isoformat()}" for f in self.findings],
            "notes": list(self.notes),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per day: ``date`` (datetime64[ns], midnight), ``weekday``, ``run_km``
        [km], ``long_run`` (bool), ``strength`` (list of catalog ids), ``notes`` (list)."""
        return pd.DataFrame(
            {
                "date": pd.to_datetime([d.date for d in self.days]).astype("datetime64[ns]"),
                "weekday": [WEEKDAYS[d.date.weekday()] for d in self.days],
                "run_km": pd.Series([d.run_km for d in self.days], dtype="float64"),
                "long_run": [d.long_run for d in self.days],
                "strength": [list(d.strength) for d in self.days],
                "notes": [list(d.notes) for d in self.days],
            }
        )

    def lines(self) -> list[str]:
        """The plan as text lines: the cap, one line per day, then the week's notes."""
        head = (
            f"Week of {self.week_start:%a} {format_date(self.week_start)}:"
            f" run at most {self.cap_km:g} km,"
            f" longest run at most {self.long_run_cap_km:g} km ({self.cap_reason})."
        )
        out = [head]
        for d in self.days:
            run = f"{d.run_km:4.1f} km" + (" (long)" if d.long_run else "") if d.run_km else "rest"
            strength = ", ".join(d.strength) if d.strength else "–"
            out.append(f"  {d.date:%a %Y-%m-%d}  {run:<14} strength: {strength}")
            out += [f"      {n}" for n in d.notes]
        if self.exercises:
            out.append("Exercises:")
            out += [
                f"  {p.exercise.name} ({p.days_per_week}x this week, {p.version}): {p.how}"
                for p in self.exercises
            ]
        out += [f"Note: {n}" for n in self.notes]
        return out

    def to_ics(self) -> bytes:
        """The week as an iCalendar file: one all-day event per run and per strength day."""
        return plan_to_ics(self)

    def __repr__(self) -> str:
        return "\n".join(["<WeekPlan>", *self.lines()])

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
        frame["strength"] = frame["strength"].map(", ".join)
        frame["notes"] = frame["notes"].map("; ".join)
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        return (
            f"<p><b>Week of {escape(self.week_start.isoformat())}</b>: at most "
            f"{self.cap_km:g} km, longest run {self.long_run_cap_km:g} km "
            f"({escape(self.cap_reason)}).</p>"
            + frame.to_html(index=False, escape=True)
            + (f"<ul>{notes}</ul>" if notes else "")
        )


def plan_week_start(as_of: date) -> date:
    """The Monday after ``as_of`` (a Monday gives the next one).

    >>> plan_week_start(date(2026, 9, 21)), plan_week_start(date(2026, 9, 20))
    (datetime.date(2026, 9, 28), datetime.date(2026, 9, 21))
    """
    return as_of + timedelta(days=7 - as_of.weekday())


def open_findings(
    findings: Sequence[Finding], last_week: date | None, weeks: int = OPEN_WEEKS
) -> list[Finding]:
    """Findings of the latest ``weeks`` weeks up to ``last_week``, most severe then newest first."""
    if last_week is None:
        return []
    # an episode is open while its last week is recent, however long ago it began
    recent = [f for f in findings if 0 <= (last_week - f.last_week).days < 7 * weeks]
    return sorted(recent, key=lambda f: (f.severity_rank, f.last_week), reverse=True)


_TIMES = re.compile(r"(\d+)(?:\s*[-–]\s*\d+)?\s*x", re.IGNORECASE)


def times_per_week(frequency: str) -> int:
    """Sessions a week a dose's frequency asks for (the low end of a range).

    >>> [times_per_week(f) for f in ("3x per week", "2-3x per week", "daily", "most days")]
    [3, 2, 7, 5]
    >>> times_per_week("daily or every other day")
    4
    """
    text = frequency.lower()
    found = _TIMES.search(text)
    if found:
        return int(found.group(1))
    if "every other day" in text:
        return 4
    if "daily" in text or "every day" in text:
        return 7
    if "most days" in text:
        return 5
    return 3


def finding_exercises(
    plan: WeekPlan, findings: Sequence[Finding]
) -> dict[Finding, tuple[str, ...]]:
    """Each finding's exercises that made it into the plan, in the finding's order.

    A card names only these (never an exercise the plan does not hold); drills
    and load management are advice in the plan's notes, not exercises.
    """
    chosen = set(plan.exercise_ids)
    return {f: tuple(e for e in f.exercises if e in chosen) for f in findings}


def pain_state(entries: pd.DataFrame | None, t: Thresholds) -> str:
    """``"none"``, ``"high"``, ``"settling"`` or ``"low"`` from the diary's weekly highest pain."""
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


def _floor1(km: float) -> float:
    return math.floor(max(km, 0.0) * 10 + 1e-9) / 10


@dataclass(frozen=True)
class _Cap:
    km: float
    reason: str
    comeback: bool


def _cap(
    weekly: pd.DataFrame,
    current: Sequence[Finding],
    state: str,
    gap_days: int,
    t: Thresholds,
) -> _Cap:
    """The week's distance cap [km] and why."""
    ran = weekly[weekly["runs"] > 0] if "runs" in weekly.columns else weekly
    last = weekly[weekly["week_start"] <= ran["week_start"].max()].tail(t.chronic_weeks)
    km = float(last["distance_km"].mean()) if not last.empty else 0.0
    n = len(last)
    if gap_days > t.comeback_gap_days:
        head = (
            f"a comeback week: your last run was {gap_days} days before this week, and the"
            " plan assumes no running since"
        )
        if km >= t.comeback_chronic_km:
            cap = min(t.comeback_min_km, km)
            why = f"at most {t.comeback_min_km:g} km and no more than your last {n}-week average"
        else:  # the runner did not even average comeback_chronic_km before the break
            cap = t.comeback_chronic_km
            why = f"your last {n} weeks averaged under {cap:g} km, so at most that"
        return _Cap(_floor1(cap), f"{head}; {why}, spread evenly", True)
    if km < t.comeback_chronic_km:
        return _Cap(
            t.comeback_min_km,
            f"your last {n} weeks averaged under {t.comeback_chronic_km:g} km, so build back"
            f" gently: at most {t.comeback_min_km:g} km",
            False,
        )
    if state == "high":
        cap = t.deload_ratio * km
        reason = (
            f"knee pain is above {t.pain_warning:g}/10: a lighter week, at most"
            f" {t.deload_ratio:.0%} of your {n}-week average"
        )
    else:
        cap = t.acwr_warning * km
        reason = f"at most {t.acwr_warning:g}× your {n}-week average (the ramp rule's limit)"
    week_km = weekly.set_index(pd.to_datetime(weekly["week_start"]))["distance_km"]
    for f in current:
        if f.rule not in ("ramp_up", "long_run_spike"):
            continue
        for week in f.weeks:  # every week of an episode raised it: the smallest caps
            raised = week_km.get(pd.Timestamp(week))
            if raised is not None and float(raised) < cap:
                cap = float(raised)
                reason = (
                    f"no more than the week of {format_date(week)} that raised the open"
                    f" {rule_label(f.rule)} finding ({cap:.1f} km)"
                )
    return _Cap(_floor1(cap), reason, False)


def _habits(
    runs: pd.DataFrame, weekly: pd.DataFrame, data_ends: date
) -> tuple[int, list[int], int, float]:
    """Usual number of runs a week, weekdays by how often they were run on, the usual
    long-run weekday, and the long run's usual share of the week's distance."""
    since = pd.Timestamp(data_ends) - pd.Timedelta(weeks=HABIT_WEEKS)
    recent = runs[runs["start_local"] > since]
    weeks = weekly[pd.to_datetime(weekly["week_start"]) > since - pd.Timedelta(days=7)]
    active = weeks[weeks["runs"] > 0]
    count = round(float(active["runs"].median())) if not active.empty else 3
    days = recent["start_local"].dt.day_of_week
    counts = Counter(days.tolist())
    order = sorted(range(7), key=lambda d: (-counts.get(d, 0), d))
    by_day = recent.groupby(days)["distance_km"].mean()
    long_day = int(str(by_day.idxmax())) if not by_day.empty else 6
    share = active["long_run_km"] / active["distance_km"].where(active["distance_km"] > 0)
    long_share = float(share.mean()) if share.notna().any() else 0.35
    return max(1, min(6, count)), order, long_day, long_share


def _run_days(order: list[int], count: int, long_day: int) -> list[int]:
    chosen = order[:count]
    if long_day not in chosen:
        chosen = [*chosen[: count - 1], long_day]
    return sorted(set(chosen))


def _distances(cap: float, long_cap: float, days: list[int], long_day: int, share: float) -> dict:
    if len(days) == 1:
        return {days[0]: _floor1(min(cap, long_cap))}
    share = min(max(share, 1 / len(days)), 0.5)
    long_km = _floor1(min(long_cap, cap * share))
    easy = _floor1(min((cap - long_km) / (len(days) - 1), long_km))
    return {d: (long_km if d == long_day else easy) for d in days}


def _strength_days(run_days: list[int], long_day: int, k: int) -> list[int]:
    """``k`` weekdays for strength: rest days first, never the long run's day or the day
    before it when there is a choice, spread out (no two in a row where possible)."""

    def score(d: int) -> tuple[int, int]:
        bad = 2 if d == long_day else 1 if d == (long_day - 1) % 7 else 0
        return (bad, 0 if d not in run_days else 1)

    ranked = sorted(range(7), key=lambda d: (*score(d), d))
    picked: list[int] = []
    for d in ranked:
        if len(picked) < k and all(abs(d - p) > 1 for p in picked):
            picked.append(d)
    for d in ranked:
        if len(picked) < k and d not in picked:
            picked.append(d)
    return sorted(picked)


def _how(ex: Exercise, version: str) -> str:
    if version == "easier":
        return ex.regression
    if version == "harder":
        return ex.progression
    return ex.dose_text


def _pool(current: Sequence[Finding], catalog: Catalog, *, with_hips: bool) -> dict[str, list[str]]:
    """Catalog id → the rules asking for it, in priority order (most urgent finding first)."""
    order: dict[str, list[str]] = {}
    sources: list[tuple[str, Sequence[str]]] = [
        (f.rule, f.exercises or catalog.rules.get(f.rule, ())) for f in current
    ]
    if with_hips or not current:
        sources.append(("hip_control", catalog.rules.get("hip_control", ())))
    for rule, ids in sources:
        for ex_id in ids:
            if ex_id in catalog.exercises:
                rules = order.setdefault(ex_id, [])
                if rule not in rules:
                    rules.append(rule)
    return order


def _count(state: str) -> int:
    """How many exercises this week: two while pain is high, three to start, four once
    pain has stayed low ("begin with two or three, add more as you get stronger")."""
    return {"high": 2, "low": 4}.get(state, 3)


def build_plan(
    activities: pd.DataFrame,
    weekly: pd.DataFrame,
    findings: Sequence[Finding],
    pain_entries: pd.DataFrame | None = None,
    thresholds: Thresholds | None = None,
    *,
    as_of: date | None = None,
    open_weeks: int = OPEN_WEEKS,
) -> WeekPlan:
    """The plan for the seven days from the Monday after ``as_of``.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table (``start_local``, ``distance_km`` [km]; undated runs are
        left out).
    weekly : pandas.DataFrame
        The weekly table (``week_start``, ``runs``, ``distance_km`` [km], ``long_run_km`` [km]).
    findings : sequence of Finding
        All findings; those of the last ``open_weeks`` weeks of data are answered.
    pain_entries : pandas.DataFrame, optional
        The diary's entries (:attr:`runaudit.training.pain.PainDiary.entries`).
    thresholds : Thresholds, optional
    as_of : datetime.date, optional
        The day the plan is made (default today).

    Returns
    -------
    WeekPlan
    """
    t = thresholds or Thresholds()
    as_of = as_of or date.today()
    start = plan_week_start(as_of)
    catalog = load_catalog()
    runs = activities
    if "date_known" in runs.columns:
        runs = runs[runs["date_known"].astype(bool)]
    runs = runs[pd.to_datetime(runs["start_local"]).dt.date <= as_of] if not runs.empty else runs
    state = pain_state(pain_entries, t)
    latest = latest_pain(pain_entries)
    pain, pain_date = (latest[1], latest[0].date()) if latest else (None, None)
    dates = [start + timedelta(days=i) for i in range(7)]
    if runs.empty or weekly.empty:
        days = tuple(PlanDay(d, 0.0, (), ("rest",)) for d in dates)
        return WeekPlan(
            start, as_of, None, None, False, 0.0, 0.0, "no runs yet", None, None, pain,
            pain_date, state, (), (), (), (), days, ("No runs yet: nothing to plan from.",),
        )  # fmt: skip
    data_ends = pd.Timestamp(runs["start_local"].max()).date()
    gap_days = (start - data_ends).days - 1
    last_week = pd.Timestamp(weekly["week_start"].max()).date()
    current = open_findings(findings, last_week, open_weeks)
    cap = _cap(weekly, current, state, gap_days, t)
    if cap.comeback:
        current = []  # old findings describe training the plan no longer builds on
    count, order, long_day, share = _habits(runs, weekly, data_ends)
    if cap.comeback:
        count = max(count, 2)  # spread a comeback week: no single long run
    while count > 1 and cap.km / count < MIN_RUN_KM:
        count -= 1
    window = pd.Timestamp(start) - pd.Timedelta(days=t.long_run_window_days)
    recent_longest = runs.loc[runs["start_local"] >= window, "distance_km"]
    if cap.comeback:
        # evenly spread, and no longer than the band of the last runs before the break
        # (at least MIN_RUN_KM: a recording of a few hundred metres is no guide)
        before = runs.loc[
            runs["start_local"]
            >= pd.Timestamp(data_ends) - pd.Timedelta(days=t.long_run_window_days),
            "distance_km",
        ]
        band = max(MIN_RUN_KM, _floor1(t.long_run_cap_ratio * before.max()))
        long_cap = min(_floor1(cap.km / count), band)
    elif recent_longest.empty:
        long_cap = _floor1(cap.km)
    else:
        long_cap = min(_floor1(t.long_run_cap_ratio * float(recent_longest.max())), cap.km)
    run_days = _run_days(order, count, long_day)
    if long_day not in run_days:
        long_day = run_days[-1]
    km = _distances(cap.km, long_cap, run_days, long_day, share)
    # what the open findings cap beyond distance
    rules = {f.rule: f for f in current}
    descent_cap = trail_cap = None
    run_notes: list[str] = []
    if "downhill_volume" in rules:
        descent_cap = float(rules["downhill_volume"].evidence.get("chronic_descent_m", 0.0)) or None
        if descent_cap is not None:
            run_notes.append(f"flat route: at most {descent_cap:.0f} m of descent in the week")
    if "surface_change" in rules:
        ev = rules["surface_change"].evidence
        surface = str(ev.get("surface", "trail"))
        trail_cap = _floor1(float(ev.get("recent_share", 0.0)) * cap.km)
        where = "on trails" if surface == "trail" else f"on {surface}"
        run_notes.append(
            f"at most {trail_cap:g} km {where} in the week; the rest where you usually run"
        )
    # strength
    allow_plyo = state in ("low", "none")
    version = {"high": "easier", "low": "harder"}.get(state, "standard")
    pool = _pool(current, catalog, with_hips="knee_pain" in rules or state in ("high", "settling"))
    chosen: list[tuple[Exercise, list[str]]] = []
    drills: list[Exercise] = []
    advice: list[Exercise] = []
    for ex_id, why in pool.items():
        ex = catalog.exercises[ex_id]
        if ex.kind == "drill":
            drills.append(ex)
        elif ex.kind == "programming":
            advice.append(ex)
        elif (
            ex.kind in STRENGTH_KINDS
            and (ex.kind != "plyometric" or allow_plyo)
            and len(chosen) < _count(state)
        ):
            chosen.append((ex, why))
    wanted = [min(times_per_week(ex.dose.frequency), MAX_STRENGTH_DAYS) for ex, _ in chosen]
    k = max(MIN_STRENGTH_DAYS, min(MAX_STRENGTH_DAYS, max(wanted, default=MIN_STRENGTH_DAYS)))
    strength_days = _strength_days(run_days, long_day, k)
    slots: dict[int, list[str]] = {d: [] for d in strength_days}
    exercises = []
    for (ex, why), want in zip(chosen, wanted, strict=True):
        free = sorted(
            (d for d in strength_days if len(slots[d]) < MAX_EXERCISES_PER_DAY),
            key=lambda d: (len(slots[d]), d),
        )
        on = sorted(free[:want])
        for d in on:
            slots[d].append(ex.id)
        exercises.append(PlanExercise(ex, tuple(why), version, _how(ex, version), len(on)))
    # notes for each day
    drill_days = sorted((d for d in run_days if d != long_day), key=lambda d: -km[d])
    plan_days: list[PlanDay] = []
    for i, day in enumerate(dates):
        notes: list[str] = []
        ran = km.get(i, 0.0)
        if ran:
            notes.append("long run: keep it easy" if i == long_day else "easy run")
            notes += run_notes
            for ex in drills:
                if i in drill_days[: times_per_week(ex.dose.frequency)]:
                    notes.append(f"{ex.name} during this run")
        if i in slots and version == "easier":
            notes.append(f"easier versions: knee pain is above {t.pain_warning:g}/10")
        if not ran and i not in slots:
            notes.append("rest")
        plan_days.append(
            PlanDay(day, ran, tuple(slots.get(i, ())), tuple(notes), i == long_day and ran > 0)
        )
    week_notes: list[str] = []
    days_since = (as_of - data_ends).days
    if cap.comeback:
        week_notes.append(
            f"Your data ends on {format_date(data_ends)}, {days_since} days before"
            f" {format_date(as_of)};"
            " this plan assumes you have not run since. If you have, audit a newer export."
        )
    elif days_since > 7:
        week_notes.append(
            f"Your data ends on {format_date(data_ends)}, {days_since} days before"
            f" {format_date(as_of)};"
            " the plan assumes you kept running as in your last weeks."
        )
    for ex in advice:
        week_notes.append(f"{ex.name}: {ex.dose_text}")
    scale: list[str] = []
    if "knee_pain" in rules:
        scale = [tr["dimension"] for tr in rules["knee_pain"].evidence.get("triggers", [])][:3]
        if scale:
            week_notes.append(
                "Scale back first: "
                + ", ".join(dimension_label(s) for s in scale)
                + " (they rose before the latest knee pain)."
            )
    if not allow_plyo and any(
        e.kind == "plyometric" for e in catalog.exercises.values() if e.id in pool
    ):
        week_notes.append(
            f"No hopping yet: plyometrics come back once pain has stayed at or below"
            f" {t.pain_easy:g}/10 for two weeks."
        )
    return WeekPlan(
        week_start=start,
        as_of=as_of,
        data_ends=data_ends,
        days_since_data=days_since,
        comeback=cap.comeback,
        cap_km=cap.km,
        long_run_cap_km=long_cap,
        cap_reason=cap.reason,
        descent_cap_m=descent_cap,
        trail_cap_km=trail_cap,
        pain=pain,
        pain_date=pain_date,
        pain_state=state,
        scale_back=tuple(scale),
        scale_back_text=tuple(dimension_label(s) for s in scale),
        exercises=tuple(exercises),
        findings=tuple(current),
        days=tuple(plan_days),
        notes=tuple(week_notes),
    )


def plan_to_ics(plan: WeekPlan, *, names: Mapping[str, str] | None = None) -> bytes:
    """The plan as an iCalendar (RFC 5545) file, written with the ``icalendar`` library.

    One all-day event per run (``Run 8.0 km``) and per strength day (``Strength: ...``),
    each with the day's notes as its description and a stable UID.
    """
    import icalendar

    catalog = load_catalog()
    names = names or {k: v.name for k, v in catalog.exercises.items()}
    cal = icalendar.Calendar()
    cal.add("prodid", "-//runaudit//week plan//EN")
    cal.add("version", "2.0")
    stamp = datetime.combine(plan.as_of, datetime.min.time(), tzinfo=UTC)
    for day in plan.days:
        sessions = []
        if day.run_km:
            sessions.append(
                ("run", f"Run {day.run_km:g} km" + (" (long run)" if day.long_run else ""))
            )
        if day.strength:
            sessions.append(
                ("strength", "Strength: " + ", ".join(names.get(s, s) for s in day.strength))
            )
        for kind, summary in sessions:
            event = icalendar.Event()
            event.add("uid", f"{day.date.isoformat()}-{kind}@runaudit")
            event.add("dtstamp", stamp)
            event.add("dtstart", day.date)
            event.add("dtend", day.date + timedelta(days=1))
            event.add("summary", summary)
            if day.notes:
                event.add("description", "\n".join(day.notes))
            cal.add_component(event)
    return cal.to_ical()
