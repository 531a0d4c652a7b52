"""Build the demo athlete in ``sample_data/`` with :mod:`runaudit_demo.synth`.

A recreational runner living in Europe/Berlin, 20 Monday-start weeks from
Monday 2026-05-04, 3-5 runs a week, files as the athlete keeps them:

* ``garmin/Activity/*.fit`` -- copied off the watch (named by local start time),
  plus ``garmin/Monitor`` and ``garmin/Settings`` non-activity files;
* ``strava/*.{fit.gz,gpx,gpx.gz,tcx,tcx.gz}`` -- downloaded from Strava, named
  by activity id;
* ``notes.fit`` -- a text file with the wrong extension;
* ``strava/activities.csv`` and ``strava/shoes.csv`` -- Strava's own records, in
  the column names and order of a current bulk export: every run that reached
  Strava (linked by ``Filename``; the watch's runs under the name Strava gave
  their upload), four treadmill runs typed in by hand (no file), the shoe of
  each run, and the runs the athlete marked ``Trail Run``;
* ``garmin_connect/DI_CONNECT/DI-Connect-Fitness/*_summarizedActivities.json``
  -- Garmin Connect's summary of every recording of the watch (centimetres,
  milliseconds), one of them a run whose FIT file never left the watch.

The plan is checked here, not by hand: the weekly totals of the files that
were actually written (cut-off run included as far as it survived) go
through the DESIGN.md rules with their default thresholds (``shoe_change``
and ``surface_change`` with runaudit's defaults); the script fails unless
exactly the intended findings come out and every ratio stays at least 3 %
away from its threshold. Runs without a file count in their week's distance
and runs, never in its cadence. The result, with the truth for every file, is
written to ``MANIFEST.json``.

Usage: ``python scripts/make_sample_data.py [--out sample_data]``
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

try:
    from runaudit_demo import synth
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from runaudit_demo import synth

TZ = ZoneInfo("Europe/Berlin")
FIRST_MONDAY = date(2026, 5, 4)
N_WEEKS = 20
HOME = (47.9959, 7.8522)  # Freiburg im Breisgau
HOME_ALT_M = 278.0
MARGIN = 0.03  # every ratio at least 3 % away from its threshold

# Default thresholds (DESIGN.md)
RAMP_WARNING, RAMP_ALERT, RAMP_WEEKS = 1.3, 1.5, 4
DELOAD_FRACTION, DELOAD_LOOKBACK, DELOAD_STREAK = 0.85, 3, 7
DOWNHILL_FACTOR, DOWNHILL_MIN_M, DOWNHILL_WEEKS = 1.5, 500.0, 4
CADENCE_MIN_SPM = 160.0
# Frandsen et al. 2025's bands: warning above 1.1x the 30-day longest, alert above 2x
# runs in the first 15 days of the data are not judged (long_run_history_days)
SPIKE_FACTOR, SPIKE_ALERT, SPIKE_DAYS, SPIKE_HISTORY_DAYS = 1.1, 2.0, 30, 15
PAIN_WARNING, PAIN_ALERT = 5.0, 7.0  # 004 seed: scale back above 5 ("pain buffer zone")
NEW_SHOE_SHARE = 0.5  # shoe_change: a never-used shoe carrying more than half of a week
SURFACE_MIN_SHARE, SURFACE_JUMP, SURFACE_WEEKS = 0.5, 0.4, 4  # surface_change

#: Strava's shoes.csv: (Shoe Name, Shoe Brand, Shoe Model, Shoe Default Sport Types).
SHOES = [
    ("Pegasus 41", "Nike", "Pegasus 41", "Run"),
    ("Speedgoat 6", "HOKA", "Speedgoat 6", "Trail Run"),
    ("Novablast 5", "ASICS", "Novablast 5", ""),
    ("Ghost 15", "Brooks", "Ghost 15", ""),  # retired before May: listed, never run in
]
BIKE = "Canyon Endurace"
STRAVA_CSV = "strava/activities.csv"
STRAVA_SHOES = "strava/shoes.csv"
GARMIN_USER = "demo_runner"
GARMIN_JSON = (
    f"garmin_connect/DI_CONNECT/DI-Connect-Fitness/{GARMIN_USER}_0_summarizedActivities.json"
)
#: A week whose service total differs from runaudit's by more than this is named [%].
SERVICE_DIFF_PCT = 2.0

# fmt: off
#: Knee-pain diary: (week index, weekday, time, score, note). Low niggles from week 12,
#: up after the Saturday mountain race of week 16, above 5 in week 17, settling after.
PAIN_DIARY: list[tuple[int, int, str, float, str]] = [
    (12, 1, "19:00", 1, ""), (12, 4, "20:00", 1, ""), (12, 6, "18:30", 2, "after the long run"),
    (13, 2, "07:30", 1, ""), (13, 6, "19:00", 2, ""),
    (14, 1, "19:30", 1, ""), (14, 6, "18:00", 2, ""),
    (15, 0, "08:00", 1, ""), (15, 3, "21:00", 2, ""), (15, 6, "19:00", 2, ""),
    (16, 1, "20:00", 1, ""), (16, 5, "18:00", 3, "after the race, downhill hurt"),
    (16, 6, "08:00", 4, "stairs down"), (16, 6, "21:00", 5, ""),
    (17, 0, "07:30", 6, "stairs down"), (17, 0, "21:00", 5, ""), (17, 1, "07:30", 6, ""),
    (17, 2, "20:00", 5, ""), (17, 3, "20:00", 4, ""), (17, 5, "19:00", 4, ""),
    (17, 6, "19:00", 3, ""),
    (18, 1, "20:00", 3, ""), (18, 3, "20:00", 2, ""), (18, 6, "18:00", 4, "long run"),
    (19, 1, "20:00", 2, ""), (19, 3, "20:00", 2, ""), (19, 6, "19:00", 1, ""),
]
# fmt: on


@dataclass(frozen=True)
class WeekPlan:
    """Planned week: total [km], number of runs, long run [km], cadence [spm]."""

    km: float
    runs: int
    long_km: float
    cadence_spm: float


# fmt: off
WEEKS = [
    WeekPlan(28.0, 4, 8.5, 155),   # 0  2026-05-04  cadence still low
    WeekPlan(31.0, 4, 10.0, 156),  # 1
    WeekPlan(34.0, 4, 12.0, 155),  # 2
    WeekPlan(27.0, 3, 11.0, 157),  # 3  deload
    WeekPlan(37.0, 4, 14.0, 156),  # 4
    WeekPlan(21.0, 3, 9.0, 167),   # 5  easy: a cold (cadence work started)
    WeekPlan(18.0, 3, 8.0, 168),   # 6  easy
    WeekPlan(41.0, 4, 15.0, 168),  # 7  back at once -> ramp_up alert; no deload until wk 13
    WeekPlan(36.5, 4, 15.0, 169),  # 8
    WeekPlan(36.5, 4, 16.0, 170),  # 9  heat wave: midnight run Monday, treadmill Wednesday
    WeekPlan(44.0, 4, 16.0, 170),  # 10 the watch crashed during Friday's run
    WeekPlan(42.0, 4, 16.0, 171),  # 11 + a bike ride on Saturday
    WeekPlan(44.0, 5, 16.0, 172),  # 12 Tuesday's run also re-exported from Strava
    WeekPlan(42.0, 4, 16.0, 171),  # 13 7th week without a deload -> missing_deload
    WeekPlan(32.0, 4, 14.0, 172),  # 14 deload
    WeekPlan(39.0, 4, 16.0, 171),  # 15
    WeekPlan(32.0, 3, 15.5, 170),  # 16 Saturday mountain race -> downhill_volume
    WeekPlan(36.0, 4, 16.0, 172),  # 17
    WeekPlan(42.0, 4, 23.0, 171),  # 18 Sunday 23 km with friends -> long_run_spike
    WeekPlan(40.0, 4, 16.0, 173),  # 19
]
# fmt: on

#: (rule, week index, severity) the plan is built to produce -- nothing else.
INTENDED = {
    ("low_cadence", 0, "warning"),  # one episode: weeks 0-4, a warning from the 3rd week
    ("ramp_up", 7, "alert"),
    ("missing_deload", 13, "warning"),
    ("downhill_volume", 16, "alert"),
    ("long_run_spike", 2, "warning"),  # 1.2x: Frandsen's 10-30 % band
    ("long_run_spike", 4, "warning"),  # 1.17x
    ("long_run_spike", 18, "warning"),
    ("knee_pain", 17, "warning"),
    ("surface_change", 8, "warning"),
    ("shoe_change", 11, "warning"),
}

# Recording format of the ordinary runs, cycled in order.
FORMAT_CYCLE = [
    "fit", "fit", "gpx", "fit", "fit.gz", "tcx", "fit", "gpx9", "fit", "fit.gz", "gpx.gz", "tcx.gz",
]  # fmt: skip


@dataclass
class PlannedRun:
    """One activity to write (times are local wall clock in Europe/Berlin)."""

    local_start: datetime
    distance_km: float
    cadence_spm: float
    climb_m: float = 0.0
    pace_s_per_km: float = 330.0
    fmt: str = "fit"
    sport: str = "running"
    sub_sport: str = "generic"
    gps: bool = True
    interval_s: float | str = "smart"
    pauses: Sequence[tuple[float, float]] = ()
    walks: Sequence[tuple[float, float, float, float]] = ()
    origin: tuple[float, float] = HOME
    base_altitude_m: float | None = HOME_ALT_M
    cadence_sd: float = 2.0
    truncate_fraction: float | None = None
    duplicate_as_gpx: bool = False
    role: str = "run"
    note: str = ""
    special: bool = False  # keeps its format (FIT) instead of joining FORMAT_CYCLE
    #: "file"; "strava_manual" (typed into Strava, no file); "garmin_summary" (only
    #: Garmin Connect's summary: the FIT file never left the watch, Strava never got it)
    record: str = "file"
    shoe: str = "Pegasus 41"
    strava_type: str = ""  # Strava's Activity Type; "" = from the sport
    title: str = ""  # activity name; "" = the services' default for the time of day


# ----------------------------------------------------------------------------- plan


def week_start_of(local: datetime) -> date:
    """Monday of the local week containing ``local``."""
    d = local.date()
    return d - timedelta(days=d.weekday())


def split_week(plan: WeekPlan, week: int) -> list[float]:
    """Distances [km] of the week's runs: the others first, the long run last."""
    weights = [1.0, 0.88, 1.12, 0.95][: plan.runs - 1]
    rest = plan.km - plan.long_km
    others = [round(rest * w / sum(weights), 1) for w in weights]
    others[-1] = round(rest - sum(others[:-1]), 1)
    if week == 0:  # first week: build up gently, no run > 1.3 x an earlier one
        others = sorted(others)
    return [*others, plan.long_km]


RUN_DAYS = {3: [1, 3, 6], 4: [1, 2, 4, 6], 5: [0, 1, 3, 4, 6]}  # weekday numbers


def plan_runs() -> list[PlannedRun]:
    """All planned activities, in time order."""
    rng = np.random.default_rng(2026)
    runs: list[PlannedRun] = []
    n_ordinary = 0
    for w, plan in enumerate(WEEKS):
        monday = FIRST_MONDAY + timedelta(weeks=w)
        dists = split_week(plan, w)
        days = RUN_DAYS[plan.runs]
        offsets = [*[-1.0, 0.5, 1.0, -0.5][: plan.runs - 1], -1.5]
        for i, (day, km) in enumerate(zip(days, dists, strict=True)):
            long_run = i == plan.runs - 1
            if long_run:
                hh, mm = (8, 0) if day == 6 else (9, 0)
            else:
                hh, mm = (6, 30) if (w + i) % 2 == 0 else (18, 0)
            jitter = int(rng.integers(0, 12 * 60))
            local = datetime(monday.year, monday.month, monday.day, hh, mm, tzinfo=TZ)
            local += timedelta(days=day, seconds=jitter)
            est_s = km * 335.0
            pauses: list[tuple[float, float]] = []
            if long_run:
                pauses = [(round(0.55 * est_s), 150.0)]
            elif (w + i) % 3 == 0:
                pauses = [(round(0.3 * est_s), float(rng.integers(20, 60)))]
            climb = round(km * (7.0 if long_run else float(rng.uniform(5.5, 8.0))))
            run = PlannedRun(
                local_start=local,
                distance_km=km,
                cadence_spm=plan.cadence_spm + offsets[i],
                climb_m=climb,
                pace_s_per_km=345.0 if long_run else float(rng.uniform(310.0, 335.0)),
                pauses=pauses,
            )
            runs.append(run)
    runs = apply_specials(runs)
    for run in runs:
        if run.role == "run" and run.fmt == "fit" and not run.special:
            run.fmt = FORMAT_CYCLE[n_ordinary % len(FORMAT_CYCLE)]
            n_ordinary += 1
            if run.fmt == "fit" and run.local_start.date() < FIRST_MONDAY + timedelta(weeks=2):
                run.interval_s = 1.0  # every-second recording before switching to smart
    runs = sorted(runs, key=lambda r: r.local_start)
    apply_records(runs)  # after the format cycle: every file keeps its name and format
    return runs


def _find(runs: list[PlannedRun], week: int, weekday: int) -> PlannedRun:
    for run in runs:
        start = run.local_start
        monday = FIRST_MONDAY + timedelta(weeks=week)
        if week_start_of(start) == monday and start.weekday() == weekday:
            return run
    raise LookupError(f"no run in week {week} on weekday {weekday}")


def apply_specials(runs: list[PlannedRun]) -> list[PlannedRun]:
    """Turn some ordinary runs into the special cases of the demo folder."""
    # week 9: heat wave -- Monday's run starts 20 min after midnight (still Sunday in
    # UTC), Wednesday on the gym treadmill
    midnight = _find(runs, 9, 1)
    midnight.local_start = datetime(2026, 7, 6, 0, 20, 13, tzinfo=TZ)
    midnight.distance_km, midnight.pauses = 5.0, []
    midnight.climb_m = 25.0
    midnight.note = "local Monday 00:20 = Sunday 22:20 UTC: belongs to the week of 2026-07-06"
    midnight.special = True
    tread = _find(runs, 9, 2)
    tread.distance_km, tread.climb_m = 8.0, 0.0
    tread.sub_sport, tread.gps, tread.base_altitude_m = "treadmill", False, None
    tread.pauses, tread.pace_s_per_km, tread.interval_s = [], 320.0, 1.0
    tread.note = "treadmill: no GPS, no altitude; distance from the watch"
    tread.special = True
    other = _find(runs, 9, 4)
    other.distance_km = round(WEEKS[9].km - WEEKS[9].long_km - 5.0 - 8.0, 1)
    # week 10: the watch crashed 55 % into Friday's file
    crash = _find(runs, 10, 4)
    crash.distance_km, crash.truncate_fraction = 10.0, 0.55
    crash.note = "truncated FIT: the records before the cut count"
    crash.special = True
    # week 11: a Saturday bike ride (another sport, must not count)
    runs.append(
        PlannedRun(
            local_start=datetime(2026, 7, 25, 9, 40, 31, tzinfo=TZ),
            distance_km=46.0,
            cadence_spm=86.0,
            cadence_sd=4.0,
            climb_m=420.0,
            pace_s_per_km=125.0,
            sport="cycling",
            sub_sport="road",
            role="other_sport",
            note="bike ride recorded on the watch",
            special=True,
        )
    )
    # week 12: Tuesday's run is in the watch folder and re-exported from Strava
    dup = _find(runs, 12, 1)
    dup.duplicate_as_gpx = True
    dup.note = "also saved as a Strava GPX re-export (same run)"
    dup.special = True
    # week 16: Saturday mountain race (Schauinsland, 880 m up and down)
    race = _find(runs, 16, 6)
    race.local_start = datetime(2026, 8, 29, 9, 30, 0, tzinfo=TZ)
    race.distance_km, race.climb_m, race.pace_s_per_km = 15.5, 880.0, 400.0
    race.cadence_spm, race.sub_sport = 166.0, "trail"
    race.origin, race.base_altitude_m, race.pauses = (47.9110, 7.8980), 420.0, []
    race.walks = [(1500, 180, 116, 1.25), (2300, 240, 114, 1.2), (3100, 200, 116, 1.25)]
    race.note = "mountain race with power-hiking on the steepest parts"
    race.special = True
    # week 18: the Sunday long run jumps from 16 to 23 km
    spike = _find(runs, 18, 6)
    spike.walks = [(3000, 60, 112, 1.4), (6300, 60, 110, 1.4)]
    spike.note = "long run 23 km after nothing above 16 km in 30 days"
    spike.special = True
    return runs


def apply_records(runs: list[PlannedRun]) -> None:
    """Shoes, Strava's activity types and the runs that have no file."""
    # weeks 5-6 (the cold) and 18-19 (the knee settles): a gym treadmill run without the
    # watch, typed into Strava by hand as a Virtual Run
    for week, weekday in ((5, 3), (6, 3), (18, 2), (19, 2)):
        tread = _find(runs, week, weekday)
        tread.record, tread.strava_type, tread.title = (
            "strava_manual",
            "Virtual Run",
            "Gym treadmill",
        )
        tread.sub_sport, tread.gps, tread.base_altitude_m = "treadmill", False, None
        tread.climb_m, tread.pauses, tread.pace_s_per_km = 0.0, [], 330.0
        tread.note = "entered by hand on Strava: no file; counts in distance and runs, not cadence"
    # week 9: Friday's FIT never left the watch and never reached Strava; Garmin Connect
    # still has its summary
    lost = _find(runs, 9, 4)
    lost.record = "garmin_summary"
    lost.note = "summary-only run: only Garmin Connect's summary holds it"
    # week 7: first trail run, in new trail shoes (18 % of the week: eased in, no flag)
    first_trail = _find(runs, 7, 2)
    first_trail.strava_type, first_trail.shoe = "Trail Run", "Speedgoat 6"
    first_trail.note = "first trail run, first run in the Speedgoat 6 (marked Trail Run on Strava)"
    # week 8: a week on the trails of the Black Forest -> surface_change
    for weekday in (1, 4, 6):
        trail = _find(runs, 8, weekday)
        trail.strava_type, trail.shoe, trail.title = (
            "Trail Run",
            "Speedgoat 6",
            "Black Forest trails",
        )
        trail.note = "marked Trail Run on Strava; the watch recorded a plain run"
    # week 11: new road shoes straight into three of four runs -> shoe_change
    for weekday in (1, 4, 6):
        _find(runs, 11, weekday).shoe = "Novablast 5"
    _find(runs, 11, 1).note = "first run in the Novablast 5: it carries 82 % of the week"
    # from week 12 the Novablast 5 takes Tuesdays and Sundays
    for run in runs:
        week = (week_start_of(run.local_start) - FIRST_MONDAY).days // 7
        if week >= 12 and run.local_start.weekday() in (1, 6) and run.record == "file":
            run.shoe = "Novablast 5"
        if run.sport == "cycling":
            run.shoe = BIKE
    race = _find(runs, 16, 5)  # the Saturday race (moved from Sunday above)
    race.shoe, race.strava_type, race.title = "Speedgoat 6", "Trail Run", "Schauinsland Berglauf"


# ----------------------------------------------------------------------------- rules


def ramp_up(km: Sequence[float]) -> list[tuple[int, str, dict[str, float]]]:
    """Weeks whose distance exceeds 1.3 / 1.5 x the mean of the 4 weeks before."""
    out = []
    for i in range(RAMP_WEEKS, len(km)):
        chronic = float(np.mean(km[i - RAMP_WEEKS : i]))
        if chronic <= 0:
            continue
        ratio = km[i] / chronic
        _check_margin("ramp_up", i, ratio, (RAMP_WARNING, RAMP_ALERT))
        if ratio > RAMP_WARNING:
            sev = "alert" if ratio > RAMP_ALERT else "warning"
            out.append((i, sev, {"acwr": round(ratio, 3), "distance_km": round(km[i], 2)}))
    return out


def missing_deload(km: Sequence[float]) -> list[tuple[int, str, dict[str, Any]]]:
    """The 7th week in a row that is not a deload (<= 85 % of the max of 3 before)."""
    out, streak = [], 0
    for i, x in enumerate(km):
        before = km[max(0, i - DELOAD_LOOKBACK) : i]
        if before and max(before) > 0:
            _check_margin("missing_deload", i, x / max(before), (DELOAD_FRACTION,))
        deload = x == 0 or (bool(before) and x <= DELOAD_FRACTION * max(before))
        streak = 0 if deload else streak + 1
        if streak == DELOAD_STREAK:
            out.append((i, "warning", {"weeks_without_deload": streak}))
    return out


def downhill_volume(descent: Sequence[float]) -> list[tuple[int, str, dict[str, float]]]:
    """Weeks with descent > 1.5 x the mean of the 4 weeks before and >= 500 m."""
    out = []
    for i in range(DOWNHILL_WEEKS, len(descent)):
        mean = float(np.mean(descent[i - DOWNHILL_WEEKS : i]))
        big = _clearly_above(descent[i] / DOWNHILL_MIN_M, 1.0)
        jump = _clearly_above(descent[i] / mean, DOWNHILL_FACTOR) if mean > 0 else True
        if big is False or jump is False:
            continue
        if big is None or jump is None:
            raise SystemExit(f"plan too close to a downhill_volume threshold in week {i}")
        # runaudit's severity policy: alert above 2x the 4-week mean
        sev = "alert" if mean <= 0 or descent[i] / mean > 2.0 else "warning"
        out.append((i, sev, {"descent_m": round(descent[i], 1), "mean_m": round(mean, 1)}))
    return out


def low_cadence(cadence: Sequence[float]) -> list[tuple[int, str, dict[str, float]]]:
    """Streaks of weeks whose running cadence is below 160 spm, one episode each."""
    out: list[tuple[int, str, dict[str, float]]] = []
    streak = 0
    for i, c in enumerate(cadence):
        if np.isfinite(c):
            _check_margin("low_cadence", i, c / CADENCE_MIN_SPM, (1.0,), margin=0.015)
            streak = streak + 1 if c < CADENCE_MIN_SPM else 0
            if c < CADENCE_MIN_SPM:
                # runaudit's severity policy: info for 1-2 low weeks in a row, then warning;
                # a streak is one episode, dated by its first week, with its worst severity
                sev = "warning" if streak >= 3 else "info"
                if streak == 1:
                    out.append((i, sev, {"cadence_spm": round(c, 1)}))
                else:
                    out[-1] = (out[-1][0], sev, {"cadence_spm": round(c, 1)})
    return out


def long_run_spike(
    starts: Sequence[datetime], km: Sequence[float], week_of: Callable[[datetime], int]
) -> list[tuple[int, str, dict[str, float]]]:
    """Runs more than 1.1 x the longest run of the previous 30 days (alert above 2 x)."""
    out = []
    judged_from = min(starts) + timedelta(days=SPIKE_HISTORY_DAYS) if starts else None
    for t, x in zip(starts, km, strict=True):
        if judged_from is None or t < judged_from:
            continue
        prior = [
            k for t2, k in zip(starts, km, strict=True) if t - timedelta(days=SPIKE_DAYS) <= t2 < t
        ]
        if not prior:
            continue
        ratio = x / max(prior)
        # 2 %: a run's measured distance stays well within 1 % of the plan
        _check_margin("long_run_spike", week_of(t), ratio, (SPIKE_FACTOR, SPIKE_ALERT), 0.02)
        if ratio > SPIKE_FACTOR:
            sev = "alert" if ratio > SPIKE_ALERT else "warning"
            out.append((week_of(t), sev, {"run_km": round(x, 2), "previous_max_km": max(prior)}))
    return out


def _check_margin(
    rule: str, week: int, ratio: float, thresholds: Sequence[float], margin: float = MARGIN
) -> None:
    for thr in thresholds:
        if _clearly_above(ratio, thr, margin) is None:
            raise SystemExit(
                f"plan too close to the {rule} threshold {thr} in week {week}: {ratio:.3f}"
            )


def _clearly_above(ratio: float, threshold: float, margin: float = MARGIN) -> bool | None:
    """True / False when ``ratio`` is clearly above / below ``threshold``, else None."""
    if ratio > threshold * (1.0 + margin):
        return True
    if ratio < threshold * (1.0 - margin):
        return False
    return None


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Median of ``values`` where each counts with ``weights``."""
    keep = weights > 0
    v, w = values[keep], weights[keep]
    if v.size == 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cum, 0.5 * cum[-1])])


# ----------------------------------------------------------------------------- files


def _strava_id(i: int) -> int:
    return 14_300_000_000 + 37_911 * i


@dataclass(frozen=True)
class Counted:
    """One run that counts in its week, with what the services say about it.

    ``run`` is what was kept (a cut-off file: the records before the cut);
    ``rel`` its file (None without one), ``strava_file``/``strava_id`` how
    Strava lists it (None: Strava never got it).
    """

    index: int
    plan: PlannedRun
    run: synth.SyntheticRun
    rel: str | None
    strava_id: int | None
    strava_file: str

    @property
    def record(self) -> str:
        return self.plan.record

    @property
    def week(self) -> int:
        return (week_start_of(self.plan.local_start) - FIRST_MONDAY).days // 7

    @property
    def km(self) -> float:
        return self.run.distance_m / 1000.0

    @property
    def shoe(self) -> str:
        """The shoe as runaudit can know it: only Strava's rows name one."""
        return self.plan.shoe if self.strava_id is not None else ""

    @property
    def surface(self) -> str:
        """Surface as runaudit should read it (file sub_sport, then Strava's type)."""
        sub = self.run.sub_sport
        if sub in ("treadmill", "indoor") or self.plan.strava_type == "Virtual Run":
            return "treadmill"
        if sub == "trail" or self.plan.strava_type == "Trail Run":
            return "trail"
        return "road"


def write_plan(
    out: Path, runs: list[PlannedRun]
) -> tuple[list[dict[str, Any]], list[Counted], list[Counted]]:
    """Write every planned activity file.

    Returns the manifest entries of the files, the runs that count (with and
    without a file) and every activity the services know of (the bike ride too).
    """
    entries: list[dict[str, Any]] = []
    counted: list[Counted] = []
    known: list[Counted] = []
    for i, p in enumerate(runs):
        offset = int(p.local_start.utcoffset().total_seconds())  # type: ignore[union-attr]
        start_utc = p.local_start.astimezone(UTC)
        run = synth.make_run(
            start_utc,
            p.distance_km,
            pace_s_per_km=p.pace_s_per_km,
            cadence_spm=p.cadence_spm,
            cadence_sd=p.cadence_sd,
            climb_m=p.climb_m,
            base_altitude_m=p.base_altitude_m,
            alt_noise_m=2.0 if p.gps else 0.0,
            gps=p.gps,
            interval_s=p.interval_s,
            pauses=p.pauses,
            walk_segments=p.walks,
            origin=p.origin,
            route="out_and_back" if i % 5 == 3 else "loop",
            sport=p.sport,
            sub_sport=p.sub_sport,
            utc_offset_s=offset,
            seed=1000 + i,
        )
        if p.record != "file":  # no file: Strava's row or Garmin's summary is all there is
            strava = p.record == "strava_manual"
            c = Counted(i, p, run, None, _strava_id(i) if strava else None, "")
            counted.append(c)
            known.append(c)
            continue
        local_name = p.local_start.strftime("%Y-%m-%d-%H-%M-%S")
        kind = p.fmt.replace("9", "").replace(".gz", "")
        gz = p.fmt.endswith(".gz")
        if kind == "fit" and not gz:
            rel = f"garmin/Activity/{local_name}.fit"
            strava_file = f"activities/{_strava_id(i)}.fit.gz"  # the upload Strava got
        else:
            rel = f"strava/{_strava_id(i)}.{kind}" + (".gz" if gz else "")
            strava_file = "activities/" + rel.removeprefix("strava/")
        path = out / rel
        kept = run
        if kind == "fit":
            cut = None
            if p.truncate_fraction is not None:
                cut = int(len(synth.fit_bytes(run)) * p.truncate_fraction)
            synth.write_fit(run, path, truncate_at_byte=cut, gzip=gz)
            if cut is not None:
                kept = run.head(count_fit_records(path))
        elif kind == "gpx":
            synth.write_gpx(run, path, activity_type="9" if "9" in p.fmt else "running", gzip=gz)
        else:
            synth.write_tcx(run, path, leading_whitespace=True, gzip=gz)
        entry = _entry(rel, kind, gz, p, kept, offset)
        if p.truncate_fraction is not None:
            entry["full_distance_km"] = round(run.distance_m / 1000.0, 3)
        entries.append(entry)
        strava_id = _strava_id(i)
        if p.duplicate_as_gpx:
            rel_dup = f"strava/{_strava_id(i) + 1}.gpx"
            synth.write_gpx(run, out / rel_dup, activity_type="running")
            dup = _entry(rel_dup, "gpx", False, p, run, offset)
            dup.update(bucket="duplicate", duplicate_of=rel, note="Strava re-export of " + rel)
            entries.append(dup)
            strava_id, strava_file = (
                _strava_id(i) + 1,
                "activities/" + rel_dup.removeprefix("strava/"),
            )
        c = Counted(i, p, kept, rel, strava_id, strava_file)
        known.append(c)
        if p.role == "run":
            counted.append(c)
            entry.update(shoe=p.shoe, surface=c.surface)
    return entries, counted, known


# ----------------------------------------------------------------------------- services

#: Strava's activities.csv header, names and order as a current bulk export writes them
#: (``Elapsed Time``, ``Distance``, ``Max Heart Rate``, ``Relative Effort`` and
#: ``Commute`` twice: the first block as Strava shows it, km for runs; the second in
#: metres and seconds).
_STRAVA_HEADER_TEXT = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,"
    "Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,Max Grade,"
    "Average Grade,Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,"
    "Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,Max Temperature,"
    "Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,Downhill Time,"
    "Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,"
    "Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,"
    "From Upload,Grade Adjusted Distance,Weather Observation Time,Weather Condition,"
    "Weather Temperature,Apparent Temperature,Dewpoint,Humidity,Weather Pressure,Wind Speed,"
    "Wind Gust,Wind Bearing,Precipitation Intensity,Sunrise Time,Sunset Time,Moon Phase,Bike,"
    "Gear,Precipitation Probability,Precipitation Type,Cloud Cover,Weather Visibility,"
    "UV Index,Weather Ozone,Jump Count,Total Grit,Average Flow,Flagged,Average Elapsed Speed,"
    "Dirt Distance,Newly Explored Distance,Newly Explored Dirt Distance,Activity Count,"
    "Total Steps,Carbon Saved,Pool Length,Training Load,Intensity,Average Grade Adjusted Pace,"
    "Timer Time,Total Cycles,Recovery,With Pet,Competition,Long Run,For a Cause,With Kid,"
    "Downhill Distance,Total Sets,Total Reps,Media"
)
STRAVA_HEADER = _STRAVA_HEADER_TEXT.split(",")


def _default_title(local: datetime, sport: str) -> str:
    """The name Strava and Garmin give an activity nobody renamed."""
    h = local.hour
    part = (
        "Night" if h < 4 or h >= 21 else
        "Morning" if h < 11 else
        "Lunch" if h < 14 else
        "Afternoon" if h < 17 else
        "Evening"
    )  # fmt: skip
    return f"{part} {'Ride' if sport == 'cycling' else 'Run'}"


def _strava_type(c: Counted) -> str:
    if c.plan.strava_type:
        return c.plan.strava_type
    if c.run.sport == "cycling":
        return "Ride"
    return "Trail Run" if c.run.sub_sport == "trail" else "Run"


def _strava_row(c: Counted) -> list[str]:
    """One line of activities.csv (the fields a real export fills for such an activity)."""
    r, p = c.run, c.plan
    manual = c.record == "strava_manual"
    foot = r.sport in synth.FOOT_SPORTS
    row = [""] * len(STRAVA_HEADER)
    first: dict[str, int] = {}
    second: dict[str, int] = {}
    for k, name in enumerate(STRAVA_HEADER):
        (second if name in first else first)[name] = k

    def put(name: str, value: object, *, repeat: bool = False) -> None:
        row[(second if repeat else first)[name]] = "" if value is None else str(value)

    elapsed = round(r.timer_time_s if manual else r.duration_s)
    moving = round(r.timer_time_s)
    hr = r.samples["heart_rate_bpm"].to_numpy(float)
    put("Activity ID", c.strava_id)
    put("Activity Date", r.start_utc.strftime("%b %-d, %Y, %-I:%M:%S %p"))
    put("Activity Name", p.title or _default_title(p.local_start, r.sport))
    put("Activity Type", _strava_type(c))
    put("Elapsed Time", elapsed)
    put("Distance", f"{r.distance_m / 1000.0:.2f}")
    put("Commute", "false")
    put("Activity Gear", p.shoe)
    put("Filename", c.strava_file)
    put("Elapsed Time", f"{elapsed:.1f}", repeat=True)
    put("Moving Time", f"{moving:.1f}")
    put("Distance", f"{r.distance_m:.1f}", repeat=True)
    put("Average Speed", f"{r.distance_m / max(moving, 1):.3f}")
    put("Elevation Gain", f"{r.ascent_m:.1f}")
    put("Commute", "0.0", repeat=True)
    put("From Upload", "0.0" if manual else "1.0")
    put("Timer Time", f"{moving:.1f}")
    if not manual:
        put("Max Heart Rate", f"{np.nanmax(hr):.1f}")
        put("Max Heart Rate", f"{np.nanmax(hr):.1f}", repeat=True)
        put("Average Heart Rate", f"{np.nanmean(hr):.1f}")
        put("Elevation Loss", f"{r.descent_m:.1f}")
        # Strava keeps a run's cadence per leg; a ride's is crank rpm
        put("Average Cadence", f"{r.cadence_spm / (2.0 if foot else 1.0):.1f}")
        if c.surface == "trail":
            put("Dirt Distance", f"{0.9 * r.distance_m:.1f}")
    return row


def write_strava(out: Path, known: list[Counted]) -> dict[str, Any]:
    """``strava/activities.csv`` and ``strava/shoes.csv``; return their manifest entry."""
    on_strava = sorted((c for c in known if c.strava_id is not None), key=lambda c: c.run.start_utc)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STRAVA_HEADER)
    for c in on_strava:
        writer.writerow(_strava_row(c))
    (out / STRAVA_CSV).write_text(buffer.getvalue(), encoding="utf-8")
    shoes = io.StringIO()
    writer = csv.writer(shoes, lineterminator="\n")
    writer.writerow(["Shoe Name", "Shoe Brand", "Shoe Model", "Shoe Default Sport Types"])
    writer.writerows(SHOES)
    (out / STRAVA_SHOES).write_text(shoes.getvalue(), encoding="utf-8")
    runs = [c for c in on_strava if c.plan.role == "run"]
    return {
        "path": STRAVA_CSV,
        "lines": {c.index: line for line, c in enumerate(on_strava, start=2)},
        "shoes_path": STRAVA_SHOES,
        "rows": len(on_strava),
        "running_rows": len(runs),
        "other_sport_rows": len(on_strava) - len(runs),
        "manual_runs": sum(c.record == "strava_manual" for c in runs),
        # runs whose file is here under the name Strava gives it, or only under another
        # name (the watch's copy in garmin/Activity, the FIT twin of a duplicate GPX)
        "runs_with_their_file": sum(
            c.record == "file" and c.rel is not None and c.rel.startswith("strava/") for c in runs
        ),
        "runs_with_a_copy_elsewhere": sum(
            c.record == "file" and c.rel is not None and not c.rel.startswith("strava/")
            for c in runs
        ),
        "shoes_listed": [s[0] for s in SHOES],
    }


def _garmin_type(c: Counted) -> str:
    if c.run.sport == "cycling":
        return "road_biking"
    return {"treadmill": "treadmill_running", "trail": "trail_running"}.get(
        c.run.sub_sport, "running"
    )


def _garmin_summary(c: Counted) -> dict[str, Any]:
    """One entry of summarizedActivitiesExport: centimetres, milliseconds, epoch ms."""
    r, p = c.run, c.plan
    gmt = int(r.start_utc.timestamp() * 1000)
    local = gmt + r.utc_offset_s * 1000
    hr = r.samples["heart_rate_bpm"].to_numpy(float)
    alt = r.samples["altitude_m"].to_numpy(float)
    foot = r.sport in synth.FOOT_SPORTS
    item: dict[str, Any] = {
        "activityId": 20_150_000_000 + 7_919 * c.index,
        "name": p.title or ("Freiburg im Breisgau " + _garmin_type(c).replace("_", " ").title()),
        "activityType": _garmin_type(c),
        "sportType": "CYCLING" if r.sport == "cycling" else "RUNNING",
        "eventTypeId": 1 if p.title == "Schauinsland Berglauf" else 9,
        "beginTimestamp": gmt,
        "startTimeGmt": gmt,
        "startTimeLocal": local,
        "duration": round(r.timer_time_s * 1000.0, 1),
        "elapsedDuration": round(r.duration_s * 1000.0, 1),
        "movingDuration": round(r.timer_time_s * 1000.0, 1),
        "distance": round(r.distance_m * 100.0, 1),
        "elevationGain": round(r.ascent_m * 100.0, 1),
        "elevationLoss": round(r.descent_m * 100.0, 1),
        "avgSpeed": round(r.distance_m / max(r.timer_time_s, 1.0) / 10.0, 5),  # cm/ms
        "avgHr": round(float(np.nanmean(hr)), 1),
        "maxHr": round(float(np.nanmax(hr)), 1),
        "manufacturer": "GARMIN",
        "deviceId": 3_442_950_411,
        "timeZoneId": 124,
        "locationName": "Freiburg im Breisgau",
        "lapCount": max(1, round(r.distance_m / 1000.0)),
        "purposeful": False,
        "favorite": False,
        "pr": False,
        "parent": False,
    }
    if np.isfinite(alt).any():
        item["minElevation"] = round(float(np.nanmin(alt)) * 100.0, 1)
        item["maxElevation"] = round(float(np.nanmax(alt)) * 100.0, 1)
    if foot:
        item["avgDoubleCadence"] = round(r.cadence_spm, 1)
        item["avgRunCadence"] = round(r.cadence_spm / 2.0, 1)
        item["steps"] = round(r.cadence_spm * r.timer_time_s / 60.0)
    else:
        item["avgBikeCadence"] = round(r.cadence_spm, 1)
    lat = r.samples["lat_deg"].to_numpy(float)
    if np.isfinite(lat).any():
        item["startLatitude"] = round(float(lat[0]), 6)
        item["startLongitude"] = round(float(r.samples["lon_deg"].iloc[0]), 6)
    return item


def write_garmin(out: Path, known: list[Counted]) -> dict[str, Any]:
    """Garmin Connect's summaries of every recording of the watch; return the manifest entry."""
    recorded = sorted(
        (c for c in known if c.record != "strava_manual"), key=lambda c: c.run.start_utc
    )
    doc = [{"summarizedActivitiesExport": [_garmin_summary(c) for c in reversed(recorded)]}]
    path = out / GARMIN_JSON
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    runs = [c for c in recorded if c.plan.role == "run"]
    return {
        "path": GARMIN_JSON,
        "summaries": len(recorded),
        "running": len(runs),
        "other_sport": len(recorded) - len(runs),
        "matched_to_a_file": sum(c.record == "file" for c in runs),
        "summary_only_runs": sum(c.record == "garmin_summary" for c in runs),
    }


def service_weeks(counted: list[Counted]) -> list[dict[str, Any]]:
    """Each week's running distance as Strava and Garmin Connect report it [km].

    ``differs`` names the services whose week is more than 2 % away from the
    distance of every run that counts (what runaudit should report).
    """
    weeks = []
    for w in range(N_WEEKS):
        mine = [c for c in counted if c.week == w]
        total = sum(c.km for c in mine)
        strava = sum(c.km for c in mine if c.strava_id is not None)
        garmin = sum(c.km for c in mine if c.record != "strava_manual")
        differs = [
            name
            for name, km in (("garmin", garmin), ("strava", strava))
            if km > 0 and abs(total - km) / km * 100.0 > SERVICE_DIFF_PCT
        ]
        weeks.append(
            {
                "week_start": (FIRST_MONDAY + timedelta(weeks=w)).isoformat(),
                "distance_km": round(total, 3),
                "strava_km": round(strava, 3),
                "garmin_km": round(garmin, 3),
                "differs": differs,
            }
        )
    return weeks


def count_fit_records(path: Path) -> int:
    """Record messages fitdecode reads from a (possibly cut-off) FIT file."""
    import fitdecode

    n = 0
    try:
        with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.DISABLED) as reader:
            for frame in reader:
                n += isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record"
    except fitdecode.FitError:
        pass  # the cut: everything before it has been counted
    return n


def _entry(
    rel: str, kind: str, gz: bool, p: PlannedRun, run: synth.SyntheticRun, offset: int
) -> dict[str, Any]:
    foot = run.sport in synth.FOOT_SPORTS
    return {
        "path": rel,
        "format": kind,
        "compressed": gz,
        "bucket": p.role,
        "sport": run.sport,
        "sub_sport": run.sub_sport,
        "device": run.device,
        "start_utc": run.start_utc.isoformat().replace("+00:00", "Z"),
        "start_local": p.local_start.replace(tzinfo=None).isoformat(),
        "utc_offset_s": offset,
        "week_start": week_start_of(p.local_start).isoformat(),
        "distance_km": round(run.distance_m / 1000.0, 3),
        "moving_time_s": round(run.timer_time_s, 1),
        "elapsed_time_s": round(run.duration_s, 1),
        "ascent_m": round(run.ascent_m, 1),
        "descent_m": round(run.descent_m, 1),
        "cadence_spm": round(run.cadence_spm, 2) if foot else None,
        "samples": len(run.samples),
        "truncated": p.truncate_fraction is not None,
        "note": p.note,
    }


def write_extras(out: Path) -> list[dict[str, Any]]:
    """Non-activity FIT files and the junk file."""
    created = datetime(2026, 9, 18, 22, 0, tzinfo=UTC)
    offset = int(created.astimezone(TZ).utcoffset().total_seconds())  # type: ignore[union-attr]
    extras = [
        ("garmin/Monitor/415903512.fit", "monitoring"),
        ("garmin/Settings/Settings.fit", "settings"),
    ]
    entries: list[dict[str, Any]] = []
    for rel, kind in extras:
        synth.write_fit_non_activity(out / rel, kind, time_created=created, utc_offset_s=offset)
        entries.append(
            {"path": rel, "format": "fit", "compressed": False, "bucket": "not_activity",
             "sport": None, "kind": kind, "truncated": False}
        )  # fmt: skip
    notes = out / "notes.fit"
    notes.write_text(
        "Shoes\n- Pegasus 41: 610 km (retire at 700)\n- Novablast 5: 210 km\n"
        "- Speedgoat 6: 53 km\n"
        "Knee felt fine after the race. Keep doing step-downs 3x/week.\n",
        encoding="utf-8",
    )
    entries.append(
        {"path": "notes.fit", "format": "fit", "compressed": False, "bucket": "skipped",
         "sport": None, "reason": "not a FIT file (plain text)", "truncated": False}
    )  # fmt: skip
    return entries


def write_pain(out: Path) -> dict[str, Any]:
    """``pain.csv`` (several entries on some days) and its weekly truth."""
    lines = ["date,time,pain,side,note"]
    by_week: dict[int, list[float]] = {}
    for week, weekday, clock, score, note in PAIN_DIARY:
        day = FIRST_MONDAY + timedelta(weeks=week, days=weekday)
        lines.append(f"{day.isoformat()},{clock},{score:g},left,{note}")
        by_week.setdefault(week, []).append(score)
    (out / "pain.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    weeks = [
        {
            "week_start": (FIRST_MONDAY + timedelta(weeks=w)).isoformat(),
            "pain_max": max(v),
            "pain_mean": round(sum(v) / len(v), 3),
        }
        for w, v in sorted(by_week.items())
    ]
    return {"path": "pain.csv", "entries": len(PAIN_DIARY), "weeks": weeks}


def knee_pain(pain: dict[str, Any]) -> list[tuple[int, str, dict[str, Any]]]:
    """Weeks whose highest score is above 5 (alert at 7+ or a second week above 5)."""
    out = []
    above_before = False
    for w in pain["weeks"]:
        index = (date.fromisoformat(w["week_start"]) - FIRST_MONDAY).days // 7
        above = w["pain_max"] > PAIN_WARNING
        if above:
            severity = "alert" if w["pain_max"] >= PAIN_ALERT or above_before else "warning"
            out.append((index, severity, {"pain_max": w["pain_max"]}))
        above_before = above
    return out


def shoe_change(counted: list[Counted]) -> list[tuple[int, str, dict[str, Any]]]:
    """A shoe never used before carrying more than half of its first week's distance.

    Shoes already worn in the first week with any shoe recorded are not new.
    """
    week_km: dict[int, float] = {}
    shoe_km: dict[tuple[str, int], float] = {}
    for c in counted:
        week_km[c.week] = week_km.get(c.week, 0.0) + c.km
        if c.shoe:
            shoe_km[c.shoe, c.week] = shoe_km.get((c.shoe, c.week), 0.0) + c.km
    first = min(w for _, w in shoe_km)
    out = []
    for shoe in sorted({s for s, _ in shoe_km}):
        debut = min(w for s, w in shoe_km if s == shoe)
        if debut == first:
            continue
        share = shoe_km[shoe, debut] / week_km[debut]
        _check_margin("shoe_change", debut, share / NEW_SHOE_SHARE, (1.0,))
        if share > NEW_SHOE_SHARE:
            out.append((debut, "warning", {"shoe": shoe, "share": round(share, 2)}))
    return out


def surface_change(counted: list[Counted]) -> list[tuple[int, str, dict[str, Any]]]:
    """A week whose trail (or outdoor) share is >= 0.5 and >= 0.4 above its highest in the
    4 weeks before."""
    km = np.zeros(N_WEEKS)
    parts = {"trail": np.zeros(N_WEEKS), "road after treadmill": np.zeros(N_WEEKS)}
    for c in counted:
        km[c.week] += c.km
        if c.surface == "trail":
            parts["trail"][c.week] += c.km
        if c.surface != "treadmill":
            parts["road after treadmill"][c.week] += c.km
    out: list[tuple[int, str, dict[str, Any]]] = []
    for i in range(SURFACE_WEEKS, N_WEEKS):
        before = km[i - SURFACE_WEEKS : i]
        for surface, on in parts.items():
            share = on[i] / km[i]
            recent = float(np.max(on[i - SURFACE_WEEKS : i][before > 0] / before[before > 0]))
            if share > 0:
                _check_margin("surface_change", i, share / SURFACE_MIN_SHARE, (1.0,))
            if share - recent > 0:
                _check_margin("surface_change", i, (share - recent) / SURFACE_JUMP, (1.0,))
            if share >= SURFACE_MIN_SHARE and share - recent >= SURFACE_JUMP:
                ev = {
                    "surface": surface,
                    "share": round(share, 2),
                    "recent_share": round(recent, 2),
                }
                out.append((i, "warning", ev))
                break
    return out


# ----------------------------------------------------------------------------- main


def weekly_table(counted: list[Counted]) -> list[dict[str, Any]]:
    """Per-week totals of the counted running activities.

    Runs without a file count in distance, runs and the long run; only files
    give cadence samples; a hand-entered treadmill run has no descent.
    """
    weeks = []
    for w in range(N_WEEKS):
        monday = FIRST_MONDAY + timedelta(weeks=w)
        in_week = [c for c in counted if c.week == w]
        climbs = [c.run for c in in_week if c.record != "strava_manual"]
        sampled = [c.run for c in in_week if c.record == "file"]
        cad = np.concatenate(
            [np.zeros(0)] + [r.samples["cadence_spm"].to_numpy(float) for r in sampled]
        )
        wts = np.concatenate([np.zeros(0)] + [r.sample_weights_s() for r in sampled])
        weeks.append(
            {
                "week_start": monday.isoformat(),
                "runs": len(in_week),
                "distance_km": round(sum(c.km for c in in_week), 3),
                "long_run_km": round(max((c.km for c in in_week), default=0.0), 3),
                "descent_m": round(sum(r.descent_m for r in climbs), 1),
                "ascent_m": round(sum(r.ascent_m for r in climbs), 1),
                "cadence_spm": round(weighted_median(cad, wts), 1),
                "cadence_mean_spm": round(float(np.sum(cad * wts) / np.sum(wts)), 2),
                "trail_km": round(sum(c.km for c in in_week if c.surface == "trail"), 3),
                "treadmill_km": round(sum(c.km for c in in_week if c.surface == "treadmill"), 3),
                "runs_without_file": sum(c.record != "file" for c in in_week),
            }
        )
    return weeks


def expected_findings(
    weeks: list[dict[str, Any]], counted: list[Counted], pain: dict[str, Any]
) -> list[dict[str, Any]]:
    """Run the default rules over the plan; fail unless they give exactly INTENDED."""
    km = [w["distance_km"] for w in weeks]
    found: list[tuple[str, int, str, dict[str, Any]]] = []
    found += [("ramp_up", *f) for f in ramp_up(km)]
    found += [("missing_deload", *f) for f in missing_deload(km)]
    found += [("downhill_volume", *f) for f in downhill_volume([w["descent_m"] for w in weeks])]
    found += [("low_cadence", *f) for f in low_cadence([w["cadence_spm"] for w in weeks])]

    def week_of(t: datetime) -> int:
        return (week_start_of(t) - FIRST_MONDAY).days // 7

    starts = [c.plan.local_start for c in counted]
    dists = [round(c.km, 3) for c in counted]
    found += [("long_run_spike", *f) for f in long_run_spike(starts, dists, week_of)]
    found += [("knee_pain", *f) for f in knee_pain(pain)]
    found += [("shoe_change", *f) for f in shoe_change(counted)]
    found += [("surface_change", *f) for f in surface_change(counted)]
    got = {(rule, w, sev) for rule, w, sev, _ in found}
    if got != INTENDED or len(got) != len(found):
        raise SystemExit(f"plan gives {sorted(got)}, intended {sorted(INTENDED)}")
    return [
        {"rule": rule, "week_start": weeks[w]["week_start"], "severity": sev, "evidence": ev}
        for rule, w, sev, ev in sorted(found, key=lambda f: (f[1], f[0]))
    ]


def records(
    counted: list[Counted], strava: dict[str, Any], garmin_path: str
) -> list[dict[str, Any]]:
    """Truth for the runs that have no file (a Strava row or a Garmin summary)."""
    out = []
    for c in counted:
        if c.record == "file":
            continue
        r, p = c.run, c.plan
        manual = c.record == "strava_manual"
        out.append(
            {
                "origin": c.record,
                "service_file": STRAVA_CSV if manual else garmin_path,
                "strava_line": strava["lines"][c.index] if manual else None,
                "garmin_activity_id": None if manual else 20_150_000_000 + 7_919 * c.index,
                "start_utc": r.start_utc.isoformat().replace("+00:00", "Z"),
                "start_local": p.local_start.replace(tzinfo=None).isoformat(),
                "week_start": week_start_of(p.local_start).isoformat(),
                "distance_km": round(c.km, 3),
                "moving_time_s": round(r.timer_time_s, 1),
                "descent_m": None if manual else round(r.descent_m, 1),
                "shoe": p.shoe if manual else "",
                "surface": c.surface,
                "note": p.note,
            }
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Write the demo folder; print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("sample_data"))
    args = parser.parse_args(argv)
    out: Path = args.out
    t0 = time.perf_counter()
    for sub in ("garmin", "strava", "garmin_connect"):
        shutil.rmtree(out / sub, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    runs = plan_runs()
    entries, counted, known = write_plan(out, runs)
    entries += write_extras(out)
    strava = write_strava(out, known)
    garmin = write_garmin(out, known)
    weeks = weekly_table(counted)
    pain = write_pain(out)
    findings = expected_findings(weeks, counted, pain)
    no_file = records(counted, strava, GARMIN_JSON)
    del strava["lines"]
    manifest = {
        "about": (
            "Demo athlete written by scripts/make_sample_data.py with runaudit_demo.synth. "
            "Truth per file: distance_km = true distance of the samples in the file "
            "(a truncated file: the records before the cut), descent_m/ascent_m from the "
            "noise-free elevation profile, cadence_spm = time-weighted mean of the "
            "non-walking samples [steps/min]. Weeks are Monday-start in Europe/Berlin; "
            "week cadence_spm = time-weighted median over running samples. Expected "
            "findings use the DESIGN.md default thresholds and runaudit's severity "
            "policy (low cadence: info for 1-2 weeks in a row, then warning; downhill: "
            "alert above 2x). Runs without a file (records: a Strava row typed in by "
            "hand, a Garmin Connect summary) count in their week's runs, distance and long "
            "run, never in its cadence; service_weeks holds each week as Strava and Garmin "
            "Connect report it, with the services more than 2 % away from the week's "
            "distance named."
        ),
        "athlete": {"timezone": "Europe/Berlin", "home": list(HOME)},
        "thresholds": {
            "ramp_up": {"warning": RAMP_WARNING, "alert": RAMP_ALERT, "chronic_weeks": RAMP_WEEKS},
            "missing_deload": {
                "fraction": DELOAD_FRACTION,
                "lookback_weeks": DELOAD_LOOKBACK,
                "streak_weeks": DELOAD_STREAK,
            },
            "downhill_volume": {
                "factor": DOWNHILL_FACTOR,
                "min_descent_m": DOWNHILL_MIN_M,
                "chronic_weeks": DOWNHILL_WEEKS,
            },
            "low_cadence": {"min_spm": CADENCE_MIN_SPM},
            "long_run_spike": {"factor": SPIKE_FACTOR, "alert": SPIKE_ALERT, "days": SPIKE_DAYS},
            "knee_pain": {"warning_above": PAIN_WARNING, "alert_from": PAIN_ALERT},
            "shoe_change": {"new_shoe_share": NEW_SHOE_SHARE},
            "surface_change": {
                "min_share": SURFACE_MIN_SHARE,
                "share_jump": SURFACE_JUMP,
                "lookback_weeks": SURFACE_WEEKS,
            },
        },
        "pain_diary": pain,
        "services": {"strava": strava, "garmin": garmin},
        "files": sorted(entries, key=lambda e: e["path"]),
        "records": no_file,
        "weeks": weeks,
        "service_weeks": service_weeks(counted),
        "expected_findings": findings,
    }
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    elapsed = time.perf_counter() - t0
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"{len(entries)} files, {total / 1e6:.1f} MB in {out} ({elapsed:.1f} s)")
    for w in weeks:
        print(
            f"{w['week_start']}  {w['runs']} runs  {w['distance_km']:6.1f} km  "
            f"{w['descent_m']:6.0f} m down  {w['cadence_spm']:5.1f} spm"
        )
    for f in findings:
        print(f"{f['week_start']}  {f['rule']:<16} {f['severity']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
