"""TCX activities straight to NumPy columns: libxml2 builds the tree, XPath lifts the columns.

The layout Garmin, Strava and most apps write (``Activity/Lap/Track/Trackpoint``
with ``Time``, ``Position/LatitudeDegrees``, ``AltitudeMeters``,
``DistanceMeters``, ``HeartRateBpm/Value``, ``Cadence`` and the
``Extensions/TPX/Speed|RunCadence`` extension) is parsed by
:func:`.xmlsafe.parse_fast_xml` (lxml, no DTD, no entities) and each column
of an activity comes out of the tree with one compiled XPath query; numbers
and timestamps are converted in one vectorised call each.

It gives the numbers of :func:`runaudit.reading.parsers.tcx.parse_tcx_with_etree`,
which matches elements by local name wherever they stand in a trackpoint.
So the file is taken only when every element of those names in the whole
document stands at its place of that layout, at most once per trackpoint
(one C-level walk counts them, one XPath count per activity checks the
places). Anything else raises :class:`Unusual` and the ElementTree reader
reads the file, which also words every error.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from lxml import etree

from runaudit.reading.models import ParsedActivity, ParsedFile
from runaudit.reading.parsers.columns import floats, in_range, plain_iso_nanos
from runaudit.reading.parsers.gpx import _epoch
from runaudit.reading.parsers.track import ALTITUDE_M, EARLIEST_S, LATEST_S, RATE, tcx_activity
from runaudit.reading.parsers.xmlsafe import Unusual, local_name, parse_fast_xml
from runaudit.reading.sports import is_other_sport, normalize_sport

__all__ = ["Unusual", "parse_tcx_fast", "trackpoint_time"]

#: Local names the ElementTree reader looks for in trackpoints (and laps).
_NAMES = (
    "Trackpoint",
    "Time",
    "LatitudeDegrees",
    "LongitudeDegrees",
    "AltitudeMeters",
    "DistanceMeters",
    "HeartRateBpm",
    "Cadence",
    "RunCadence",
    "Speed",
)
_ANY_NAMESPACE = tuple("{*}" + name for name in _NAMES)
#: Garmin's namespace of the ``TPX`` trackpoint extension (when a file has none of it).
_ACTIVITY_EXTENSION = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"

_HUGE = 1.0e9  # as gpx.float_in_range: beyond this a number is damage


def trackpoint_time(text: str | None) -> float | None:
    """A trackpoint's ``<Time>`` [s since 1970 UTC, naive = UTC]; None when unusable.

    >>> trackpoint_time("2024-05-04T07:00:00.5Z")
    1714806000.5
    >>> trackpoint_time("2024-13-04T07:00:00Z") is None
    True
    """
    if not text:
        return None
    try:
        when = _epoch(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None
    return when if math.isfinite(when) else None


@dataclass(frozen=True)
class _Field:
    """A query for at most one element per trackpoint, and its ``count()``."""

    nodes: etree.XPath
    count: etree.XPath


@dataclass(frozen=True)
class _Queries:
    """XPath queries from an ``Activity``, for one TCX namespace and one extension namespace."""

    points: etree.XPath
    n_points: etree.XPath
    time: _Field  # each trackpoint's first <Time>
    lat: _Field
    lon: _Field
    alt: _Field
    dist: _Field
    hr_bpm: _Field
    hr: _Field  # the <Value> of each trackpoint's <HeartRateBpm>
    hr_children: etree.XPath  # count(): children of those <HeartRateBpm> (each must be one Value)
    cad: _Field
    run_cad: _Field
    speed: _Field
    lap_tags: tuple[str, str, str]  # <Lap> and its <DistanceMeters>, <Cadence>

    def fields(self) -> tuple[_Field, ...]:
        """The queries of every element named in :data:`_NAMES` but <Trackpoint>."""
        return (
            self.time,
            self.lat,
            self.lon,
            self.alt,
            self.dist,
            self.hr_bpm,
            self.cad,
            self.run_cad,
            self.speed,
        )


@functools.lru_cache(maxsize=32)
def _queries(tcd: str, ax: str) -> _Queries:
    """Compile the queries for elements in namespace ``tcd`` ("" for none), extensions in ``ax``."""
    ns = {k: v for k, v in (("t", tcd), ("x", ax)) if v} or None

    def t(name: str) -> str:
        return f"t:{name}" if tcd else name

    def x(name: str) -> str:
        return f"x:{name}" if ax else name

    def xp(expr: str) -> etree.XPath:
        return etree.XPath(expr, namespaces=ns, smart_strings=False)

    def field(path: str) -> _Field:
        return _Field(xp(path), xp(f"count({path})"))

    def tag(name: str) -> str:
        return f"{{{tcd}}}{name}" if tcd else name

    point = f"{t('Lap')}/{t('Track')}/{t('Trackpoint')}"
    hr_bpm = f"{point}/{t('HeartRateBpm')}[1]"
    tpx = f"{point}/{t('Extensions')}[1]/{x('TPX')}[1]"
    return _Queries(
        points=xp(point),
        n_points=xp(f"count({point})"),
        time=field(f"{point}/{t('Time')}[1]"),
        lat=field(f"{point}/{t('Position')}[1]/{t('LatitudeDegrees')}[1]"),
        lon=field(f"{point}/{t('Position')}[1]/{t('LongitudeDegrees')}[1]"),
        alt=field(f"{point}/{t('AltitudeMeters')}[1]"),
        dist=field(f"{point}/{t('DistanceMeters')}[1]"),
        hr_bpm=field(hr_bpm),
        hr=field(f"{hr_bpm}/{t('Value')}[1]"),
        hr_children=xp(f"count({hr_bpm}/*)"),
        cad=field(f"{point}/{t('Cadence')}[1]"),
        run_cad=field(f"{tpx}/{x('RunCadence')}[1]"),
        speed=field(f"{tpx}/{x('Speed')}[1]"),
        lap_tags=(tag("Lap"), tag("DistanceMeters"), tag("Cadence")),
    )


def _namespace(element: Any) -> str:
    tag = element.tag
    return tag[1 : tag.index("}")] if tag.startswith("{") else ""


def parse_tcx_fast(data: bytes, *, sport_first: bool = False) -> ParsedFile:
    """Parse a TCX file of the common layout into a :class:`ParsedFile`.

    Returns what :func:`runaudit.reading.parsers.tcx.parse_tcx_with_etree` returns;
    with ``sport_first``, an activity whose ``Sport`` is another sport than
    running gets NaN altitude, speed, cadence and heart rate (not read).

    Raises
    ------
    Unusual
        For anything outside the common layout, and for a file without a
        timestamped trackpoint (the caller falls back and words the error).
    """
    root = parse_fast_xml(data)
    first_point = next(root.iter("{*}Trackpoint"), None)
    if first_point is None:
        raise Unusual("no trackpoint")
    extension = next(root.iter("{*}RunCadence", "{*}Speed"), None)
    queries = _queries(
        _namespace(first_point),
        _namespace(extension) if extension is not None else _ACTIVITY_EXTENSION,
    )
    activities = [_Activity(element, queries) for element in root.iter("{*}Activity")]
    # Every element the ElementTree reader would look at is one these queries found.
    census = sum(1 for _ in root.iter(*_ANY_NAMESPACE))
    if census != sum(activity.placed() for activity in activities):
        raise Unusual("trackpoint values outside the common layout")
    parsed = [a for activity in activities if (a := activity.parsed(sport_first)) is not None]
    if not parsed:
        raise Unusual("no timestamped trackpoint")
    return ParsedFile("tcx", "activity", "tcx", parsed, [])


class _Activity:
    """One ``<Activity>``: its trackpoints' columns, at most one element per point and field.

    Holds no element it does not need: each costs its proxy's upkeep.
    """

    def __init__(self, activity: Any, queries: _Queries) -> None:
        self._activity, self._queries = activity, queries
        self._n = int(queries.n_points(activity))
        self._counts: dict[int, int] = {}
        self._index: dict[int, int] | None = None
        self._points: list[Any] = []

    def count(self, field: _Field) -> int:
        key = id(field)
        if key not in self._counts:
            self._counts[key] = int(field.count(self._activity))
        return self._counts[key]

    def placed(self) -> int:
        """How many elements named in :data:`_NAMES` the layout's places hold here."""
        lap, distance, cadence = self._queries.lap_tags
        laps = sum(
            (next(element.iterchildren(distance), None) is not None)
            + (next(element.iterchildren(cadence), None) is not None)
            for element in self._activity.iterchildren(lap)
        )
        return self._n + sum(self.count(f) for f in self._queries.fields()) + laps

    def parsed(self, sport_first: bool = False) -> ParsedActivity | None:
        """The activity; None when it has no timestamped trackpoint.

        ``sport_first``: another sport's activity gets time, position and distance only.
        """
        activity, queries = self._activity, self._queries
        lap_distance = lap_time = 0.0
        has_lap_distance = False
        for lap in activity.iterchildren("{*}Lap"):
            dist = _number(_child_text(lap, "{*}DistanceMeters"))
            if np.isfinite(dist):
                lap_distance += dist
                has_lap_distance = True
            secs = _number(_child_text(lap, "{*}TotalTimeSeconds"))
            if np.isfinite(secs):
                lap_time += secs
        if not self._n:
            return None
        stamps, owners = self.texts(queries.time, strip=True)
        times = np.full(self._n, np.nan)
        times[owners] = _times(stamps)
        keep = np.isfinite(times)
        if not keep.any():
            return None
        sport = normalize_sport(activity.get("Sport"))
        if sport_first and is_other_sport(*sport):
            nan = np.full(self._n, np.nan)
            columns = (
                times,
                in_range(self.values(queries.lat), -90.0, 90.0),
                in_range(self.values(queries.lon), -180.0, 180.0),
                nan,
                in_range(self.values(queries.dist, strip=True), -_HUGE, _HUGE),
                nan,
                nan,
                nan,
            )
            total = lap_distance if has_lap_distance else None
            return tcx_activity(tuple(c[keep] for c in columns), sport, total, lap_time)
        if self.count(queries.hr_bpm) and int(queries.hr_children(activity)) != self.count(
            queries.hr
        ):
            raise Unusual("a <HeartRateBpm> with children other than one <Value>")
        if self.count(queries.cad) and self.count(queries.run_cad):
            raise Unusual("both <Cadence> and <RunCadence> (the reader takes the first number)")
        cadence = queries.cad if self.count(queries.cad) else queries.run_cad
        columns = (
            times,
            in_range(self.values(queries.lat), -90.0, 90.0),
            in_range(self.values(queries.lon), -180.0, 180.0),
            in_range(self.values(queries.alt, strip=True), *ALTITUDE_M),
            in_range(self.values(queries.dist, strip=True), -_HUGE, _HUGE),
            in_range(self.values(queries.speed), -_HUGE, _HUGE),
            in_range(self.values(cadence), *RATE),
            in_range(self.values(queries.hr, strip=True), *RATE),
        )
        total = lap_distance if has_lap_distance else None
        creator = next(activity.iterchildren("{*}Creator"), None)
        device = _child_text(creator, "{*}Name") if creator is not None else None
        return tcx_activity(tuple(c[keep] for c in columns), sport, total, lap_time, device)

    def texts(self, field: _Field, strip: bool = False) -> tuple[list[str | None], np.ndarray]:
        """The elements' texts and the index of the trackpoint holding each."""
        if not self.count(field):
            return [], np.arange(0)
        if self.count(field) == self._n:  # at most one per point: one each, in order
            found = [e.text for e in field.nodes(self._activity)]
            return [_stripped(t) for t in found] if strip else found, np.arange(self._n)
        elements = field.nodes(self._activity)
        if self._index is None:
            self._points = self._queries.points(self._activity)
            self._index = {id(point): i for i, point in enumerate(self._points)}
        owners = np.array([self._index[id(_point_of(e))] for e in elements], dtype=np.intp)
        found = [_stripped(e.text) if strip else e.text for e in elements]
        return found, owners

    def values(self, field: _Field, strip: bool = False) -> np.ndarray:
        """One float per trackpoint (NaN where it has no such element or no number)."""
        out = np.full(self._n, np.nan)
        found, owners = self.texts(field, strip)
        if found:
            out[owners] = floats(found)
        return out


def _point_of(element: Any) -> Any:
    """The ``Trackpoint`` an element of the layout sits in."""
    node = element.getparent()
    while local_name(node.tag) != "Trackpoint":
        node = node.getparent()
    return node


def _times(texts: list[str | None]) -> np.ndarray:
    """Trackpoint times [s since 1970 UTC]; NaN where none or unusable."""
    present = [t for t in texts if t]
    nanos = plain_iso_nanos(present) if present and len(present) == len(texts) else None
    if nanos is None:
        return np.array([_or_nan(trackpoint_time(t)) for t in texts], dtype=float)
    micros = nanos // 1000  # datetime keeps microseconds, dropping the rest
    seconds = micros.astype(np.float64) / 1e6
    seconds[(seconds < EARLIEST_S) | (seconds >= LATEST_S)] = np.nan
    return seconds


def _or_nan(value: float | None) -> float:
    return np.nan if value is None else value


def _child_text(element: Any, tag: str) -> str | None:
    """The stripped text of the first ``tag`` child (None when absent or blank)."""
    for child in element.iterchildren(tag):
        return _stripped(child.text)
    return None


def _stripped(text: str | None) -> str | None:
    return (text or "").strip() or None


def _number(text: str | None) -> float:
    return float(in_range(floats([text]), -_HUGE, _HUGE)[0])
