"""Apple Health's ``export.xml`` (``export.zip`` → ``apple_health_export/``), streamed.

The export is one XML file of 100 MB to several GB, mostly ``<Record>``
elements (every heart-rate sample, step count...), with the workouts among
them. It begins with an internal DTD (``<!DOCTYPE HealthData [ <!ELEMENT …>
<!ATTLIST …> ]>``). That DTD, and only that, is accepted: the prologue is
checked before the parser starts (no ``<!ENTITY``, no ``SYSTEM``/``PUBLIC``
reference), and libxml2 then runs with entity substitution, DTD loading and
network access off. Elements are cleared as soon as they end, so memory stays
bounded whatever the file's size (``benchmarks/bench_apple_health.py``).

A workout, in both shapes Apple has shipped (public importers' fixtures,
e.g. simonw/healthkit-to-sqlite and the Apple Health parsers they inspired)::

    <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30.5"
             durationUnit="min" totalDistance="5.0" totalDistanceUnit="km"
             sourceName="…" startDate="2019-05-14 18:52:09 -0400" endDate="…">
      <MetadataEntry key="HKIndoorWorkout" value="1"/>
      <MetadataEntry key="HKTimeZone" value="America/Toronto"/>
      <MetadataEntry key="HKElevationAscended" value="8652 cm"/>
      <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning"
                         sum="5.25" unit="km"/>          (iOS 16 on, instead of totalDistance)
      <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" average="150" unit="count/min"/>
      <WorkoutRoute><FileReference path="/workout-routes/route_….gpx"/></WorkoutRoute>
    </Workout>

Dates carry the offset of the phone at export time; where ``HKTimeZone``
names the workout's own zone, the local offset is taken from it. The route
GPX sits in the zip beside ``export.xml``: the record names it, so the run
read from that file gets the record's sport and treadmill flag, and its
descent comes from the route's altitudes. Exports of iOS 10-11 wrote the route
inline instead (``<WorkoutRoute><Location date=… altitude=…/>``, as in
dogsheep/healthkit-to-sqlite's test export): its climb and descent are
computed here, smoothed as for files.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from lxml import etree

from runaudit.errors import ParseError
from runaudit.reading.metrics.elevation import elevation_stats
from runaudit.reading.records.base import Problems, RecordFile, ServiceReader, ServiceRecord
from runaudit.reading.sports import normalize_sport

#: Workout attribute / child → canonical field.
FIELDS: dict[str, str] = {
    "workoutActivityType": "activity_type",
    "startDate": "start_utc, utc_offset_s",
    "duration/durationUnit": "elapsed_time_s",
    "totalDistance/totalDistanceUnit": "distance_km",
    "WorkoutStatistics[DistanceWalkingRunning]/sum/unit": "distance_km",
    "WorkoutStatistics[HeartRate]/average": "heart_rate_bpm",
    "MetadataEntry[HKIndoorWorkout]": "sub_sport = treadmill",
    "MetadataEntry[HKTimeZone]": "utc_offset_s",
    "MetadataEntry[HKElevationAscended]": "ascent_m",
    "WorkoutRoute/FileReference/path": "filename",
}
#: HealthKit unit strings → factor to the canonical unit (km, s, m).
DISTANCE_KM = {"km": 1.0, "m": 1e-3, "mi": 1.609344}
DURATION_S = {"s": 1.0, "min": 60.0, "hr": 3600.0}
LENGTH_M = {"cm": 0.01, "m": 1.0, "km": 1000.0}
_DISTANCE_STAT = "HKQuantityTypeIdentifierDistanceWalkingRunning"
_HR_STAT = "HKQuantityTypeIdentifierHeartRate"
#: How far into the file the DTD must have ended [bytes].
MAX_PROLOGUE = 2**20
_DOCTYPE = re.compile(rb"<!DOCTYPE\s+HealthData\s*\[", re.IGNORECASE)
_ROOT = re.compile(rb"<HealthData[\s>/]")


def is_export_xml(name: str) -> bool:
    """True for Apple Health's export (``export.xml``; not ``export_cda.xml``)."""
    base = name.replace("\\", "/").replace("!", "/").rsplit("/", 1)[-1].lower()
    return base == "export.xml"


def parse_date(text: str | None) -> tuple[float, int | None]:
    """``2019-05-14 18:52:09 -0400`` → (UTC [s since epoch], offset [s]); NaN if not that form.

    >>> parse_date("2019-05-14 18:52:09 -0400")
    (1557874329.0, -14400)
    """
    if not text:
        return math.nan, None
    try:
        when = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return math.nan, None
    offset = when.utcoffset()
    return when.timestamp(), int(offset.total_seconds()) if offset is not None else None


def check_prologue(head: bytes, name: str) -> None:
    """Accept no DTD, or Apple's internal one: no entity, nothing external.

    Raises
    ------
    ParseError
        For a DOCTYPE that declares an entity, points outside the file, is
        not ``HealthData``'s, or does not end within :data:`MAX_PROLOGUE` bytes.
    """
    start = head.find(b"<!DOCTYPE")
    if start < 0:
        start = head.lower().find(b"<!doctype")
    if start < 0:
        return
    match = _DOCTYPE.match(head, start)
    if match is None:
        raise ParseError(
            f"{name}: a DOCTYPE other than Apple Health's internal one; refused for safety"
        )
    # Everything up to the root element, not just to the first "]>" (which a comment
    # inside the DTD could hold).
    root = _ROOT.search(head, match.end())
    if root is None:
        raise ParseError(
            f"{name}: the DOCTYPE does not end in the first {MAX_PROLOGUE // 2**10} KiB; refused"
        )
    subset = head[match.end() : root.start()]
    if re.search(rb"<!ENTITY|SYSTEM|PUBLIC|%", subset, re.IGNORECASE):
        raise ParseError(
            f"{name}: the DTD declares entities or external references; refused for safety"
        )


class _Prefixed(io.RawIOBase):
    """The bytes already read for the prologue check, then the rest of the stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def read_export_xml(stream: IO[bytes], *, name: str = "export.xml") -> RecordFile:
    """Stream the workouts out of an ``export.xml`` as records (runs and other sports).

    Parameters
    ----------
    stream : binary file
        Read once, front to back (a zip member's stream will do).
    name : str
        Shown in messages.

    Raises
    ------
    ParseError
        Malformed XML, an unsafe DTD, not a ``<HealthData>`` document, or an
        export without a single ``<Workout>`` ("holds no workouts").
    """
    head = stream.read(MAX_PROLOGUE)
    check_prologue(head, name)
    source = io.BufferedReader(_Prefixed(head, stream), buffer_size=2**20)
    problems = Problems()
    records: list[ServiceRecord] = []
    seen = [0]  # top-level elements read
    try:
        for workout in _workouts(source, name, seen):
            record = _record(workout, name, len(records) + 1, problems)
            if record is not None:
                records.append(record)
    except etree.XMLSyntaxError as err:
        raise ParseError(f"{name}: malformed XML ({err})") from err
    if not records and not problems.counts:
        raise ParseError(
            f"{name}: an Apple Health export that holds no workouts"
            f" ({seen[0]:,} other entries); no runs to read"
        )
    return RecordFile(tuple(records), problems=problems)


def read_export_bytes(data: bytes, name: str) -> RecordFile:
    """:func:`read_export_xml` over bytes already in memory (the reader interface)."""
    return read_export_xml(io.BytesIO(data), name=name)


#: The elements of ``<HealthData>`` that come in numbers; libxml2 reports only their
#: ends (not the ends of their ``MetadataEntry`` children), and each is cleared and
#: dropped from the tree with whatever stood before it (``ExportDate``, ``Me``...).
_BULK = ("Record", "Workout", "Correlation", "ActivitySummary", "ClinicalRecord", "Audiogram")


def _workouts(source: IO[bytes], name: str, seen: list[int]) -> Iterator[Any]:
    """Each ``<Workout>``, clearing every element as it ends (``seen[0]`` counts them)."""
    parser = etree.iterparse(
        source,
        events=("end",),
        tag=_BULK,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    checked = False
    for _event, element in parser:
        parent = element.getparent()
        if not checked:
            root = parent
            while root is not None and root.getparent() is not None:
                root = root.getparent()
            if root is None or root.tag != "HealthData":
                tag = str(root.tag if root is not None else element.tag)[:40]
                raise ParseError(f"{name}: root element <{tag}>, not Apple's <HealthData>")
            checked = True
        seen[0] += 1
        if element.tag == "Workout":
            yield element
        element.clear()
        if parent is not None:
            while element.getprevious() is not None:
                del parent[0]
    if not checked:
        raise ParseError(f"{name}: no <Record> or <Workout> (not an Apple Health export)")


def _number(text: str | None) -> float:
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _quantity(text: str | None, units: dict[str, float]) -> tuple[float, str]:
    """``"8652 cm"`` → (86.52 in the canonical unit, ""), or (NaN, the unknown unit)."""
    parts = (text or "").split()
    if len(parts) != 2:
        return math.nan, text or ""
    factor = units.get(parts[1])
    if factor is None:
        return math.nan, parts[1]
    return _number(parts[0]) * factor, ""


def _record(workout: Any, name: str, index: int, problems: Problems) -> ServiceRecord | None:
    get = workout.get
    where = f"workout {index} ({get('startDate') or '?'})"
    start, offset = parse_date(get("startDate"))
    if not math.isfinite(start):
        problems.add("workouts whose startDate is not 'YYYY-MM-DD HH:MM:SS ±HHMM'", where)
        return None
    kind = get("workoutActivityType") or ""
    sport, sub = normalize_sport(kind)
    meta = {m.get("key"): m.get("value") for m in workout.iterchildren("MetadataEntry")}
    if meta.get("HKIndoorWorkout") == "1" and sport == "running":
        sub = "treadmill"
    zone_name = meta.get("HKTimeZone")
    if zone_name:
        try:
            off = datetime.fromtimestamp(start, ZoneInfo(zone_name)).utcoffset()
            offset = int(off.total_seconds()) if off is not None else offset
        except (ZoneInfoNotFoundError, ValueError, OSError):
            problems.add("workouts naming a time zone runaudit does not know", where)
    duration = _number(get("duration")) * DURATION_S.get(get("durationUnit") or "", math.nan)
    if not math.isfinite(duration) and get("duration"):
        problems.add(f"durations in unit {get('durationUnit')!r}", where)
    distance = _number(get("totalDistance")) * DISTANCE_KM.get(
        get("totalDistanceUnit") or "", math.nan
    )
    heart = math.nan
    stats = list(workout.iterchildren("WorkoutStatistics"))
    if not stats:  # newer exports put them in <WorkoutActivity> children
        stats = [
            s
            for a in workout.iterchildren("WorkoutActivity")
            for s in a.iterchildren("WorkoutStatistics")
        ]
    sums = []
    for stat in stats:
        kind_stat = stat.get("type")
        if kind_stat == _DISTANCE_STAT:
            factor = DISTANCE_KM.get(stat.get("unit") or "")
            if factor is None:
                problems.add(f"distances in unit {stat.get('unit')!r}", where)
                continue
            sums.append(_number(stat.get("sum")) * factor)
        elif kind_stat == _HR_STAT:
            heart = _number(stat.get("average"))
    if not math.isfinite(distance) and sums:
        distance = math.fsum(sums)
    ascent, unknown = _quantity(meta.get("HKElevationAscended"), LENGTH_M)
    if unknown and meta.get("HKElevationAscended"):
        problems.add(f"elevation in unit {unknown!r}", where)
    route = next(workout.iter("FileReference"), None)
    path = (route.get("path") or "") if route is not None else ""
    descent = math.nan
    if not path:  # exports of iOS 10-11 hold the route inline: <WorkoutRoute><Location .../>
        climb, descent = _inline_route(workout)
        if not math.isfinite(ascent):
            ascent = climb
    return ServiceRecord(
        service="apple_health",
        source_file=name,
        line=index,
        record_id="",
        start_utc=start,
        utc_offset_s=offset,
        activity_type=kind[:80],
        sport=sport,
        sub_sport=sub,
        name=(get("sourceName") or "")[:200],
        filename=path.lstrip("/")[:500],
        distance_km=distance,
        elapsed_time_s=duration,
        moving_time_s=duration,
        ascent_m=ascent,
        descent_m=descent,
        heart_rate_bpm=heart,
    )


def _inline_route(workout: Any) -> tuple[float, float]:
    """Ascent and descent [m] of a route written inline as ``<Location date= altitude=>``,
    smoothed as for files; NaN without two located altitudes."""
    points = [
        (parse_date(loc.get("date"))[0], _number(loc.get("altitude")))
        for route in workout.iterchildren("WorkoutRoute")
        for loc in route.iterchildren("Location")
    ]
    good = sorted((t, a) for t, a in points if math.isfinite(t) and math.isfinite(a))
    if len(good) < 2:
        return math.nan, math.nan
    times, alts = (np.array(c, dtype=float) for c in zip(*good, strict=True))
    stats = elevation_stats(times, alts)
    return stats.ascent_m, stats.descent_m


def read_export_stream(stream: IO[bytes], name: str) -> RecordFile:
    """The streaming reader: a file it cannot read is one problem."""
    try:
        return read_export_xml(stream, name=name)
    except ParseError as err:
        problems = Problems()
        problems.add(str(err).removeprefix(f"{name}: "))
        return RecordFile((), problems=problems)


#: The readers' table entry of Apple Health (see :data:`runaudit.reading.records.READERS`).
#: Its records name their route GPX (``links_files``): the run read from the route
#: gets the workout's sport; a workout without a route (indoors) counts from its record.
READERS = (
    ServiceReader(
        "apple_health",
        "Apple Health",
        accepts=is_export_xml,
        read=lambda data, name: read_export_stream(io.BytesIO(data), name),
        links_files=True,
        stream=read_export_stream,
    ),
)
