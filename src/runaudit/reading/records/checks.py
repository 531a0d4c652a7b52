"""Validation of the services' records before a run from them counts (pure).

* :func:`unique` — a record read twice (the same CSV in two folders, two
  identical summaries files) is one record; the same activity id twice in one
  service is counted once.
* :func:`fix_units` — a distance column written in metres but read as km
  (7.4 km read as 7,401 km in 40 minutes) is found from the speeds of a file's
  runs and converted, with one line saying so.
* :func:`implausible` — the reason a run cannot be what its record says (a
  speed no runner reaches, a distance no single run covers, no date, a descent
  its distance and climb cannot hold), or ``""``.

The limits below are physical bounds on one running activity, not rule
thresholds: like the activity files' bounds in
:mod:`runaudit.reading.parsers.track` (the same years, 1980 to 2099, apply to
the records' dates), they decide what is data and what is damage.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import statistics
from collections.abc import Iterable, Sequence

from runaudit.reading.parsers.track import EARLIEST_S, LATEST_S
from runaudit.reading.records.base import Problems, ServiceRecord

#: Fastest average speed of a run [km/h]: above the 100 m world record's
#: 37.6 km/h (9.58 s, Berlin 2009), so no human run is faster over any distance.
MAX_SPEED_KMH = 40.0
#: Longest single running activity [km]: above the 48-hour world bests (under
#: 500 km), the longest events recorded as one activity.
MAX_RUN_KM = 500.0
#: Longest single running activity [s]: 7 days (six-day races are the longest
#: continuous events).
MAX_DURATION_S = 7 * 86400.0
#: Largest net descent (descent minus ascent) per km of a run [m/km]: 80 m/km
#: is an 8 % average downhill over the whole run. A record beyond it (495 m of
#: descent on a 5.3 km run with 61 m of climb) has a descent that is not the
#: run's; the descent is dropped, the run kept.
MAX_NET_DESCENT_M_PER_KM = 80.0
#: A file's distances are taken as metres read as km when the median speed of
#: its runs is this many times :data:`MAX_SPEED_KMH` or more and a thousandth of
#: it is a running speed [ratio].
METRES_AS_KM_RATIO = 20.0

#: Runs of a file needed before its distance unit is judged.
MIN_RUNS_FOR_UNITS = 1


#: The fields that say what a record is (all but where it was read).
_WHAT = operator.attrgetter(
    *(f.name for f in dataclasses.fields(ServiceRecord) if f.name not in ("source_file", "line"))
)


def _key(record: ServiceRecord) -> tuple[object, ...]:
    """The record without where it was read, NaN made comparable."""
    return tuple(None if v != v else v for v in _WHAT(record))  # NaN != NaN


def unique(records: Iterable[ServiceRecord], problems: Problems) -> list[ServiceRecord]:
    """The records without repeats, first seen kept.

    Identical records from two files (or twice in one) are one record; two
    records of one service with the same id are one activity, counted once,
    and named in ``problems``. Only records that share service, id, start and
    type are compared in full.
    """
    seen: dict[tuple[object, ...], ServiceRecord | list[ServiceRecord]] = {}
    ids: dict[tuple[str, str], ServiceRecord] = {}
    out: list[ServiceRecord] = []
    for record in records:
        start = record.start_utc
        quick = (record.service, record.record_id, start if start == start else None)
        earlier = seen.get(quick)
        if earlier is None:
            seen[quick] = record
        else:
            group = earlier if isinstance(earlier, list) else [earlier]
            if any(_key(e) == _key(record) for e in group):
                problems.add(
                    "records read twice (the same file in two places, or identical files);"
                    " counted once",
                    f"{record.source_file} line {record.line}",
                )
                continue
            seen[quick] = [*group, record]
        if record.record_id:
            first = ids.get((record.service, record.record_id))
            if first is not None:
                problems.add(
                    "activity ids listed twice; the first is counted",
                    f"{record.source_file} line {record.line} (id {record.record_id},"
                    f" first at line {first.line})",
                )
                continue
            ids[(record.service, record.record_id)] = record
        out.append(record)
    return out


def _speed_kmh(record: ServiceRecord) -> float:
    seconds = record.moving_time_s
    if not (math.isfinite(seconds) and seconds > 0):
        seconds = record.elapsed_time_s
    if not (math.isfinite(seconds) and seconds > 0 and math.isfinite(record.distance_km)):
        return math.nan
    return record.distance_km / (seconds / 3600.0)


def fix_units(runs: Sequence[ServiceRecord]) -> tuple[list[ServiceRecord], list[str]]:
    """Runs of one file with a distance column in metres read as km converted.

    Returns the runs (converted or not) and the lines saying what was converted.

    >>> r = ServiceRecord("strava", "a.csv", 2, "1", 0.0, distance_km=7401.0, elapsed_time_s=2400)
    >>> fixed, notes = fix_units([r])
    >>> round(fixed[0].distance_km, 3), notes[0][:60]
    (7.401, 'a.csv: distances of 1 run are metres read as km (median spee')
    """
    speeds = [s for s in map(_speed_kmh, runs) if math.isfinite(s) and s > 0]
    if len(speeds) < MIN_RUNS_FOR_UNITS:
        return list(runs), []
    median = statistics.median(speeds)
    if not (median >= METRES_AS_KM_RATIO * MAX_SPEED_KMH and median / 1000.0 <= MAX_SPEED_KMH):
        return list(runs), []
    name = runs[0].source_file
    fixed = [
        dataclasses.replace(
            r,
            distance_km=r.distance_km / 1000.0,
            trail_km=r.trail_km / 1000.0,
        )
        for r in runs
    ]
    n = len(runs)
    note = (
        f"{name}: distances of {n} run{'s' if n != 1 else ''} are metres read as km (median"
        f" speed {median:,.0f} km/h as written, {median / 1000.0:.1f} km/h as metres);"
        " converted to km"
    )
    return fixed, [note]


def implausible(record: ServiceRecord) -> str:
    """Why a run's record cannot be counted, or ``""`` when it can.

    >>> implausible(ServiceRecord("strava", "a.csv", 2, "", 0.0, distance_km=5.0))
    'date before 1980 or after 2099'
    >>> implausible(ServiceRecord("strava", "a.csv", 2, "", 1e9, distance_km=1e6))
    'distance 1,000,000 km is longer than any run (500 km)'
    """
    start, km = record.start_utc, record.distance_km
    if not math.isfinite(start):
        return "no readable date"
    if not EARLIEST_S <= start < LATEST_S:
        return "date before 1980 or after 2099"
    if not math.isfinite(km):
        return "no readable distance"
    if km <= 0:
        return f"distance {km:g} km"
    if km > MAX_RUN_KM:
        return f"distance {km:,.0f} km is longer than any run ({MAX_RUN_KM:,.0f} km)"
    for label, value in (("elapsed", record.elapsed_time_s), ("moving", record.moving_time_s)):
        if math.isfinite(value) and not 0 <= value <= MAX_DURATION_S:
            return f"{label} time {value:,.0f} s is not a run's"
    speed = _speed_kmh(record)
    if math.isfinite(speed) and speed > MAX_SPEED_KMH:
        return (
            f"{km:,.2f} km in {_duration(record)} is {speed:,.0f} km/h, faster than any"
            f" runner ({MAX_SPEED_KMH:.0f} km/h)"
        )
    return ""


def implausible_descent(record: ServiceRecord) -> bool:
    """True when the descent exceeds the climb by more than the distance can hold.

    >>> r = ServiceRecord("strava", "a", 2, "", 0.0, distance_km=5.3, ascent_m=61, descent_m=495)
    >>> implausible_descent(r)
    True
    """
    d, a, km = record.descent_m, record.ascent_m, record.distance_km
    if not (math.isfinite(d) and math.isfinite(km) and km > 0):
        return False
    net = d - (a if math.isfinite(a) else 0.0)
    return d < 0 or net > MAX_NET_DESCENT_M_PER_KM * km


def _duration(record: ServiceRecord) -> str:
    seconds = record.moving_time_s
    if not (math.isfinite(seconds) and seconds > 0):
        seconds = record.elapsed_time_s
    minutes = seconds / 60.0
    return f"{minutes:,.0f} min" if minutes < 600 else f"{minutes / 60:,.0f} h"
