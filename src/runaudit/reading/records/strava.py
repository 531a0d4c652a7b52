"""Strava's ``activities.csv`` and ``shoes.csv`` of every vintage and language (pure, no I/O).

Where the facts come from (public importers and fixtures on GitHub, found with
the team's code search; no export is copied here):

* The modern English header, 103 columns, and the German 92-column header: the
  test constants ``HEADER_ENGLISH_103``, ``HEADER_ENGLISH_86`` and
  ``HEADER_GERMAN_92`` of a Rust Strava importer; 95- and 101-column English
  headers in a TypeScript and a C# importer. Every vintage from 83 columns on
  starts with the same 82 columns (``Max Heart Rate`` 8th, ``Activity Private
  Note`` 11th) and appends new ones before ``Media``; the 87-column form writes
  some names as HTML (``<span class="translation_missing" title="…">Dirt
  Distance</span>``, a Python analysis script's column list).
* The older form of 78 columns without ``Max Heart Rate``/``Activity Private
  Note`` and with names such as ``translation missing:
  en-GB.lib.export.portability_exporter.activities.horton_values.type`` and
  dates ``24 Dec 2020, 08:13:59``: a Java importer's test.
* Italian names (``ID attività``, ``Data dell’attività``, ``Nome attività``,
  ``Tipo attività``, ``Tempo trascorso``, ``Tempo in movimento``, ``Distanza``,
  ``Dislivello positivo``, ``Cadenza media``, ``Attrezzatura attività``, ``Nome
  del file``): two JavaScript importers; the Italian header keeping the English
  column order: a Flask app that maps both by position. Types ``Corsa`` and
  ``Camminata``, dates ``11 ago 2014, 16:27:28`` and distances ``9,62``: issue 18.
* The 2018 ten-column form (``id,date,name,type,description,elapsed_time,
  distance,commute,gear,filename``, distance in metres, ``2014-09-12 16:54:28``):
  issue 18 and the team's DESIGN notes.

Columns are found by name where the language is known; otherwise by the column
order of the English vintage with the same number of columns, kept only when
the values agree (dates parse, distances are numbers). Month names in dates come
from CLDR through Babel, in any of :data:`DATE_LOCALES`. Two ``Distance``
columns: the first is in km for runs, the second in metres (used when present).
``Activity Date`` is UTC. ``Average Cadence`` is per leg for runs and is doubled.

The file is read in one streaming pass (``csv`` over a text stream); every line
that cannot be read is counted by kind with examples, the rest is kept.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import operator
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import PurePosixPath
from typing import IO, Any

from runaudit.reading.parsers.track import EARLIEST_S, LATEST_S
from runaudit.reading.records.base import Problems, RecordFile, ServiceReader, ServiceRecord
from runaudit.reading.sports import normalize_sport

#: Header names (normalised: lower case, ``’`` as ``'``, HTML and ``translation
#: missing`` wrappers removed) → :class:`ServiceRecord` field, per language.
_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "record_id": ("activity id", "id"),
        "start_utc": ("activity date", "date"),
        "name": ("activity name", "name"),
        "activity_type": ("activity type", "type"),
        "gear": ("activity gear", "gear"),
        "filename": ("filename",),
        "distance_km": ("distance",),
        "elapsed_time_s": ("elapsed time",),
        "moving_time_s": ("moving time",),
        "ascent_m": ("elevation gain",),
        "descent_m": ("elevation loss",),
        "cadence_spm": ("average cadence",),
        "trail_km": ("dirt distance",),
    },
    "de": {
        "record_id": ("aktivitäts-id",),
        "start_utc": ("aktivitätsdatum",),
        "name": ("name der aktivität", "aktivitätsname"),
        "activity_type": ("aktivitätsart",),
        "gear": ("aktivitätsausrüstung",),
        "filename": ("dateiname",),
        "distance_km": ("distanz",),
        "elapsed_time_s": ("verstrichene zeit",),
        "moving_time_s": ("bewegungszeit",),
        "ascent_m": ("höhenzunahme",),
        "descent_m": ("höhenunterschied",),
        "cadence_spm": ("durchschnittliche trittfrequenz",),
        "trail_km": ("auf schotter zurückgelegte distanz",),
    },
    "it": {
        "record_id": ("id attività",),
        "start_utc": ("data dell'attività",),
        "name": ("nome attività",),
        "activity_type": ("tipo attività",),
        "gear": ("attrezzatura attività",),
        "filename": ("nome del file",),
        "distance_km": ("distanza",),
        "elapsed_time_s": ("tempo trascorso",),
        "moving_time_s": ("tempo in movimento",),
        "ascent_m": ("dislivello positivo",),
        "cadence_spm": ("cadenza media",),
    },
}
#: The field table (vendor header name → canonical field), every language together.
FIELDS: dict[str, str] = {
    name: key for names in _NAMES.values() for key, group in names.items() for name in group
}
#: Header name → its language, for the names that belong to one language only.
_LANGUAGE_OF: dict[str, str] = {
    name: lang
    for lang, names in _NAMES.items()
    for group in names.values()
    for name in group
    if lang != "en" or name not in ("id", "date", "name", "type", "gear")
}
#: Activity types in a language whose names are established (see the module
#: docstring) → the English type, for :func:`normalize_sport`.
#: (German ``Lauf`` with dates ``19.07.2026, 14:52:02`` and distances ``10,00``: a
#: JavaScript extractor's test.)
TYPES: dict[str, str] = {"corsa": "Run", "camminata": "Walk", "lauf": "Run"}

#: The columns of the English vintages [0-based index], by vintage: ``old``
#: (77-78 columns, 2020) and ``modern`` (83 columns and more; the fields below
#: sit in the first 82, the same in every modern vintage).
_ORDER: dict[str, dict[str, int | tuple[int, ...]]] = {
    "old": {
        "record_id": 0, "start_utc": 1, "name": 2, "activity_type": 3, "elapsed_time_s": (5, 13),
        "distance_km": (6, 15), "gear": 9, "filename": 10, "moving_time_s": 14, "ascent_m": 18,
        "descent_m": 19, "cadence_spm": 27,
    },
    "modern": {
        "record_id": 0, "start_utc": 1, "name": 2, "activity_type": 3, "elapsed_time_s": (5, 15),
        "distance_km": (6, 17), "gear": 11, "filename": 12, "moving_time_s": 16, "ascent_m": 20,
        "descent_m": 21, "cadence_spm": 29, "trail_km": 81,
    },
}  # fmt: skip


def _vintage(columns: int) -> str | None:
    """The English vintage whose column order a header of this width follows."""
    if columns in (77, 78):
        return "old"
    if 83 <= columns <= 110:
        return "modern"
    return None


#: The 2018 form's header, whose ``distance`` is in metres.
FORM_2018 = (
    "id", "date", "name", "type", "description", "elapsed time", "distance", "commute", "gear",
    "filename",
)  # fmt: skip
#: Locales whose CLDR month names (abbreviated and wide) dates may use.
DATE_LOCALES = ("en", "en_GB", "it", "de", "fr", "es", "nl", "pt", "pt_BR", "ca", "sv", "da")
#: Fields every useful file has; named when missing.
_NEEDED = ("start_utc", "activity_type", "distance_km", "filename")


def file_key(name: str) -> str:
    """Normalise a path for matching a file against the CSV's ``Filename``.

    >>> file_key("activities/123.FIT.gz"), file_key("export.zip!activities/9.gpx")
    ('123.fit', '9.gpx')
    """
    base = PurePosixPath(name.replace("\\", "/").replace("!", "/").lower()).name
    return base[:-3] if base.endswith(".gz") else base


_SPAN = re.compile(r"<span[^>]*>(.*?)</span>", re.S | re.I)
_MISSING = re.compile(r"translation missing: [\w.-]+\.(\w+)$")


def header_key(text: str) -> str:
    """A header name as the field tables spell it.

    >>> header_key('<span class="translation_missing" title="…">Dirt Distance</span>')
    'dirt distance'
    >>> header_key("translation missing: en-US.lib.export.activities.horton_values.start_time")
    'start time'
    >>> header_key("\ufeffData dell’attività"), header_key("Distance.1")
    ("data dell'attività", 'distance')
    """
    t = text.replace("\ufeff", "").strip()
    span = _SPAN.search(t)
    if span:
        t = span.group(1)
    missing = _MISSING.search(t)
    if missing:
        t = missing.group(1)
    t = " ".join(t.lower().replace("_", " ").replace("’", "'").split())
    # ``Distance.1`` (a spreadsheet's rename of a repeated name) counts as the same name.
    return re.sub(r"\.\d+$", "", t)


@cache
def month_numbers() -> dict[str, int]:
    """Month name (lower case, no dot) → month number, from CLDR via Babel.

    Abbreviated and wide names, format and stand-alone, of :data:`DATE_LOCALES`;
    a name two locales give different months is left out.

    >>> month_numbers()["ago"], month_numbers()["dic"], month_numbers()["sept"]
    (8, 12, 9)
    """
    from babel.dates import get_month_names  # the CLDR data loads on first use only

    seen: dict[str, set[int]] = {}
    for locale in DATE_LOCALES:
        for width in ("abbreviated", "wide"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    key = name.lower().strip(".")
                    seen.setdefault(key, set()).add(int(number))
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


_TIME = r"(\d{1,2}):(\d{2}):(\d{2})(?:\s*([ap])\.?\s*m\.?)?"
_DAY_FIRST = re.compile(
    rf"(\d{{1,2}})\.? ([^\W\d_]+)\.?,? (\d{{4}}),?(?: um| à| a las| alle)? {_TIME}"
)
_MONTH_FIRST = re.compile(rf"([^\W\d_]+)\.? (\d{{1,2}}),? (\d{{4}}),? {_TIME}")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|\+00:?00)?")
_DOTTED = re.compile(rf"(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}),? {_TIME}")
_TIME_TAIL = re.compile(
    r"(?:,? | um | à | a las | alle |T)(\d{1,2}):(\d{2}):(\d{2})(?: ?([AaPp])\.? ?[Mm]\.?)?$"
)
#: The shapes a :class:`DateReader` tries as written (no case folding or
#: whitespace clean-up): ISO, day first, month first, dotted numbers.
_SHAPES = tuple(
    (re.compile(p.pattern, re.I), shape)
    for p, shape in ((_ISO, 0), (_DAY_FIRST, 1), (_MONTH_FIRST, 2), (_DOTTED, 3))
)


def parse_date(text: str) -> float:
    """Strava's ``Activity Date`` (UTC) as seconds since the epoch; NaN if unreadable.

    Any vintage and language: ``Jan 7, 2025, 7:00:00 AM`` (en-US), ``22 May 2024,
    08:19:26`` (en-GB), ``11 ago 2014, 16:27:28`` (Italian), ``7 Jan. 2025,
    07:00:00`` and ``07.01.2025, 07:00:00`` (German), ``2014-09-12 16:54:28`` (2018).
    A year outside what activity files accept is NaN here too; see
    :func:`date_in_range`.

    >>> parse_date("Jan 7, 2025, 7:00:00 AM")
    1736233200.0
    >>> parse_date("7 Jan. 2025, 07:00:00") == parse_date("07.01.2025, 07:00:00")
    True
    >>> parse_date("27 dic 2014, 07:00:00") == parse_date("2014-12-27 07:00:00")
    True
    """
    t = " ".join(text.split())
    return DateReader().full(t) if t else math.nan


_EPOCH_DAY = date(1970, 1, 1).toordinal()


class DateReader:
    """:func:`parse_date` for one file: the shape that matched last is tried first
    (a file writes every date the same way).

    >>> read = DateReader()
    >>> read("11 ago 2014, 16:27:28") == parse_date("2014-08-11 16:27:28")
    True
    """

    def __init__(self) -> None:
        self.last: tuple[re.Pattern[str], int] | None = None
        self.days: dict[str, float] = {}  # the text before the time → its midnight [s]

    def __call__(self, text: str) -> float:
        # Fast path: the day part read once per day, the time read from the tail.
        tail = _TIME_TAIL.search(text)
        if tail is not None:
            day = text[: tail.start()]
            midnight = self.days.get(day)
            if midnight is None:
                midnight = self.days[day] = self.full(f"{day} 00:00:00")
            hh, mm, ss, ampm = tail.groups()
            h, m, sec = int(hh), int(mm), int(ss)
            if ampm is not None:
                if not 1 <= h <= 12:
                    return math.nan
                h = h % 12 + (12 if ampm in "pP" else 0)
            if h < 24 and m < 60 and sec < 61:
                return midnight + h * 3600 + m * 60 + sec
            return math.nan
        return self.full(text)

    def full(self, text: str) -> float:
        """The date through the shapes, the last that matched first."""
        if self.last is not None:
            pattern, shape = self.last
            m = pattern.fullmatch(text)
            if m is not None:
                return _from_match(m, shape)
        for pattern, shape in _SHAPES:
            m = pattern.fullmatch(text)
            if m is not None:
                self.last = (pattern, shape)
                return _from_match(m, shape)
        return math.nan


def _from_match(m: re.Match[str], shape: int) -> float:
    g = m.groups()
    if shape == 0:  # ISO
        return _stamp(int(g[0]), int(g[1]), int(g[2]), int(g[3]), int(g[4]), int(g[5]), None)
    if shape == 3:  # dotted numbers, day first
        month: int | None = int(g[1])
        day, year = g[0], g[2]
    else:
        month = month_numbers().get(g[1 if shape == 1 else 0].lower())
        day, year = (g[0], g[2]) if shape == 1 else (g[1], g[2])
    if month is None:
        return math.nan
    ampm = g[6].lower() if g[6] else None
    return _stamp(int(year), month, int(day), int(g[3]), int(g[4]), int(g[5]), ampm)


def _stamp(y: int, mo: int, d: int, hh: int, mm: int, ss: int, ampm: str | None) -> float:
    if ampm is not None:
        if not 1 <= hh <= 12:
            return math.nan
        hh = hh % 12 + (12 if ampm == "p" else 0)
    if not (hh < 24 and mm < 60 and ss < 61):
        return math.nan
    try:
        days = date(y, mo, d).toordinal() - _EPOCH_DAY
    except ValueError:  # 31 Feb, month 13, year 0
        return math.nan
    return float(days * 86400 + hh * 3600 + mm * 60 + ss)


def date_in_range(start: float) -> bool:
    """True for a start within the years activity files accept (1980 to 2099 UTC)."""
    return EARLIEST_S <= start < LATEST_S


def number(text: str, decimal: str = "") -> float:
    """A CSV number in any locale's format; NaN if empty or not a finite number.

    ``decimal`` is the file's decimal sign (``","`` or ``"."``) when known;
    otherwise a lone comma followed by one, two or four and more digits is a
    decimal comma and one followed by three a thousands separator.

    >>> number("6.2"), number("6,2"), number("1,234.5"), number("1.234,5"), number("")
    (6.2, 6.2, 1234.5, 1234.5, nan)
    >>> number("1,073"), number("1.050", decimal=","), number("9,62", decimal=",")
    (1073.0, 1050.0, 9.62)
    """
    if not text:
        return math.nan
    if decimal != ",":
        try:
            value = float(text)  # the common case: a plain number (spaces allowed)
        except ValueError:
            pass
        else:
            return value if value - value == 0 else math.nan  # inf - inf and NaN are NaN
    t = text.strip()
    if not t:
        return math.nan
    try:
        value = float(t) if "," not in t and "." not in t else math.nan
    except ValueError:
        value = math.nan
    if value != value:  # NaN: not a plain number
        t = t.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
        if decimal == ",":
            t = t.replace(".", "").replace(",", ".")
        elif decimal == ".":
            t = t.replace(",", "")
        elif "," in t and "." in t:
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


def text_stream(data: bytes) -> IO[str]:
    """A text stream over a records file: UTF-8 with or without BOM, UTF-16 with BOM."""
    utf16 = data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    encoding = "utf-16" if utf16 else "utf-8-sig"
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")


def decode(data: bytes) -> str:
    """The text of a records file (see :func:`text_stream`)."""
    return text_stream(data).read()


def _delimiter(line: str) -> str:
    """The field separator of a header line: comma, tab (Excel's "Unicode text") or
    semicolon (Excel in decimal-comma locales)."""
    counts = {sep: line.count(sep) for sep in (",", "\t", ";")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def _reader(stream: IO[str]) -> Any:
    """A ``csv.reader`` over the stream with the separator its header line uses."""
    first = stream.readline()
    stream.seek(0)
    return csv.reader(stream, delimiter=_delimiter(first))


def _rows(stream: IO[str]) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line, fields, error) of each CSV record; a broken line yields fields None."""
    reader = _reader(stream)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield reader.line_num, None, str(err)
            continue
        yield reader.line_num, fields, ""


def read_activities(data: bytes, name: str) -> RecordFile:
    """The :class:`~runaudit.reading.records.base.RecordReader` of ``activities.csv``."""
    return _read(text_stream(data), name)


def read_activities_csv(text: str, *, name: str = "activities.csv") -> RecordFile:
    """Read every activity of a Strava ``activities.csv`` given as text.

    Returns
    -------
    RecordFile
        Records (service ``"strava"``) in file order; lines that could not be
        read are counted in ``problems``, facts about the file in ``notes``.
    """
    return _read(io.StringIO(text.removeprefix("\ufeff"), newline=""), name)


class _Layout:
    """Where each field sits in one file's rows, and how its values are written."""

    def __init__(self, header: list[str]) -> None:
        keys = [header_key(h) for h in header]
        self.width = len(header)
        self.every: dict[str, list[int]] = {}
        votes: Counter[str] = Counter()
        for i, key in enumerate(keys):
            field = FIELDS.get(key)
            if field is not None:
                self.every.setdefault(field, []).append(i)
            if key in _LANGUAGE_OF:
                votes[_LANGUAGE_OF[key]] += 1
        self.language = votes.most_common(1)[0][0] if votes else None
        self.metres = tuple(keys) == FORM_2018
        self.by_order: list[str] = []
        self.decimal = ""

    def first(self, field: str) -> int | None:
        where = self.every.get(field)
        return where[0] if where else None

    def fill_by_order(self) -> None:
        """Fields the names did not give, from the English vintage of this width."""
        vintage = _vintage(self.width)
        if vintage is None:
            return
        taken = {i for where in self.every.values() for i in where}
        for field, at in _ORDER[vintage].items():
            where = list(at) if isinstance(at, tuple) else [at]
            if field in self.every or any(i in taken or i >= self.width for i in where):
                continue
            self.every[field] = where
            self.by_order.append(field)

    def drop_order(self) -> None:
        for field in self.by_order:
            del self.every[field]
        self.by_order = []


def _confirm(layout: _Layout, sample: list[list[str]]) -> bool:
    """True when the values under the order-mapped columns are what they should be:
    dates parse, distances and times are numbers (for most non-empty cells)."""
    checks = {
        "start_utc": lambda v: math.isfinite(parse_date(v)),
        "distance_km": lambda v: math.isfinite(number(v)),
        "elapsed_time_s": lambda v: math.isfinite(number(v)),
    }
    for field, check in checks.items():
        i = layout.first(field)
        if field not in layout.by_order or i is None:
            continue
        cells = [row[i] for row in sample if len(row) > i and row[i].strip()]
        if not cells or sum(1 for c in cells if check(c)) < 0.8 * len(cells):
            return False
    return True


def _decimal_sign(layout: _Layout, sample: list[list[str]]) -> str:
    """``","`` when the km distances are written with a decimal comma, else ``"."``.

    Looks at the values (``9,62`` against ``9.62``) rather than the language:
    an export's numbers follow the account's locale.
    """
    i = layout.first("distance_km")
    if i is None:
        return ""
    comma = dot = 0
    for row in sample:
        if len(row) > i:
            cell = row[i].strip()
            comma += bool(re.fullmatch(r"-?\d+,\d{1,2}", cell))
            dot += bool(re.fullmatch(r"-?\d+\.\d{1,2}", cell))
    return "," if comma > dot else ("." if dot else "")


#: Rows looked at to confirm an order mapping and the decimal sign.
_SAMPLE_ROWS = 200


def _read(stream: IO[str], name: str) -> RecordFile:
    reader = _reader(stream)
    problems = Problems()
    header: list[str] | None = None
    sample: list[tuple[int, list[str] | None, str]] = []
    while header is None or len(sample) < _SAMPLE_ROWS:
        try:
            fields: list[str] | None = next(reader)
            error = ""
        except StopIteration:
            break
        except csv.Error as err:
            fields, error = None, str(err)
        if header is not None:
            sample.append((reader.line_num, fields, error))
        elif fields is None:
            problems.add(f"the header line cannot be read ({error})")
            return RecordFile((), problems=problems)
        elif any(f.strip() for f in fields):
            header = fields
    if header is None:
        problems.add("empty file")
        return RecordFile((), problems=problems)
    layout = _Layout(header)
    good = [f for _l, f, _e in sample if f is not None and len(f) == layout.width]
    notes: list[str] = []
    missing = [f for f in _NEEDED if f not in layout.every]
    if missing:
        layout.fill_by_order()
        if layout.by_order and not _confirm(layout, good):
            layout.drop_order()
        elif layout.by_order:
            notes.append(
                f"{name}: header of {layout.width} columns"
                + (" in a language runaudit has no names for" if layout.language is None else "")
                + f"; {', '.join(layout.by_order)} read by the column order of the English"
                " export of that width (the values agree)"
            )
    missing = [f for f in _NEEDED if f not in layout.every]
    if "filename" not in layout.every and "activity_type" not in layout.every:
        problems.add(
            f"columns for {', '.join(missing)} not found by name or by the column order of a"
            f" known export ({layout.width} columns); the activity files are still read"
        )
        return RecordFile((), problems=problems)
    if missing:
        notes.append(
            f"{name}: no column for {', '.join(missing)}; rows give sport and shoe only, and"
            " runs without a file cannot be counted"
        )
    layout.decimal = _decimal_sign(layout, good)
    if layout.metres:
        notes.append(f"{name}: the 2018 export's distance column is in metres; read as such")
    records, unknown = _records(layout, sample, reader, name, problems)
    return RecordFile(
        tuple(records),
        problems=problems,
        notes=tuple(notes),
        unknown_types=tuple(sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


#: Sports :func:`normalize_sport` names from a word it knows (not a pass-through).
_KNOWN_SPORTS = frozenset(
    ("running", "cycling", "walking", "hiking", "swimming", "alpine_skiing",
     "cross_country_skiing", "training")
)  # fmt: skip


def _sport(kind: str, english: bool) -> tuple[str | None, str | None]:
    """``(sport, sub_sport)`` of a type as written; ``(None, None)`` for a type of a
    language runaudit has no names for (counted, and declared by ``--run-type``).

    >>> _sport("Corsa", False), _sport("Trail Run", True), _sport("Lauf", False)
    (('running', None), ('running', 'trail'), ('running', None))
    >>> _sport("Hardloop", False), _sport("Yoga", True)
    ((None, None), ('yoga', None))
    """
    if not kind:
        return None, None
    mapped = TYPES.get(kind.casefold().replace("’", "'"))
    if mapped is not None:
        return normalize_sport(mapped)
    sport, sub = normalize_sport(kind)
    if english or sport in _KNOWN_SPORTS:
        return sport, sub
    return None, None


def _records(
    layout: _Layout,
    sample: list[tuple[int, list[str] | None, str]],
    reader: Any,
    name: str,
    problems: Problems,
) -> tuple[list[ServiceRecord], Counter[str]]:
    """The records of the sample rows already read, then of the rest of the reader,
    in one pass (``itertools.chain`` survives a line the reader refuses)."""
    width, dec, metres = layout.width, layout.decimal, layout.metres
    english = layout.language == "en"
    # One C-level fetch of every cell a record needs; a missing column reads the
    # empty cell appended at index ``width``.
    text_fields = ("record_id", "start_utc", "activity_type", "name", "gear", "filename")
    number_fields = ("moving_time_s", "ascent_m", "descent_m", "cadence_spm", "trail_km")
    dist_cols = layout.every.get("distance_km", [])
    elapsed_cols = layout.every.get("elapsed_time_s", [])
    first = [layout.first(f) for f in (*text_fields, *number_fields)]
    fetch = operator.itemgetter(
        *(width if i is None else i for i in first),
        *[*dist_cols, width, width][:2],
        *[*elapsed_cols, width, width][:2],
    )
    two_dist, two_elapsed = len(dist_cols) > 1, len(elapsed_cols) > 1
    km_scale = 1000.0 if metres else 1.0
    sports: dict[str, tuple[str | None, str | None]] = {}
    unknown: Counter[str] = Counter()
    out: list[ServiceRecord] = []
    append = out.append
    dates = DateReader()
    nan, isfinite = math.nan, math.isfinite
    for line, fields, error in sample:
        if fields is None:
            problems.add("lines refused (not CSV)", f"line {line}: {error[:80]}")
    lines = [line for line, f, _e in sample if f is not None]
    rows = itertools.chain([f for _l, f, _e in sample if f is not None], reader)
    k = -1
    while True:
        try:
            for fields in rows:
                k += 1
                line = lines[k] if k < len(lines) else reader.line_num
                if len(fields) != width:
                    if not any(f.strip() for f in fields):
                        continue
                    problems.add(
                        "lines refused (wrong number of fields)",
                        f"line {line}: {len(fields)} fields where the header has {width}",
                    )
                    continue
                fields.append("")
                got = fetch(fields)
                rid, date_text, kind = got[0].strip(), got[1].strip(), got[2].strip()[:60]
                title, gear, filename = got[3].strip(), got[4].strip(), got[5].strip()
                moving, gain, loss = number(got[6], dec), number(got[7], dec), number(got[8], dec)
                cad, dirt = number(got[9], dec), number(got[10], dec)
                if kind not in sports:
                    sports[kind] = _sport(kind, english)
                sport, sub = sports[kind]
                if sport is None and kind:
                    unknown[kind] += 1
                # Two ``Distance`` columns: the second is in metres, the first in km for runs.
                if two_dist:
                    km = number(got[12], dec) / 1000.0
                    if not isfinite(km):
                        km = number(got[11], dec)
                else:
                    km = number(got[11], dec) / km_scale
                elapsed = number(got[13], dec)
                if two_elapsed and not isfinite(elapsed):
                    elapsed = number(got[14], dec)
                if cad == cad and sport == "running" and cad < 130:
                    cad *= 2.0  # Strava stores running cadence per leg
                start = dates(date_text) if date_text else nan
                if start != start:
                    if date_text:
                        problems.add(
                            "dates not understood (row used for sport only)",
                            f"line {line}: {date_text[:40]!r}",
                        )
                elif not EARLIEST_S <= start < LATEST_S:
                    problems.add(
                        "dates outside 1980-2099 (row used for sport only)",
                        f"line {line}: {date_text[:40]!r}",
                    )
                    start = nan
                append(
                    ServiceRecord(
                        "strava",
                        name,
                        line,
                        rid[:40],
                        start,
                        None,
                        kind,
                        sport,
                        sub,
                        title[:200],
                        gear[:200],
                        filename[:500],
                        km,
                        elapsed,
                        moving,
                        gain,
                        loss,
                        cad,
                        nan,
                        dirt / 1000.0,
                    )
                )
            break
        except csv.Error as err:  # the reader goes on with the next line
            problems.add("lines refused (not CSV)", f"line {reader.line_num}: {str(err)[:80]}")
    return out, unknown


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
    for _line, fields, _error in _rows(io.StringIO(text.removeprefix("\ufeff"), newline="")):
        if fields is None:
            continue
        if header is None:
            header = [header_key(h) for h in fields]
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
