"""Read GPX files with gpxpy.

Cadence and heart rate come from Garmin's ``TrackPointExtension``
(``gpxtpx:cad`` per foot, ``gpxtpx:hr``) or the plain ``<cadence>``/``<hr>``
extensions other apps write. The sport comes from the track's ``<type>``
(``running``, or Strava's numeric ``9``), else from a sport word opening the
track's ``<name>`` (Runkeeper: ``Running 10/8/14 8:24 pm``). Distance is the 2-D length of the
recorded path, segment by segment, as gpxpy measures it.

The XML is parsed once, by the safe parser of :mod:`.xmlsafe` (no DTD, no
entities), and gpxpy's field reader fills its objects from that tree.
``gpxpy.parse`` itself is never called on untrusted text: it would parse the
bytes a second time, and its namespace regular expressions take quadratic
time on text such as ``"\\nxmlns"`` repeated (a 1 MB file hangs for minutes).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import gpxpy.gpx
import gpxpy.gpxfield
import numpy as np

from runaudit.errors import ParseError
from runaudit.reading.models import ParsedFile
from runaudit.reading.parsers.gpxfast import Unusual, parse_gpx_fast
from runaudit.reading.parsers.track import ALTITUDE_M, EARLIEST_S, LATEST_S, RATE, gpx_track_file
from runaudit.reading.parsers.xmlsafe import local_name, parse_xml
from runaudit.reading.sports import normalize_sport, sport_from_track_name

_CADENCE_TAGS = {"cad", "cadence", "runcadence"}
_HR_TAGS = {"hr", "heartrate", "heart_rate"}


def parse_gpx(data: bytes, *, sport_first: bool = False) -> ParsedFile:
    """Parse GPX bytes into a :class:`ParsedFile` with one activity.

    Plain GPX 1.1 tracks take the one-pass reader of :mod:`.gpxfast`;
    anything else (GPX 1.0, a DTD, odd times, damage) is read with gpxpy.
    ``sport_first``: a track of another sport gets time, position and
    distance only (see :func:`runaudit.reading.parsers.parse_bytes`).

    Raises
    ------
    ParseError
        Malformed or unsafe XML, no track, or a track without timestamps.
    """
    try:
        return parse_gpx_fast(data, sport_first=sport_first)
    except Unusual:
        pass  # not the plain GPX 1.1 track: gpxpy reads it (and words any error)
    return parse_gpx_with_gpxpy(data)


def parse_gpx_with_gpxpy(data: bytes) -> ParsedFile:
    """The gpxpy-based reader: every GPX the fast path does not recognise.

    Also the reference the fast path is tested against.

    Raises
    ------
    ParseError
        Malformed or unsafe XML, no track, or a track without timestamps.
    """
    doc = read_gpx_tree(parse_xml(data, "GPX"))
    rows: list[tuple[float, float, float, float, float, float, int]] = []
    sport: tuple[str | None, str | None] = (None, None)
    segment_id = 0
    for track in doc.tracks:
        # gpxpy leaves GPXTrack.type unannotated (inferred None); the parser sets a str.
        track_type: str | None = getattr(track, "type", None)
        if sport == (None, None) and track_type:
            sport = normalize_sport(track_type)
        for segment in track.segments:
            segment_id += 1
            for point in segment.points:
                when = _epoch(point.time) if point.time is not None else math.nan
                if not math.isfinite(when):
                    continue
                cad, hr = _extensions(point.extensions)
                rows.append(
                    (
                        when,
                        _coord(point.latitude, 90.0),
                        _coord(point.longitude, 180.0),
                        float_in_range(point.elevation, *ALTITUDE_M),
                        cad,
                        hr,
                        segment_id,
                    )
                )
    if not rows:
        points = [p for t in doc.tracks for s in t.segments for p in s.points]
        if any(p.time is not None for p in points):
            raise ParseError("GPX has no valid timestamps (every time is impossible)")
        if points:
            raise ParseError("GPX has no timestamps (a planned route, not a recorded activity)")
        if doc.routes or doc.waypoints:
            raise ParseError("GPX holds only a route or waypoints, not a recorded activity")
        raise ParseError("GPX has no track points")
    if sport == (None, None):  # no <type>: Runkeeper names the sport first in the track name
        sport = next(
            (s for t in doc.tracks if (s := sport_from_track_name(t.name)) != (None, None)),
            (None, None),
        )
    return gpx_track_file(tuple(np.array(rows, dtype=float).T), sport, doc.creator or None)


def read_gpx_tree(root: ET.Element) -> gpxpy.gpx.GPX:
    """Fill a :class:`gpxpy.gpx.GPX` from an already (safely) parsed tree.

    Does what ``gpxpy.parse`` does after its own XML parsing: elements of the
    document's default namespace lose it, then gpxpy's field reader walks
    the tree (GPX 1.0 or 1.1 fields by the ``version`` attribute).

    Raises
    ------
    ParseError
        When the root element is not ``<gpx>`` or gpxpy rejects a value.
    """
    if local_name(root.tag).lower() != "gpx":
        raise ParseError(f"not a GPX file (root element <{local_name(root.tag)[:40]}>)")
    if root.tag.startswith("{"):
        prefix = root.tag[: root.tag.index("}") + 1]
        for element in root.iter():
            if isinstance(element.tag, str) and element.tag.startswith(prefix):
                element.tag = element.tag[len(prefix) :]
    _drop_bad_values(root)
    doc = gpxpy.gpx.GPX()
    try:
        # gpxpy annotates the node as str; it is an Element (as in gpxpy.parse).
        node: Any = root
        gpxpy.gpxfield.gpx_fields_from_xml(doc, node, root.get("version") or "1.0")
    except (gpxpy.gpx.GPXException, ValueError, TypeError, AttributeError) as err:
        raise ParseError(f"malformed GPX ({err})") from err
    except RecursionError as err:  # defensive: gpxpy deep-copies each <extensions>
        raise ParseError("malformed GPX (elements nested too deeply)") from err
    return doc


def _typed_fields() -> dict[str, Any]:
    """gpxpy's typed fields (float, int, or a fixed set of values) by tag or ``@attribute``."""
    fields: dict[str, Any] = {}
    for cls in vars(gpxpy.gpx).values():
        for field in [*getattr(cls, "gpx_10_fields", ()), *getattr(cls, "gpx_11_fields", ())]:
            if isinstance(field, gpxpy.gpxfield.GPXField) and (
                field.type_converter in (gpxpy.gpxfield.FLOAT_TYPE, gpxpy.gpxfield.INT_TYPE)
                or field.possible
            ):
                fields[f"@{field.attribute}" if field.attribute else str(field.tag)] = field
    return fields


_TYPED = _typed_fields()


def _valid(field: Any, text: str) -> bool:
    try:
        value = field.type_converter.from_string(text) if field.type_converter else text
    except (ValueError, TypeError, OverflowError):
        return False
    return not field.possible or value in field.possible


def _drop_bad_values(root: ET.Element) -> None:
    """Blank the values gpxpy would reject, so one damaged number costs that value only.

    gpxpy refuses a whole file over one ``<ele>`` or ``lat`` it cannot
    convert; here such an element loses its text and such an attribute
    becomes ``nan`` (``lat``/``lon``, which are mandatory) or is dropped.
    """
    for element in root.iter():
        for name, text in list(element.attrib.items()):
            field = _TYPED.get(f"@{name}")
            if field is not None and not _valid(field, text):
                if field.mandatory:
                    element.set(name, "nan")
                else:
                    del element.attrib[name]
        field = _TYPED.get(element.tag) if isinstance(element.tag, str) else None
        if field is not None and element.text is not None and not _valid(field, element.text):
            element.text = None


def _epoch(moment: datetime) -> float:
    """Seconds since 1970 UTC (naive times are UTC); NaN for an impossible time.

    Impossible: an offset of a day or more ("+99:99"), or a time outside
    :data:`EARLIEST_S`..:data:`LATEST_S`.
    """
    try:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = moment.timestamp()
    except (ValueError, OverflowError):
        return math.nan
    return seconds if EARLIEST_S <= seconds < LATEST_S else math.nan


#: Plausible ranges of recorded values; anything outside is damage and becomes NaN
#: (a 1e308 altitude would overflow every sum taken over it).
_HUGE = 1.0e9


def float_in_range(value: object, low: float = -_HUGE, high: float = _HUGE) -> float:
    """A float within ``[low, high]``, else NaN (``"inf"``, ``"1e999"``, junk included)."""
    try:
        number = float(value) if value is not None else math.nan  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return math.nan
    return number if low <= number <= high else math.nan


def _coord(value: object, bound: float) -> float:
    """A latitude (``bound`` 90) or longitude (180) in range [deg], else NaN."""
    number = float_in_range(value)
    return number if -bound <= number <= bound else math.nan


def _extensions(extensions: list) -> tuple[float, float]:
    cad = hr = float("nan")
    for root in extensions:
        for element in root.iter():
            name = local_name(str(element.tag)).lower()
            if name in _CADENCE_TAGS and np.isnan(cad):
                cad = float_in_range((element.text or "").strip() or None, *RATE)
            elif name in _HR_TAGS and np.isnan(hr):
                hr = float_in_range((element.text or "").strip() or None, *RATE)
    return cad, hr
