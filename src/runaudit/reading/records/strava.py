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
from datetime import UTC, datetime
from pathlib import PurePosixPath

from runaudit.reading.records.base import Problems, RecordFile, ServiceReader, ServiceRecord
from runaudit.reading.sports import normalize_sport

#: The field table: header name (lower case) → :class:`ServiceRecord` field, for
#: English and German exports. ``distance_km`` and ``elapsed_time_s`` repeat in
#: the long vintages (the second ``Distance`` is in metres).
FIELDS: dict[str, str] = {
    **dict.fromkeys(("activity id", "aktivitäts-id", "aktivitats-id", "id"), "record_id"),
    **dict.fromkeys(("activity date", "aktivitätsdatum", "date"), "start_utc"),
    **dict.fromkeys(("activity name", "aktivitätsname", "name"), "name"),
    **dict.fromkeys(
        ("activity type", "aktivitätsart", "aktivitätstyp", "type", "sport"), "activity_type"
    ),
    **dict.fromkeys(("activity gear", "gear", "aktivitätsausrüstung", "ausrüstung"), "gear"),
    **dict.fromkeys(("filename", "file name", "file", "dateiname"), "filename"),
    **dict.fromkeys(("distance", "distanz", "entfernung"), "distance_km"),
    **dict.fromkeys(("elapsed time", "verstrichene zeit"), "elapsed_time_s"),
    **dict.fromkeys(("moving time", "bewegungszeit"), "moving_time_s"),
    **dict.fromkeys(("elevation gain", "höhenzuwachs", "höhenmeter bergauf"), "ascent_m"),
    **dict.fromkeys(("elevation loss", "höhenverlust", "höhenmeter bergab"), "descent_m"),
    **dict.fromkeys(
        ("average cadence", "durchschnittliche trittfrequenz", "ø trittfrequenz"), "cadence_spm"
    ),
    **dict.fromkeys(("dirt distance", "distanz auf unbefestigten wegen"), "trail_km"),
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
    """First index of each known field, and every index of repeated ones."""
    where: dict[str, list[int]] = {}
    for i, raw in enumerate(header):
        name = _header_key(raw)
        # ``Distance.1`` (a spreadsheet's rename of a repeated name) counts as the same name.
        name = re.sub(r"\.\d+$", "", name)
        key = FIELDS.get(name)
        if key is not None:
            where.setdefault(key, []).append(i)
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


def decode(data: bytes) -> str:
    """The text of a records CSV: UTF-8 with or without BOM, UTF-16 with BOM."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8-sig", "replace")


def read_activities(data: bytes, name: str) -> RecordFile:
    """The :class:`RecordReader` of ``activities.csv`` (bytes in, records out)."""
    return read_activities_csv(decode(data), name=name)


def read_activities_csv(text: str, *, name: str = "activities.csv") -> RecordFile:
    """Read every activity of a Strava ``activities.csv``.

    Parameters
    ----------
    text : str
        The file's text (decoded, BOM allowed).
    name : str
        Shown in the problems.

    Returns
    -------
    RecordFile
        Records (service ``"strava"``) in file order; lines that could not be
        read are counted in ``problems``.
    """
    records = _rows(text)
    problems = Problems()
    header: list[str] | None = None
    for _line, fields, error in records:
        if fields is None:
            problems.add(f"the header line cannot be read ({error})")
            return RecordFile((), problems=problems)
        if any(f.strip() for f in fields):
            header = fields
            break
    if header is None:
        problems.add("empty file")
        return RecordFile((), problems=problems)
    first, every = _columns(header)
    if "filename" not in first and "activity_type" not in first:
        problems.add(
            "no 'Filename' or 'Activity Type' column found by name (a language"
            " runaudit does not know?); the activity files are still read"
        )
        return RecordFile((), problems=problems)
    notes: list[str] = []
    missing = [k for k in ("start_utc", "distance_km") if k not in first]
    if missing:
        notes.append(
            f"{name}: no column for {', '.join(missing)} found by name; rows give sport and"
            " shoe only, and runs without a file cannot be counted"
        )
    dist_cols = every.get("distance_km", [])
    out: list[ServiceRecord] = []
    for line, fields, error in records:
        if fields is None:
            problems.add("lines refused (not CSV)", f"line {line}: {error}")
            continue
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            problems.add(
                "lines refused (wrong number of fields)",
                f"line {line}: {len(fields)} fields where the header has {len(header)}",
            )
            continue

        def get(key: str, fields: list[str] = fields) -> str:
            i = first.get(key)
            return fields[i].strip() if i is not None else ""

        # Two ``Distance`` columns: the second is in metres (always), the first in km for runs.
        km = number(fields[dist_cols[1]]) / 1000.0 if len(dist_cols) > 1 else math.nan
        if not math.isfinite(km) and dist_cols:
            km = number(fields[dist_cols[0]])
        kind = get("activity_type")
        sport, sub = normalize_sport(kind)
        cadence = number(get("cadence_spm"))
        if math.isfinite(cadence) and "run" in kind.lower() and cadence < 130:
            cadence *= 2.0  # Strava stores running cadence per leg
        elapsed = math.nan
        for i in every.get("elapsed_time_s", []):
            elapsed = number(fields[i])
            if math.isfinite(elapsed):
                break
        start = parse_date(get("start_utc"))
        if "start_utc" in first and not math.isfinite(start) and get("start_utc"):
            problems.add(
                "dates not understood (row used for sport only)",
                f"line {line}: {get('start_utc')[:40]!r}",
            )
        out.append(
            ServiceRecord(
                service="strava",
                source_file=name,
                line=line,
                record_id=get("record_id")[:40],
                start_utc=start,
                activity_type=kind[:60],
                sport=sport,
                sub_sport=sub,
                name=get("name")[:200],
                gear=get("gear")[:200],
                filename=get("filename")[:500],
                distance_km=km if km >= 0 else math.nan,
                elapsed_time_s=elapsed,
                moving_time_s=number(get("moving_time_s")),
                ascent_m=number(get("ascent_m")),
                descent_m=number(get("descent_m")),
                cadence_spm=cadence,
                trail_km=number(get("trail_km")) / 1000.0,
            )
        )
    return RecordFile(tuple(out), problems=problems, notes=tuple(notes))


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
        file_key(row.filename): row.activity_type
        for row in read_activities_csv(text).records
        if row.filename and row.activity_type
    }


def read_shoes(data: bytes, name: str) -> RecordFile:
    """The :class:`RecordReader` of ``shoes.csv``: its shoes, no records."""
    return RecordFile((), shoes=read_shoes_csv(decode(data)))


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


#: The readers' table entries of Strava's files (see :data:`runaudit.reading.records.READERS`).
READERS = (
    ServiceReader(
        "strava",
        "Strava",
        accepts=lambda base: base == "activities.csv",
        read=read_activities,
        links_files=True,
    ),
    ServiceReader("strava", "Strava", accepts=lambda base: base == "shoes.csv", read=read_shoes),
)
