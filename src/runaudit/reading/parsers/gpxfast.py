"""GPX tracks straight to NumPy columns: libxml2 builds the tree, C-level queries lift the columns.

The common GPX file (``<trk>/<trkseg>/<trkpt>`` with ``<ele>``, ``<time>``
and cadence/heart-rate extensions) is parsed by :func:`.xmlsafe.parse_fast_xml`
(lxml, no DTD, no entities) and each column comes out of the tree as one
list of strings, without Python code per point: ``lat``, ``lon``, time and
elevation from one compiled XPath query each, cadence and heart rate from
one tag-filtered walk of the tree each (``iter``), checked to sit at one
place in every point by one XPath count. Numbers and timestamps are then
converted in one vectorised call each. A column that is not that regular
(a point without ``<ele>``, extensions at varying places) alone is collected
point by point.

The values are those gpxpy reads: elements of the root's namespace only,
each point's first ``<time>`` and ``<ele>``, cadence and heart rate from any
element under the point's ``<extensions>`` whose local name is one of
:data:`_CADENCE_TAGS` / :data:`_HR_TAGS` (any case), and for a file whose
``version`` is not exactly ``1.1`` neither extensions nor the track
``<type>`` (gpxpy reads such files by the GPX 1.0 rules).

Anything this reader does not recognise raises :class:`Unusual`, and
:func:`runaudit.reading.parsers.gpx.parse_gpx` then reads the file with the
gpxpy-based reader, which also produces every error message: a
``DOCTYPE`` (refused there for safety; here before libxml2 reads anything),
malformed XML, files without timestamped track points, a time in any but
the plain ISO form, or several cadence/heart-rate values in one point.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from lxml import etree

from runaudit.reading.models import ParsedFile
from runaudit.reading.parsers.columns import floats, in_range, plain_iso_nanos
from runaudit.reading.parsers.track import ALTITUDE_M, EARLIEST_S, LATEST_S, RATE, gpx_track_file
from runaudit.reading.parsers.xmlsafe import Unusual, local_name, parse_fast_xml
from runaudit.reading.sports import is_other_sport, normalize_sport, sport_from_track_name

__all__ = ["Unusual", "parse_gpx_fast"]

_CADENCE_TAGS = frozenset({"cad", "cadence", "runcadence"})
_HR_TAGS = frozenset({"hr", "heartrate", "heart_rate"})

#: The timestamps this reader converts itself; gpxpy's own forms beyond these
#: (a space for ``T``, one-digit fields, offsets without a colon) go to gpxpy.
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?"
)


def _casings(words: frozenset[str]) -> tuple[str, ...]:
    """Every upper/lower-case spelling of ``words``, in any namespace, as lxml tag filters.

    ``root.iter(*tags)`` drops the spellings a document never uses before it
    walks the tree, so the long list costs nothing.
    """
    out: list[str] = []
    for word in sorted(words):
        letters = [(c, c.upper()) if c.isalpha() else (c,) for c in word]
        out.extend("{*}" + "".join(spelling) for spelling in itertools.product(*letters))
    return tuple(out)


# Only ASCII letters need folding: no other character lower-cases into these names.
_CADENCE_SPELLINGS = _casings(_CADENCE_TAGS)
_HR_SPELLINGS = _casings(_HR_TAGS)


@dataclass(frozen=True)
class _Queries:
    """The compiled XPath queries for the elements of one namespace (and the tags)."""

    uri: str
    points: etree.XPath  # the track points, in file order
    n_points: etree.XPath
    lat: etree.XPath
    lon: etree.XPath
    segments: etree.XPath
    seg_points: etree.XPath  # (from a segment) its number of points
    tracks: etree.XPath
    time: tuple[etree.XPath, etree.XPath]  # each point's first <time>: its text, its children
    ele: tuple[etree.XPath, etree.XPath]

    def tag(self, name: str) -> str:
        return f"{{{self.uri}}}{name}" if self.uri else name


def _xpath(expr: str, namespaces: dict[str, str] | None) -> etree.XPath:
    return etree.XPath(expr, namespaces=namespaces, smart_strings=False)


def _points_path(uri: str) -> str:
    return "g:trk/g:trkseg/g:trkpt" if uri else "trk/trkseg/trkpt"


@functools.lru_cache(maxsize=32)
def _queries(uri: str) -> _Queries:
    """Compile the queries for the GPX elements in namespace ``uri`` ("" for none)."""
    ns = {"g": uri} if uri else None
    q = (lambda name: f"g:{name}") if uri else (lambda name: name)
    pts = _points_path(uri)

    def first_child(name: str) -> tuple[etree.XPath, etree.XPath]:
        first = f"{pts}/{q(name)}[1]"
        return _xpath(f"{first}/text()", ns), _xpath(f"count({first}/*)", ns)

    return _Queries(
        uri=uri,
        points=_xpath(pts, ns),
        n_points=_xpath(f"count({pts})", ns),
        lat=_xpath(f"{pts}/@lat", ns),
        lon=_xpath(f"{pts}/@lon", ns),
        segments=_xpath(f"{q('trk')}/{q('trkseg')}", ns),
        seg_points=_xpath(f"count({q('trkpt')})", ns),
        tracks=_xpath(q("trk"), ns),
        time=first_child("time"),
        ele=first_child("ele"),
    )


@functools.lru_cache(maxsize=64)
def _first_chain_count(uri: str, steps: tuple[str, ...]) -> etree.XPath:
    """``count()`` of the elements at ``points/extensions[1]/step1[1]/.../stepN[1]``."""
    ns = {"g": uri} if uri else {}
    names = []
    for i, tag in enumerate(steps):
        if tag.startswith("{"):
            ns[f"s{i}"] = tag[1 : tag.index("}")]
            names.append(f"s{i}:{local_name(tag)}[1]")
        else:
            names.append(f"{tag}[1]")
    ext = "g:extensions[1]" if uri else "extensions[1]"
    return _xpath(f"count({_points_path(uri)}/{ext}/{'/'.join(names)})", ns or None)


def parse_gpx_fast(data: bytes, *, sport_first: bool = False) -> ParsedFile:
    """Parse a plain GPX track file (1.1, or 1.0 without extensions).

    Returns the same :class:`~runaudit.reading.models.ParsedFile` as the gpxpy-based
    reader would. With ``sport_first``, a track whose ``<type>`` names another
    sport than running gets NaN elevation, cadence and heart rate (not read).

    Raises
    ------
    Unusual
        For anything outside the plain case (the caller falls back).
    """
    try:
        return _read(data, keep_blank_text=False, sport_first=sport_first)
    except _BlankText:  # rare: read it again with all white space kept
        return _read(data, keep_blank_text=True, sport_first=sport_first)


class _BlankText(Unusual):
    """A ``<time>`` with child elements, whose text may have lost white space."""


def _read(data: bytes, keep_blank_text: bool, sport_first: bool = False) -> ParsedFile:
    root = parse_fast_xml(data, keep_blank_text=keep_blank_text)
    tag = root.tag if isinstance(root.tag, str) else ""
    uri = tag[1 : tag.index("}")] if tag.startswith("{") else ""
    if local_name(tag) != "gpx":
        raise Unusual("root element is not <gpx>")
    # gpxpy reads GPX 1.0 fields unless the version is exactly 1.1:
    # then tracks have no <type> and points no <extensions>.
    v11 = root.get("version") == "1.1"
    queries = _queries(uri)
    n = int(queries.n_points(root))
    if not n:
        raise Unusual("no track points")
    points = _Points(root, queries)

    times = _child_column(root, n, queries.time, points, queries.tag("time"), not keep_blank_text)
    # A point without a time is skipped, as the gpxpy-based reader does.
    keep = np.array([bool(t) for t in times])
    if not keep.any():
        raise Unusual("no timestamped track points")
    time_s = _epoch_seconds([t for t in times if t] if not keep.all() else times)
    possible = np.isfinite(time_s)
    if not possible.all():  # impossible times (1970, 2100...): the points are dropped
        if not possible.any():
            raise Unusual("no possible time")  # the gpxpy-based reader words it
        keep[np.flatnonzero(keep)[~possible]] = False
        time_s = time_s[possible]

    lat = in_range(floats(_attribute(root, n, queries.lat, points, "lat")), -90.0, 90.0)
    lon = in_range(floats(_attribute(root, n, queries.lon, points, "lon")), -180.0, 180.0)
    sport = _sport(root, queries, v11)
    cad = hr = alt = np.full(n, np.nan)
    if not (sport_first and is_other_sport(*sport)):  # another sport needs no more columns
        eles = _child_column(root, n, queries.ele, points, queries.tag("ele"), False)
        alt = in_range(floats(eles), *ALTITUDE_M)
    if v11 and not (sport_first and is_other_sport(*sport)):
        cads = _extension_column(root, n, queries, points, _CADENCE_TAGS, _CADENCE_SPELLINGS)
        hrs = _extension_column(root, n, queries, points, _HR_TAGS, _HR_SPELLINGS)
        cad = in_range(floats(cads), *RATE)
        hr = in_range(floats(hrs), *RATE)
    seg = _segment_numbers(root, queries, n)
    if not keep.all():
        lat, lon, alt, cad, hr, seg = (c[keep] for c in (lat, lon, alt, cad, hr, seg))
    return gpx_track_file((time_s, lat, lon, alt, cad, hr, seg), sport, root.get("creator") or None)


class _Points:
    """The point elements, fetched once and only when a column is read point by point."""

    def __init__(self, root: Any, queries: _Queries) -> None:
        self._root, self._query = root, queries.points
        self._points: list[Any] | None = None

    def __call__(self) -> list[Any]:
        if self._points is None:
            self._points = self._query(self._root)
        return self._points


def _child_column(
    root: Any,
    n: int,
    queries: tuple[etree.XPath, etree.XPath],
    points: _Points,
    tag: str,
    blank_sensitive: bool,
) -> list[str | None]:
    """The text of each point's first ``tag`` child (None where a point has none).

    One XPath query when every point has one, holding text only; else point by
    point. ``blank_sensitive``: raise :class:`_BlankText` for such a child with
    child elements (its white-space text may have been dropped, which matters
    for a ``<time>``: blank falls back, none skips the point; a blank or
    missing ``<ele>`` is NaN either way).
    """
    text, children = queries
    values = text(root)
    if len(values) == n and not children(root):
        return values
    if not values:  # no such child holds any text at all
        return [None] * n
    out: list[str | None] = []
    for point in points():
        child = next(point.iterchildren(tag), None)
        if blank_sensitive and child is not None and len(child):
            raise _BlankText(f"a <{local_name(tag)}> with child elements")
        out.append(None if child is None else child.text)
    return out


def _attribute(
    root: Any, n: int, query: etree.XPath, points: _Points, name: str
) -> list[str | None]:
    values = query(root)
    return values if len(values) == n else [point.get(name) for point in points()]


def _extension_column(
    root: Any,
    n: int,
    queries: _Queries,
    points: _Points,
    names: frozenset[str],
    spellings: tuple[str, ...],
) -> list[str | None]:
    """The text of the one element named in ``names`` under each point's ``<extensions>``.

    Every such element of the document is found in one C-level walk. When
    they all sit at the same place in the points (``extensions[1]/a[1]/cad[1]``,
    checked with one count), their texts are the points' values in file order;
    anything else is read point by point.

    Raises
    ------
    Unusual
        When a point has two such values.
    """
    first = next(root.iter(*spellings), None)
    if first is None:
        return [None] * n
    steps = _steps_from_point(first, queries)
    del first  # hold no element (each costs its proxy's upkeep)
    # Their texts, in file order: the walk also counts them.
    found = [element.text for element in root.iter(*spellings)]
    if steps is not None and int(_first_chain_count(queries.uri, steps)(root)) == len(found):
        # Every such element is its point's only one, at extensions[1]/.../name[1].
        if len(found) == n:
            return found
        point_tag = queries.tag("trkpt")
        out: list[str | None] = []
        for element in root.iter(point_tag, *spellings):
            if element.tag == point_tag:
                out.append(None)
            elif out:
                out[-1] = element.text
        if len(out) == n:  # no <trkpt> elsewhere in the file
            return out
    ext = queries.tag("extensions")
    values = []
    for point in points():
        hits = [
            element
            for extensions in point.iterchildren(ext)
            for element in extensions.iterdescendants()
            if isinstance(element.tag, str) and local_name(element.tag).lower() in names
        ]
        if len(hits) > 1:
            raise Unusual("two cadence or heart-rate values in one point")
        values.append(hits[0].text if hits else None)
    return values


def _steps_from_point(element: Any, queries: _Queries) -> tuple[str, ...] | None:
    """The tags from a point's ``<extensions>`` down to ``element``; None if not in a point."""
    steps = [element.tag]
    node = element.getparent()
    ext = queries.tag("extensions")
    while node is not None and node.tag != ext:
        steps.append(node.tag)
        node = node.getparent()
    expected = [queries.tag(name) for name in ("trkpt", "trkseg", "trk", "gpx")]
    for name in expected:
        node = node.getparent() if node is not None else None
        if node is None or node.tag != name:
            return None
    if node.getparent() is not None or not all(isinstance(s, str) for s in steps):
        return None
    return tuple(reversed(steps))


def _segment_numbers(root: Any, queries: _Queries, n: int) -> np.ndarray:
    """Each point's segment number (1, 2... over all tracks, in file order)."""
    counts = [int(queries.seg_points(segment)) for segment in queries.segments(root)]
    seg = np.repeat(np.arange(1, len(counts) + 1, dtype=float), counts)
    if seg.size != n:  # defensive: the two queries count the same points
        raise Unusual("segment count mismatch")
    return seg


def _sport(root: Any, queries: _Queries, v11: bool) -> tuple[str | None, str | None]:
    """The sport of the first track whose first ``<type>`` names one, else of the
    first track whose ``<name>`` begins with a sport word (Runkeeper's ``Running …``)."""
    kind, name = queries.tag("type"), queries.tag("name")
    tracks = queries.tracks(root)
    for track in tracks if v11 else ():  # GPX 1.0 rules (gpxpy) read no <type>
        for element in track.iterchildren(kind):  # the first <type>, as gpxpy reads it
            sport = normalize_sport(element.text) if element.text else (None, None)
            if sport != (None, None):
                return sport
            break
    for track in tracks:
        for element in track.iterchildren(name):
            sport = sport_from_track_name(element.text)
            if sport != (None, None):
                return sport
            break
    return None, None


def _epoch_seconds(times: list[Any]) -> np.ndarray:
    """ISO 8601 times (UTC when naive) to seconds since 1970 [s], NaN for an impossible one.

    Raises Unusual for a time in another form or out of pandas' range.
    """
    nanos = plain_iso_nanos(times)
    if nanos is None:
        nanos = _nanos_pandas(times)
    time_s = (nanos // 1_000_000_000).astype(np.float64) + (nanos % 1_000_000_000) / 1e9
    # Outside 1980..2100 a time is impossible: NaN, and the point is skipped (as gpxpy's reader).
    return np.where((time_s >= EARLIEST_S) & (time_s < LATEST_S), time_s, np.nan)


def _nanos_pandas(times: list[Any]) -> np.ndarray:
    """Any time :data:`_ISO` matches, through pandas; raises Unusual for the rest."""
    time_text = pd.Series(times, dtype=object)
    if not time_text.str.fullmatch(_ISO).all():
        raise Unusual("a time in a form gpxpy parses differently")
    try:  # month 13, day 32, year 9999 (out of pandas' range)...
        stamps = pd.to_datetime(time_text, utc=True, format="ISO8601")
    except (ValueError, OverflowError) as err:
        raise Unusual(f"a time pandas cannot read ({err})") from err
    if not stamps.dt.year.between(1678, 2261).all():  # would wrap around in nanoseconds
        raise Unusual("a time outside the nanosecond range")
    return stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64)
