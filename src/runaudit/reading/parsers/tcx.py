"""Read Garmin Training Center (TCX) files with a safe XML parser.

One activity per ``<Activity>``; its sport from ``Sport="Running"``, its device
from ``<Creator><Name>`` (``PELOTON`` for a Peloton Tread); distance
from the laps' ``DistanceMeters`` (the file's own total), else the trackpoints'
``DistanceMeters``, else the GPS path; cadence from the ``RunCadence``
extension (per foot) or ``<Cadence>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from runaudit.errors import ParseError
from runaudit.reading.models import ParsedActivity, ParsedFile
from runaudit.reading.parsers.gpx import ALTITUDE_M, RATE, _coord, float_in_range
from runaudit.reading.parsers.tcxfast import parse_tcx_fast, trackpoint_time
from runaudit.reading.parsers.track import tcx_activity
from runaudit.reading.parsers.xmlsafe import Unusual, local_name, parse_xml
from runaudit.reading.sports import normalize_sport


def parse_tcx(data: bytes, *, sport_first: bool = False) -> ParsedFile:
    """Parse TCX bytes into a :class:`ParsedFile`.

    Plain Garmin-layout files take the one-pass reader of :mod:`.tcxfast`;
    anything else (a DTD, odd layouts or times, damage) this module's reader.
    ``sport_first``: see :func:`runaudit.reading.parsers.parse_bytes`.

    Raises
    ------
    ParseError
        Malformed or unsafe XML, or no activity with timestamps.
    """
    try:
        return parse_tcx_fast(data, sport_first=sport_first)
    except Unusual:
        pass  # not the plain layout: the ElementTree reader reads it (and words any error)
    return parse_tcx_with_etree(data)


def parse_tcx_with_etree(data: bytes) -> ParsedFile:
    """The ElementTree reader: every TCX the fast path does not recognise.

    Also the reference the fast path is tested against.

    Raises
    ------
    ParseError
        Malformed or unsafe XML, or no activity with timestamps.
    """
    root = parse_xml(data, "TCX")
    activities = [
        parsed
        for element in root.iter()
        if local_name(element.tag) == "Activity" and (parsed := _activity(element)) is not None
    ]
    if not activities:
        if any(local_name(e.tag) == "Course" for e in root.iter()):
            raise ParseError("TCX holds a course (a planned route), not a recorded activity")
        raise ParseError("TCX has no activity with timestamped track points")
    return ParsedFile("tcx", "activity", "tcx", activities, [])


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if local_name(c.tag) == name]


def _child_text(element: ET.Element, name: str) -> str | None:
    for child in element:
        if local_name(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _activity(element: ET.Element) -> ParsedActivity | None:
    sport, sub = normalize_sport(element.get("Sport"))
    laps = _children(element, "Lap")
    rows = []
    lap_distance = 0.0
    lap_time = 0.0
    has_lap_distance = False
    for lap in laps:
        lap_dist = float_in_range(_child_text(lap, "DistanceMeters"))
        if np.isfinite(lap_dist):
            lap_distance += lap_dist
            has_lap_distance = True
        secs = float_in_range(_child_text(lap, "TotalTimeSeconds"))
        if np.isfinite(secs):
            lap_time += secs
        for point in lap.iter():
            if local_name(point.tag) != "Trackpoint":
                continue
            when = trackpoint_time(_child_text(point, "Time"))
            if when is None:
                continue
            p_lat = p_lon = p_cad = p_hr = p_speed = float("nan")
            for sub_el in point.iter():
                name = local_name(sub_el.tag)
                if name == "LatitudeDegrees":
                    p_lat = _coord(sub_el.text, 90.0)
                elif name == "LongitudeDegrees":
                    p_lon = _coord(sub_el.text, 180.0)
                elif name in ("RunCadence", "Cadence") and np.isnan(p_cad):
                    p_cad = float_in_range(sub_el.text, *RATE)
                elif name == "HeartRateBpm":
                    p_hr = float_in_range(_child_text(sub_el, "Value"), *RATE)
                elif name == "Speed":
                    p_speed = float_in_range(sub_el.text)
            rows.append(
                (
                    when,
                    p_lat,
                    p_lon,
                    float_in_range(_child_text(point, "AltitudeMeters"), *ALTITUDE_M),
                    float_in_range(_child_text(point, "DistanceMeters")),
                    p_speed,
                    p_cad,
                    p_hr,
                )
            )
    if not rows:
        return None
    columns = tuple(np.array(rows, dtype=float).T)
    creator = next((c for c in element if local_name(c.tag) == "Creator"), None)
    device = _child_text(creator, "Name") if creator is not None else None
    return tcx_activity(
        columns, (sport, sub), lap_distance if has_lap_distance else None, lap_time, device
    )
