"""Polar Flow's session JSON, one file per training session (pure, no I/O).

The Polar Flow data export (``polar-user-data-export_….zip``) holds one
``training-session-YYYY-MM-DD-….json`` per session. Two shapes, as public
importers read them:

* ``exportVersion`` files: ``startTime`` local (``2021-01-30T13:24:11.000``),
  ``timeZoneOffset`` [min], ``distance`` [m], ``duration`` ISO-8601
  (``PT2753.875S``), ``exercises[].sport`` (``RUNNING``), the exercise's
  ``heartRate`` ``{min, avg, max}`` and ``samples`` (``heartRate`` and
  ``recordedRoute`` lists of ``{dateTime, value}`` / ``{dateTime, latitude,
  longitude, altitude}``) — AlexanderFabisch/slither's Polar loader;
* newer files: ``durationMillis``, ``distanceMeters``,
  ``timezoneOffsetMinutes`` and ``hrAvg`` on the session, the sport in
  ``exercises[].sport.id`` with the Flow label in ``name`` (``Running``).

The offset is local time minus UTC (``-420`` for PDT). Polar writes the bare
token ``NaN`` for sensor dropouts; it reads as missing.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from runaudit.errors import ParseError
from runaudit.reading.metrics.elevation import elevation_stats
from runaudit.reading.records.base import Problems, RecordFile, ServiceReader, ServiceRecord
from runaudit.reading.records.jsonload import load_json, number
from runaudit.reading.sports import normalize_sport

#: Session field → canonical field (older ``exportVersion`` shape, newer shape second).
FIELDS: dict[str, str] = {
    "startTime": "start_utc (local, with the offset)",
    "timeZoneOffset": "utc_offset_s [min]",
    "timezoneOffsetMinutes": "utc_offset_s [min]",
    "distance": "distance_km [m]",
    "distanceMeters": "distance_km [m]",
    "duration": "elapsed_time_s (ISO 8601)",
    "durationMillis": "elapsed_time_s [ms]",
    "exercises[0].sport": "activity_type",
    "exercises[0].heartRate.avg": "heart_rate_bpm",
    "hrAvg": "heart_rate_bpm",
    "name": "name",
}


#: Sports a Flow label must name to be taken as that sport without ``--run-type``.
KNOWN_SPORTS = frozenset({"running", "cycling", "walking", "hiking", "swimming"})


def is_polar_session(name: str) -> bool:
    """True for a Polar Flow session file name (``training-session-….json``)."""
    base = name.replace("\\", "/").replace("!", "/").rsplit("/", 1)[-1].lower()
    return base.startswith("training-session-") and base.endswith(".json")


def iso_duration_s(text: object) -> float:
    """An ISO-8601 duration (``PT2753.875S``, ``PT1H5M``) in seconds; NaN if not one.

    >>> iso_duration_s("PT2753.875S"), iso_duration_s("PT1H5M"), iso_duration_s("soon")
    (2753.875, 3900.0, nan)
    """
    if not isinstance(text, str) or not text.strip().upper().startswith("P"):
        return math.nan
    try:
        value = pd.Timedelta(text.strip()).total_seconds()
    except ValueError:
        return math.nan
    return value if math.isfinite(value) and value >= 0 else math.nan


def _local(text: object) -> float:
    """``2021-01-30T13:24:11.000`` read as if UTC [s]; NaN if not that form."""
    if not isinstance(text, str):
        return math.nan
    t = text.strip()[:23]
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(t, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    return math.nan


def read_session(data: bytes, *, name: str = "training-session.json") -> RecordFile:
    """Read one Polar Flow session as one record (runs and other sports alike).

    Raises
    ------
    ParseError
        Not JSON, or a session without ``startTime`` or ``exercises`` (named).
    """
    doc = load_json(data, name)
    if not isinstance(doc, dict):
        raise ParseError(f"{name}: not a Polar Flow session (top level is not an object)")
    exercises = doc.get("exercises")
    local = _local(doc.get("startTime"))
    missing = [
        k
        for k, ok in (
            ("startTime", math.isfinite(local)),
            ("exercises", isinstance(exercises, list) and exercises),
        )
        if not ok
    ]
    if missing:
        raise ParseError(
            f"{name}: no {' or '.join(repr(m) for m in missing)} (not a Polar Flow session)"
        )
    assert isinstance(exercises, list)
    first = exercises[0] if isinstance(exercises[0], dict) else {}
    problems = Problems()
    offset_min = number(doc.get("timeZoneOffset"))
    if not math.isfinite(offset_min):
        offset_min = number(doc.get("timezoneOffsetMinutes"))
    offset = (
        round(offset_min * 60) if math.isfinite(offset_min) and abs(offset_min) <= 15 * 60 else None
    )
    if offset is None:
        problems.add("sessions without a time-zone offset (times read as UTC)")
    sport_text = first.get("sport")
    labelled = isinstance(sport_text, dict)  # newer shape: {"id": "1"}; the label is the name
    if labelled:
        sport_text = doc.get("name")
    kind = sport_text if isinstance(sport_text, str) else ""
    sport, sub = normalize_sport(kind)
    unknown: tuple[tuple[str, int], ...] = ()
    if labelled and sport not in KNOWN_SPORTS:
        # Flow writes its label in the account's language ("Laufen"): --run-type declares it
        sport, sub, unknown = None, None, ((kind[:60], 1),)
    distance = number(doc.get("distance"), 1e-3)
    if not math.isfinite(distance):
        distance = number(doc.get("distanceMeters"), 1e-3)
    duration = iso_duration_s(doc.get("duration"))
    if not math.isfinite(duration):
        duration = number(doc.get("durationMillis"), 1e-3)
    heart = first.get("heartRate")
    hr = number(heart.get("avg")) if isinstance(heart, dict) else math.nan
    for key in ("averageHeartRate", "hrAvg"):
        if not math.isfinite(hr):
            hr = number(doc.get(key))
    ascent, descent = _route_climb(first.get("samples"))
    ident = doc.get("identifier")
    record = ServiceRecord(
        service="polar",
        source_file=name,
        line=1,
        record_id=str(ident.get("id", "") if isinstance(ident, dict) else "")[:60],
        start_utc=local - (offset or 0),
        utc_offset_s=offset,
        activity_type=kind[:60],
        sport=sport,
        sub_sport=sub,
        name=str(doc.get("name") or "")[:200],
        distance_km=distance,
        elapsed_time_s=duration,
        ascent_m=ascent,
        descent_m=descent,
        heart_rate_bpm=hr,
    )
    return RecordFile((record,), problems=problems, unknown_types=unknown)


def _route_climb(samples: Any) -> tuple[float, float]:
    """Ascent and descent [m] of the ``recordedRoute`` altitudes, smoothed as for files."""
    route = samples.get("recordedRoute") if isinstance(samples, dict) else None
    if not isinstance(route, list) or len(route) < 2:
        return math.nan, math.nan
    times = np.array(
        [_local(p.get("dateTime")) if isinstance(p, dict) else math.nan for p in route]
    )
    alts = np.array([number(p.get("altitude")) if isinstance(p, dict) else math.nan for p in route])
    ok = np.isfinite(times) & np.isfinite(alts)
    if ok.sum() < 2:
        return math.nan, math.nan
    order = np.argsort(times[ok], kind="stable")
    stats = elevation_stats(times[ok][order], alts[ok][order])
    return stats.ascent_m, stats.descent_m


def read_session_file(data: bytes, name: str) -> RecordFile:
    """The :class:`~.base.RecordReader` of one session: a file it cannot read is one problem."""
    try:
        return read_session(data, name=name)
    except ParseError as err:
        return _refused(str(err).removeprefix(f"{name}: "))


def _refused(reason: str) -> RecordFile:
    problems = Problems()
    problems.add(reason)
    return RecordFile((), problems=problems)


#: The readers' table entry of Polar Flow's sessions (see :data:`runaudit.reading.records.READERS`).
READERS = (
    ServiceReader(
        "polar",
        "Polar Flow",
        accepts=is_polar_session,
        read=read_session_file,
    ),
)
