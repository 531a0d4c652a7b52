"""The one record every services' reader returns, and the reader interface.

In the spirit of pvlib's ``iotools``: each module of this package reads one
service's file (Strava's ``activities.csv``, Garmin's summaries and gear, the
Garmin Connect web-API JSON, Runkeeper's ``cardioActivities.csv``, Polar Flow
sessions, Apple Health's ``export.xml``) and maps the vendor's fields onto
:class:`ServiceRecord` through one field table (``FIELDS``: vendor name →
canonical name). A reader returns a :class:`RecordFile`: the records, the
shoes it lists, and its problems counted by kind (never one line per row).

Units are canonical here, whatever the vendor wrote: kilometres, seconds,
metres, steps per minute, seconds since the epoch in UTC.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Protocol

NAN = math.nan


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """One activity as a service's own records list it (canonical names and units).

    Attributes
    ----------
    service : str
        ``"strava"``, ``"garmin"``, ``"garmin_api"``, ``"runkeeper"``, ``"polar"``
        or ``"apple_health"``.
    source_file : str
        Display name of the records file (``export.zip!activities.csv``).
    line : int
        Row (CSV line, header = 1) or entry number in that file, for messages.
    record_id : str
        The service's activity id, ``""`` when it has none.
    start_utc : float
        Start [s since epoch, UTC]; NaN when the date could not be read.
    utc_offset_s : int or None
        Local time minus UTC [s], when the record knows its local time.
    activity_type : str
        The type as the service wrote it (``"Run"``, ``"Corsa"``, ``"running"``).
    sport : str or None
        Normalised sport (``"running"``, ``"cycling"``, …) where the type is known,
        None for a type runaudit does not know.
    sub_sport : str or None
        ``"treadmill"``, ``"trail"``, ``"virtual_activity"``, … where known.
    name : str
        The activity's title.
    gear : str
        The shoe, ``""`` when unknown.
    filename : str
        The activity file the record links to, ``""`` for none (manual entry).
    distance_km : float
        [km], NaN where absent.
    elapsed_time_s, moving_time_s : float
        [s], NaN where absent.
    ascent_m, descent_m : float
        [m], NaN where absent.
    cadence_spm : float
        [steps/min, both feet], NaN where absent.
    heart_rate_bpm : float
        [beats/min], NaN where absent.
    trail_km : float
        [km] off-road distance the service reports (Strava's ``Dirt Distance``).
    """

    service: str
    source_file: str
    line: int
    record_id: str
    start_utc: float
    utc_offset_s: int | None = None
    activity_type: str = ""
    sport: str | None = None
    sub_sport: str | None = None
    name: str = ""
    gear: str = ""
    filename: str = ""
    distance_km: float = NAN
    elapsed_time_s: float = NAN
    moving_time_s: float = NAN
    ascent_m: float = NAN
    descent_m: float = NAN
    cadence_spm: float = NAN
    heart_rate_bpm: float = NAN
    trail_km: float = NAN


@dataclass
class Problems:
    """Problems of one records file, counted by kind with a few examples each.

    ``add("date could not be read", "line 12: '31/02/2019'")`` counts one; the
    stderr line shows the count and up to three examples, the ledger every row.
    """

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    rows: list[tuple[str, str]] = field(default_factory=list)

    def add(self, kind: str, example: str = "") -> None:
        """Count one problem of ``kind``; ``example`` names the row (``"line 12"``)."""
        self.counts[kind] += 1
        if example:
            self.rows.append((kind, example))
            shown = self.examples.setdefault(kind, [])
            if len(shown) < 3:
                shown.append(example)

    def lines(self, source: str) -> list[str]:
        """One line per kind: ``"activities.csv: 440 rows name a missing file (…)"``."""
        out = []
        for kind, count in self.counts.most_common():
            shown = self.examples.get(kind, [])
            more = f" (e.g. {'; '.join(shown)})" if shown else ""
            out.append(f"{source}: {kind}: {count}{more}")
        return out


@dataclass(frozen=True)
class RecordFile:
    """What one reader made of one file.

    Attributes
    ----------
    records : tuple of ServiceRecord
    shoes : tuple of str
        Shoes the file lists (Strava's ``shoes.csv``, Garmin's gear), used or not.
    problems : Problems
        Rows refused, counted by kind (the ledger lists every row).
    notes : tuple of str
        One-time facts worth a line (``"distance read in metres (2018 export)"``).
    gear_links : tuple of (str, str, str)
        ``(service, record_id, shoe)``: a shoe this file assigns to a record of
        another file (Garmin's ``gearActivityDTOs``). Applied by
        :func:`runaudit.reading.records.read_metadata` after every file is read,
        to records of that service whose ``gear`` is empty.
    type_gear : tuple of (str, str, str)
        ``(service, activity_type, shoe)``: the default shoe of an activity type,
        applied after ``gear_links`` to records still without a shoe.
    unknown_types : tuple of (str, int)
        Activity types the reader could not map to a sport, with their counts
        (rows with ``sport`` None); ``--run-type`` declares which are runs.
    """

    records: tuple[ServiceRecord, ...]
    shoes: tuple[str, ...] = ()
    problems: Problems = field(default_factory=Problems)
    notes: tuple[str, ...] = ()
    gear_links: tuple[tuple[str, str, str], ...] = ()
    type_gear: tuple[tuple[str, str, str], ...] = ()
    unknown_types: tuple[tuple[str, int], ...] = ()


class RecordReader(Protocol):
    """A services' reader: ``read(data, name) -> RecordFile``.

    ``data`` is the whole file's bytes (already read under the size limit),
    ``name`` its display name for messages. A reader never raises for bad
    content: a file it cannot read at all is a :class:`RecordFile` without
    records whose ``problems`` say why.
    """

    def __call__(self, data: bytes, name: str) -> RecordFile: ...


@dataclass(frozen=True)
class ServiceReader:
    """One entry of the readers' table that :func:`read_metadata` dispatches on.

    Adding a service is one such entry in ``READERS``
    (:mod:`runaudit.reading.records`) and its reader module.

    Attributes
    ----------
    service : str
        The key written into :attr:`ServiceRecord.service` (``"strava"``).
    label : str
        The name people know (``"Strava"``), used in messages and the report.
    accepts : callable
        ``accepts(base_name) -> bool`` on the lower-case base file name
        (``activities.csv``); decides which files discovery leaves to the records.
    read : RecordReader
    links_files : bool
        The service's records name their activity files (Strava's ``Filename``):
        a record without one is a manual entry (origin ``<service>_manual``), one
        whose file failed is counted from the row (``<service>_row``). Otherwise a
        record is a summary (``<service>_summary``) matched to a run by start time.
    sniff : callable, optional
        ``sniff(head) -> bool`` on the file's first 4 KiB, for names several
        services share (``*.json``): the first reader accepting both wins.
    stream : callable, optional
        ``stream(binary_file, name) -> RecordFile`` for files too large to hold in
        memory (Apple Health's ``export.xml``, 100 MB to GB): read front to back
        under the export's total limit (``Limits.max_total_bytes``) instead of the
        records' file limit.
    """

    service: str
    label: str
    accepts: Callable[[str], bool]
    read: RecordReader
    links_files: bool = False
    sniff: Callable[[bytes], bool] | None = None
    stream: Callable[[IO[bytes], str], RecordFile] | None = None


def map_fields(
    row: dict[str, str], fields: dict[str, str], converters: dict[str, Callable[[str], object]]
) -> dict[str, object]:
    """Canonical name → converted value for the vendor fields a row holds.

    ``fields`` is a reader's field table (vendor name → canonical name);
    ``converters`` turns the text of a canonical field into its value.
    """
    out: dict[str, object] = {}
    for vendor, canonical in fields.items():
        text = row.get(vendor)
        if text is None or text == "":
            continue
        convert = converters.get(canonical)
        out[canonical] = convert(text) if convert else text
    return out


def merge_problem_lines(files: Iterable[tuple[str, Problems]]) -> list[str]:
    """The stderr lines of several files' problems, one per file and kind."""
    return [line for name, problems in files for line in problems.lines(name)]
