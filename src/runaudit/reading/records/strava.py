"""Strava's ``activities.csv`` and ``shoes.csv``, read by column name (pure, no I/O).

Strava has shipped 87 to 101 columns over the years, some names twice: the
first ``Distance`` is in km for runs and the second in metres; ``Elapsed
Time``, ``Max Heart Rate``, ``Relative Effort`` and ``Commute`` repeat too.
``Activity Date`` is UTC (``Jan 7, 2025, 7:00:00 AM``). Exports in German
translate the headers (``Aktivitäts-ID``...) and may write decimal commas;
both are mapped where the name is known. ``Average Cadence`` is per leg for
runs and is doubled to steps per minute.

Every line that cannot be read is refused with a reason; the rest is kept.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

#: Column key → header names (lower case) in English and German exports.
_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("activity id", "aktivitäts-id", "aktivitats-id", "id"),
    "date": ("activity date", "aktivitätsdatum", "date"),
    "name": ("activity name", "aktivitätsname", "name"),
    "type": ("activity type", "aktivitätsart", "aktivitätstyp", "type", "sport"),
    "gear": ("activity gear", "gear", "aktivitätsausrüstung", "ausrüstung"),
    "filename": ("filename", "file name", "file", "dateiname"),
    "distance": ("distance", "distanz", "entfernung"),
    "elapsed": ("elapsed time", "verstrichene zeit"),
    "moving": ("moving time", "bewegungszeit"),
    "gain": ("elevation gain", "höhenzuwachs", "höhenmeter bergauf"),
    "loss": ("elevation loss", "höhenverlust", "höhenmeter bergab"),
    "cadence": ("average cadence", "durchschnittliche trittfrequenz", "ø trittfrequenz"),
    "dirt": ("dirt distance", "distanz auf unbefestigten wegen"),
}
_DATE_FORMATS = (
    "%b %d, %Y, %I:%M:%S %p",  # Jan 7, 2025, 7:00:00 AM (current exports)
    "%b %d, %Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S",  # older exports
    "%Y-%m-%dT%H:%M:%SZ",
    "%d.%m.%Y, %H:%M:%S",  # German exports
    "%d.%m.%Y %H:%M:%S",
)
_GERMAN_MONTHS = {
    "jan.": "Jan", "feb.": "Feb", "märz": "Mar", "apr.": "Apr", "mai": "May", "juni": "Jun",
    "juli": "Jul", "aug.": "Aug", "sept.": "Sep", "okt.": "Oct", "nov.": "Nov", "dez.": "Dec",
}  # fmt: skip
#: Most problems listed one by one; the rest are counted.
MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class StravaRow:
    """One activity as Strava's ``activities.csv`` lists it.

    Attributes
    ----------
    line : int
        Line number in the CSV (header is line 1).
    activity_id, name, activity_type, gear, filename : str
        As written (``filename`` empty for a manual activity).
    start_utc : float
        [s since epoch], NaN when the date could not be read.
    distance_km, elapsed_time_s, moving_time_s, ascent_m, descent_m, dirt_km : float
        NaN where the row holds no value.
    cadence_spm : float
        Steps per minute (Strava's per-leg value doubled for runs).
    """

    line: int
    activity_id: str
    start_utc: float
    name: str
    activity_type: str
    gear: str
    filename: str
    distance_km: float
    elapsed_time_s: float
    moving_time_s: float
    ascent_m: float
    descent_m: float
    cadence_spm: float
    dirt_km: float

    @property
    def file_key(self) -> str:
        """The file's match key (see :func:`file_key`), empty for a manual activity."""
        return file_key(self.filename) if self.filename else ""


@dataclass(frozen=True)
class StravaCsv:
    """What :func:`read_activities_csv` made of one file.

    Attributes
    ----------
    rows : tuple of StravaRow
    problems : tuple of str
        One line per refused line or unmapped column (at most
        :data:`MAX_LISTED_PROBLEMS`, then a count).
    columns : dict of str to int
        Column key → index in the header that was used.
    """

    rows: tuple[StravaRow, ...]
    problems: tuple[str, ...]
    columns: dict[str, int]


def file_key(name: str) -> str:
    """Normalise a path for matching a file against the CSV's ``Filename``.

    >>> file_key("activities/123.FIT.gz"), file_key("export.zip!activities/9.gpx")
    ('123.fit', '9.gpx')
    """
    base = PurePosixPath(name.replace("\\", "/").replace("!", "/").lower()).name
    return base[:-3] if base.endswith(".gz") else base


def _header_key(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").strip().lower().replace("_", " ").split())


def _columns(header: list[str]) -> tuple[dict[str, int], dict[str, list[int]]]:
    """First index of each known column, and every index of repeated ones."""
    where: dict[str, list[int]] = {}
    for i, raw in enumerate(header):
        name = _header_key(raw)
        # ``Distance.1`` (a spreadsheet's rename of a repeated name) counts as the same name.
        name = re.sub(r"\.\d+$", "", name)
        for key, names in _NAMES.items():
            if name in names:
                where.setdefault(key, []).append(i)
                break
    return {k: v[0] for k, v in where.items()}, where


def number(text: str) -> float:
    """A CSV number, decimal comma or thousands separators allowed; NaN if empty or bad.

    >>> number("6.2"), number("6,2"), number("1,234.5"), number("1.234,5"), number("")
    (6.2, 6.2, 1234.5, 1234.5, nan)
    """
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if not t:
        return math.nan
    if "," in t and "." in t:
        t = (
            t.replace(".", "").replace(",", ".")
            if t.rfind(",") > t.rfind(".")
            else t.replace(",", "")
        )
    elif "," in t:
        t = (
            t.replace(",", ".")
            if re.fullmatch(r"-?\d+,\d{1,2}|-?\d+,\d{4,}", t)
            else t.replace(",", "")
        )
    try:
        value = float(t)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def parse_date(text: str) -> float:
    """Strava's ``Activity Date`` (UTC) as seconds since the epoch; NaN if unreadable.

    >>> parse_date("Jan 7, 2025, 7:00:00 AM")
    1736233200.0
    >>> parse_date("7 Jan. 2025, 07:00:00") == parse_date("07.01.2025, 07:00:00")
    True
    """
    t = " ".join(text.strip().split())
    if not t:
        return math.nan
    m = re.fullmatch(r"(\d{1,2})\.? (\S+) (\d{4}),? (\d{1,2}:\d{2}:\d{2})", t)
    if m:  # German long form "7 Jan. 2025, 07:00:00"
        month = _GERMAN_MONTHS.get(m.group(2).lower(), m.group(2)[:3].title())
        t = f"{month} {m.group(1)}, {m.group(3)} {m.group(4)}"
        formats: tuple[str, ...] = ("%b %d, %Y %H:%M:%S",)
    else:
        formats = _DATE_FORMATS
    for fmt in formats:
        try:
            return datetime.strptime(t, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    return math.nan


def _rows(text: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line, fields, error) of each CSV record; a broken line yields fields None."""
    lines = io.StringIO(text)
    reader = csv.reader(lines)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield reader.line_num, None, str(err)
            continue
        yield reader.line_num, fields, ""


def read_activities_csv(text: str, *, name: str = "activities.csv") -> StravaCsv:
    """Read every activity of a Strava ``activities.csv``.

    Parameters
    ----------
    text : str
        The file's text (decoded, BOM allowed).
    name : str
        Shown in the problems.

    Returns
    -------
    StravaCsv
        Rows in file order; lines that could not be read are in ``problems``.
    """
    records = _rows(text)
    problems: list[str] = []
    refused = 0

    def refuse(message: str) -> None:
        nonlocal refused
        refused += 1
        if len(problems) < MAX_LISTED_PROBLEMS:
            problems.append(f"{name}: {message}")

    header: list[str] | None = None
    for _line, fields, error in records:
        if fields is None:
            return StravaCsv((), (f"{name}: the header line cannot be read ({error})",), {})
        if any(f.strip() for f in fields):
            header = fields
            break
    if header is None:
        return StravaCsv((), (f"{name}: empty file",), {})
    first, every = _columns(header)
    if "filename" not in first and "type" not in first:
        return StravaCsv(
            (),
            (
                f"{name}: no 'Filename' or 'Activity Type' column found by name (a language"
                " runaudit does not know?); the activity files are still read",
            ),
            first,
        )
    missing = [k for k in ("date", "distance") if k not in first]
    if missing:
        problems.append(
            f"{name}: no column for {', '.join(missing)} found by name; rows give sport and"
            " shoe only, and runs without a file cannot be counted"
        )
    dist_cols = every.get("distance", [])
    rows: list[StravaRow] = []
    for line, fields, error in records:
        if fields is None:
            refuse(f"line {line} refused ({error})")
            continue
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            refuse(f"line {line} refused: {len(fields)} fields where the header has {len(header)}")
            continue

        def get(key: str, fields: list[str] = fields) -> str:
            i = first.get(key)
            return fields[i].strip() if i is not None else ""

        # Two ``Distance`` columns: the second is in metres (always), the first in km for runs.
        km = number(fields[dist_cols[1]]) / 1000.0 if len(dist_cols) > 1 else math.nan
        if not math.isfinite(km) and dist_cols:
            km = number(fields[dist_cols[0]])
        kind = get("type")
        cadence = number(get("cadence"))
        if math.isfinite(cadence) and "run" in kind.lower() and cadence < 130:
            cadence *= 2.0  # Strava stores running cadence per leg
        elapsed = math.nan
        for i in every.get("elapsed", []):
            elapsed = number(fields[i])
            if math.isfinite(elapsed):
                break
        start = parse_date(get("date"))
        if "date" in first and not math.isfinite(start) and get("date"):
            refuse(
                f"line {line}: date {get('date')[:40]!r} not understood; row used for sport only"
            )
        rows.append(
            StravaRow(
                line=line,
                activity_id=get("id"),
                start_utc=start,
                name=get("name")[:200],
                activity_type=kind[:60],
                gear=get("gear")[:200],
                filename=get("filename")[:500],
                distance_km=km if km >= 0 else math.nan,
                elapsed_time_s=elapsed,
                moving_time_s=number(get("moving")),
                ascent_m=number(get("gain")),
                descent_m=number(get("loss")),
                cadence_spm=cadence,
                dirt_km=number(get("dirt")) / 1000.0,
            )
        )
    if refused > len([p for p in problems if " line " in p]):
        problems.append(f"{name}: {refused} lines refused in all")
    return StravaCsv(tuple(rows), tuple(problems), first)


def parse_strava_csv(text: str) -> dict[str, str]:
    """Map each file named in a Strava ``activities.csv`` to its activity type.

    Columns are found by name, case- and space-insensitively; rows without a
    file (manual activities) are not in the map.

    Returns
    -------
    dict of str to str
        Lower-case base file name without ``.gz`` → activity type as written
        (``"Run"``, ``"Virtual Run"``, ``"Ride"``...).

    >>> parse_strava_csv("Activity ID,Activity Type,Filename\\n1,Run,activities/1.fit.gz\\n")
    {'1.fit': 'Run'}
    """
    return {
        row.file_key: row.activity_type
        for row in read_activities_csv(text).rows
        if row.filename and row.activity_type
    }


def read_shoes_csv(text: str) -> tuple[str, ...]:
    """Shoe names from Strava's ``shoes.csv`` (``Shoe Name``, else brand + model).

    >>> read_shoes_csv("Shoe Name,Shoe Brand,Shoe Model\\nBlue,Asics,Novablast\\n")
    ('Blue',)
    """
    names: list[str] = []
    header: list[str] | None = None
    for _line, fields, _error in _rows(text):
        if fields is None:
            continue
        if header is None:
            header = [_header_key(h) for h in fields]
            continue
        row = dict(zip(header, (f.strip() for f in fields), strict=False))
        shoe = row.get("shoe name") or " ".join(
            x for x in (row.get("shoe brand", ""), row.get("shoe model", "")) if x
        )
        if shoe and shoe not in names:
            names.append(shoe[:200])
    return tuple(names)
