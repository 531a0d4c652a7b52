"""Read GPX files with gpxpy.

Cadence and heart rate come from Garmin's ``TrackPointExtension``
(``gpxtpx:cad`` per foot, ``gpxtpx:hr``) or the plain ``<cadence>``/``<hr>``
extensions other apps write. The sport comes from the track's ``<type>``
(``running``, or Strava's numeric ``9``). Distance is the 2-D length of the
recorded path, segment by segment, as gpxpy measures it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import gpxpy
import gpxpy.gpx
import numpy as np

from ..errors import ParseError
from ..metrics.cadence import to_steps_per_minute
from ..metrics.moving import path_distance
from ..models import ParsedActivity, ParsedFile
from ..sports import normalize_sport
from .xmlsafe import clean_xml_bytes, local_name, parse_xml

_CADENCE_TAGS = {"cad", "cadence", "runcadence"}
_HR_TAGS = {"hr", "heartrate", "heart_rate"}


def parse_gpx(data: bytes) -> ParsedFile:
    """Parse GPX bytes into a :class:`ParsedFile` with one activity.

    Raises
    ------
    ParseError
        Malformed or unsafe XML, no track, or a track without timestamps.
    """
    parse_xml(data, "GPX")  # refuses DTDs/entities before gpxpy sees the text
    text = clean_xml_bytes(data).decode("utf-8", errors="replace")
    try:
        doc = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError, TypeError, AttributeError) as err:
        raise ParseError(f"malformed GPX ({err})") from err
    rows: list[tuple[float, float, float, float, float, float, int]] = []
    sport: tuple[str | None, str | None] = (None, None)
    segment_id = 0
    for track in doc.tracks:
        if sport == (None, None) and track.type:
            sport = normalize_sport(track.type)
        for segment in track.segments:
            segment_id += 1
            for point in segment.points:
                if point.time is None:
                    continue
                cad, hr = _extensions(point.extensions)
                rows.append(
                    (
                        _epoch(point.time),
                        _num(point.latitude),
                        _num(point.longitude),
                        _num(point.elevation),
                        cad,
                        hr,
                        segment_id,
                    )
                )
    if not rows:
        points = sum(len(s.points) for t in doc.tracks for s in t.segments)
        if points:
            raise ParseError("GPX has no timestamps (a planned route, not a recorded activity)")
        if doc.routes or doc.waypoints:
            raise ParseError("GPX holds only a route or waypoints, not a recorded activity")
        raise ParseError("GPX has no track points")
    arr = np.array(rows, dtype=float)
    arr = arr[np.argsort(arr[:, 0], kind="stable")]
    time_s, lat, lon, alt, cad, hr, seg = arr.T
    distance = _segment_distance(lat, lon, seg)
    samples = {
        "time_s": time_s,
        "lat_deg": lat,
        "lon_deg": lon,
        "altitude_m": alt,
        "distance_m": distance,
        "speed_mps": np.full(time_s.shape, np.nan),
        "cadence_spm": to_steps_per_minute(cad),
        "heart_rate_bpm": hr,
    }
    activity = ParsedActivity(
        sport=sport[0],
        sub_sport=sport[1],
        start_utc=float(time_s[0]),
        distance_m=float(distance[-1]),
        elapsed_time_s=float(time_s[-1] - time_s[0]),
        device=doc.creator or None,
        samples=samples,
    )
    return ParsedFile("gpx", "activity", "gpx", [activity], [])


def _segment_distance(lat: np.ndarray, lon: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Cumulative 2-D distance [m], not bridging the gap between segments."""
    out = np.zeros(lat.shape)
    offset = 0.0
    for value in np.unique(seg):
        idx = np.flatnonzero(seg == value)
        part = path_distance(lat[idx], lon[idx])
        out[idx] = offset + part
        offset += float(part[-1]) if part.size else 0.0
    return out


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _num(value: object) -> float:
    try:
        return float(value) if value is not None else float("nan")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _extensions(extensions: list) -> tuple[float, float]:
    cad = hr = float("nan")
    for root in extensions:
        for element in root.iter():
            name = local_name(str(element.tag)).lower()
            if name in _CADENCE_TAGS and np.isnan(cad):
                cad = _num((element.text or "").strip() or None)
            elif name in _HR_TAGS and np.isnan(hr):
                hr = _num((element.text or "").strip() or None)
    return cad, hr
