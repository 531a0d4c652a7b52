"""GPX tracks in one expat pass, straight to NumPy columns.

The common GPX file (version 1.1, ``<trk>/<trkseg>/<trkpt>`` with ``<ele>``,
``<time>`` and cadence/heart-rate extensions) is read here without building
an element tree or gpxpy objects: expat's callbacks only collect the text of
the few elements we use into lists of strings, and the numbers and ISO
timestamps are converted in one vectorised call each.

Anything this reader does not recognise raises :class:`Unusual`, and
:func:`runaudit.parsers.gpx.parse_gpx` then reads the file with the
gpxpy-based reader, which also produces every error message: a
``DOCTYPE`` (refused there for safety; expat stops here at its start, before
any declaration is read, so nothing is ever expanded), malformed XML, files
without timestamped track points, a time in any but the plain ISO form, or
several cadence/heart-rate values in one point.
"""

from __future__ import annotations

import re
from xml.parsers import expat

import numpy as np
import pandas as pd

from ..metrics.cadence import to_steps_per_minute
from ..models import ParsedActivity, ParsedFile
from ..sports import normalize_sport
from .track import ALTITUDE_M, EARLIEST_S, LATEST_S, RATE, segment_distance
from .xmlsafe import decode_xml

_CADENCE_TAGS = frozenset({"cad", "cadence", "runcadence"})
_HR_TAGS = frozenset({"hr", "heartrate", "heart_rate"})

#: The timestamps this reader converts itself; gpxpy's own forms beyond these
#: (a space for ``T``, one-digit fields, offsets without a colon) go to gpxpy.
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?"
)


class Unusual(Exception):
    """The file is not the plain GPX track this reader handles."""


def _refuse(*_args: object) -> None:
    raise Unusual("declaration or external entity")


def parse_gpx_fast(data: bytes) -> ParsedFile:
    """Parse a plain GPX track file (1.1, or 1.0 without extensions).

    Returns the same :class:`ParsedFile` as the gpxpy-based reader would.

    Raises
    ------
    Unusual
        For anything outside the plain case (the caller falls back).
    """

    text = decode_xml(data)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    parser.buffer_text = True

    stack: list[str] = []
    names: dict[str, str] = {}  # expat name of the gpx elements -> their role
    root: dict[str, str] = {}
    times: list[str | None] = []
    lats: list[str | None] = []
    lons: list[str | None] = []
    eles: list[str | None] = []
    cads: list[str | None] = []
    hrs: list[str | None] = []
    segs: list[int] = []
    track_types: list[str] = []
    # the point being read: [time, ele, cad, hr]
    point: list[str | None] = [None, None, None, None]
    state = {"seg": 0, "in_point": False, "ext": 0, "target": -1, "type": False}
    texts: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if state["target"] >= 0 or state["type"]:
            _finish_text()
        stack.append(name)
        depth = len(stack)
        if depth == 1:
            uri = name.rsplit(" ", 1)[0] + " " if " " in name else ""
            if name[len(uri) :] != "gpx":
                raise Unusual("root element is not <gpx>")
            root["creator"] = attrs.get("creator") or ""
            # gpxpy reads GPX 1.0 fields unless the version is exactly 1.1:
            # then tracks have no <type> and points no <extensions>.
            v11 = attrs.get("version") == "1.1"
            for known in ("trk", "trkseg", "trkpt", "ele", "time", "extensions", "type"):
                if v11 or known not in ("extensions", "type"):
                    names[uri + known] = known
            return
        role = names.get(name)
        if state["in_point"]:
            if depth == 5 and state["ext"] == 0:
                if role == "time" and point[0] is None:
                    state["target"] = 0
                elif role == "ele" and point[1] is None:
                    state["target"] = 1
                elif role == "extensions":
                    state["ext"] = depth
            elif state["ext"] and depth > state["ext"]:
                local = name.rsplit(" ", 1)[-1].lower()
                if local in _CADENCE_TAGS:
                    if point[2] is not None:
                        raise Unusual("two cadence values in one point")
                    state["target"] = 2
                elif local in _HR_TAGS:
                    if point[3] is not None:
                        raise Unusual("two heart-rate values in one point")
                    state["target"] = 3
        elif role == "trk" and depth == 2:
            track_types.append("")
        elif role == "type" and depth == 3 and names.get(stack[1]) == "trk":
            state["type"] = True
        elif role == "trkseg" and depth == 3 and names.get(stack[1]) == "trk":
            state["seg"] += 1
        elif role == "trkpt" and depth == 4 and names.get(stack[2]) == "trkseg":
            state["in_point"] = True
            point[:] = [None, None, None, None]
            lats.append(attrs.get("lat"))
            lons.append(attrs.get("lon"))

    def _finish_text() -> None:
        value = "".join(texts)
        texts.clear()
        if state["type"]:
            if not track_types[-1]:
                track_types[-1] = value
            state["type"] = False
        else:
            point[state["target"]] = value
            state["target"] = -1

    def end(name: str) -> None:
        if state["target"] >= 0 or state["type"]:
            _finish_text()
        depth = len(stack)
        stack.pop()
        if state["in_point"]:
            if depth == state["ext"]:
                state["ext"] = 0
            elif depth == 4:
                state["in_point"] = False
                times.append(point[0])
                eles.append(point[1])
                cads.append(point[2])
                hrs.append(point[3])
                segs.append(state["seg"])

    def chars(data: str) -> None:
        if state["target"] >= 0 or state["type"]:
            texts.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(text, True)
    except expat.ExpatError as err:
        raise Unusual(f"expat: {err}") from err
    except (ValueError, LookupError, RecursionError) as err:
        raise Unusual(str(err)) from err

    if not times:
        raise Unusual("no track points")
    # A point without a time is skipped, as the gpxpy-based reader does.
    keep = np.array([bool(t) for t in times])
    if not keep.any():
        raise Unusual("no timestamped track points")
    time_text = pd.Series(times, dtype=object)[keep]
    if not time_text.str.fullmatch(_ISO).all():
        raise Unusual("a time in a form gpxpy parses differently")
    try:  # month 13, day 32, year 9999 (out of pandas' range)...
        stamps = pd.to_datetime(time_text, utc=True, format="ISO8601")
    except (ValueError, OverflowError) as err:
        raise Unusual(f"a time pandas cannot read ({err})") from err
    nanos = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    time_s = (nanos // 1_000_000_000).astype(np.float64) + (nanos % 1_000_000_000) / 1e9
    if not ((time_s >= EARLIEST_S) & (time_s < LATEST_S)).all():
        raise Unusual("a time outside 1980..2100")

    lat = _in_range(_floats(lats), -90.0, 90.0)
    lon = _in_range(_floats(lons), -180.0, 180.0)
    alt = _in_range(_floats(eles), *ALTITUDE_M)
    cad = _in_range(_floats(cads, strip=True), *RATE)
    hr = _in_range(_floats(hrs, strip=True), *RATE)
    seg = np.asarray(segs, dtype=float)
    if not keep.all():
        lat, lon, alt, cad, hr, seg = (c[keep] for c in (lat, lon, alt, cad, hr, seg))

    order = np.argsort(time_s, kind="stable")
    time_s, lat, lon, alt, cad, hr, seg = (c[order] for c in (time_s, lat, lon, alt, cad, hr, seg))
    distance = segment_distance(lat, lon, seg)
    sport: tuple[str | None, str | None] = (None, None)
    for kind in track_types:
        if kind:
            sport = normalize_sport(kind)
            break
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
        device=root.get("creator") or None,
        samples=samples,
    )
    return ParsedFile("gpx", "activity", "gpx", [activity], [])


def _floats(values: list[str | None], strip: bool = False) -> np.ndarray:
    """Strings to floats in one call; missing or unreadable values become NaN."""
    if strip:
        values = [(v.strip() or None) if v is not None else None for v in values]
    filled = ["nan" if v is None else v for v in values]
    try:
        return np.asarray(filled, dtype=str).astype(np.float64)
    except (ValueError, OverflowError):
        return np.array([_one_float(v) for v in values], dtype=np.float64)


def _one_float(value: str | None) -> float:
    try:
        return float(value) if value is not None else np.nan
    except (ValueError, OverflowError):
        return np.nan


def _in_range(values: np.ndarray, low: float, high: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where((values >= low) & (values <= high), values, np.nan)
