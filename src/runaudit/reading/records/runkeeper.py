"""Runkeeper's ``cardioActivities.csv`` (pure, no I/O).

Header (Runkeeper data export; older exports lack ``Activity Id`` and
``Friend's Tagged``)::

    Activity Id,Date,Type,Route Name,Distance (mi),Duration,Average Pace,
    Average Speed (mph),Calories Burned,Climb (ft),Average Heart Rate (bpm),
    Friend's Tagged,Notes,GPX File

``Date`` is the runner's local wall-clock time (``2016-10-21 15:27:52``),
distances are miles, climb is feet, ``Duration`` is ``mm:ss`` or ``h:mm:ss``;
``GPX File`` names the route (``2016-10-21-1527.gpx``), empty for an activity
entered by hand. Layout as public importers and their fixtures read it
(SprintCoders/FunRun, a Perl ``Import::Activity::RunKeeper`` module).

The local time has no offset: a record's ``start_utc`` is the wall clock read
as UTC with ``utc_offset_s`` 0, so it lands in its local week; its GPX file,
where there is one, gives the true time.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import UTC, datetime

from runaudit.reading.records.base import Problems, RecordFile, ServiceReader, ServiceRecord
from runaudit.reading.sports import normalize_sport

#: Header name → canonical field.
FIELDS: dict[str, str] = {
    "Activity Id": "record_id",
    "Date": "start",
    "Type": "activity_type",
    "Route Name": "name",
    "Distance (mi)": "distance_km",
    "Duration": "elapsed_time_s",
    "Climb (ft)": "ascent_m",
    "Average Heart Rate (bpm)": "heart_rate_bpm",
    "GPX File": "filename",
}
MILE_KM = 1.609344
FOOT_M = 0.3048
#: Columns without which no row can be counted.
REQUIRED = ("Date", "Type", "Distance (mi)", "Duration")


def duration_s(text: str) -> float:
    """``mm:ss`` or ``h:mm:ss`` as seconds; NaN if neither.

    >>> duration_s("24:49"), duration_s("1:05:12"), duration_s("")
    (1489.0, 3912.0, nan)
    """
    m = re.fullmatch(r"\s*(?:(\d+):)?(\d{1,3}):(\d{2}(?:\.\d+)?)\s*", text)
    if not m:
        return math.nan
    hours = int(m.group(1)) if m.group(1) else 0
    return hours * 3600.0 + int(m.group(2)) * 60.0 + float(m.group(3))


def _float(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _local(text: str) -> float:
    try:
        when = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return math.nan
    return when.replace(tzinfo=UTC).timestamp()


def is_cardio_csv(name: str) -> bool:
    """True for Runkeeper's activity list (``cardioActivities.csv``, any case)."""
    base = name.replace("\\", "/").replace("!", "/").rsplit("/", 1)[-1].lower()
    return base == "cardioactivities.csv"


def read_cardio_activities(text: str, *, name: str = "cardioActivities.csv") -> RecordFile:
    """Read every activity of a Runkeeper ``cardioActivities.csv`` as a record.

    Returns
    -------
    RecordFile
        One record per row (runs and other sports alike, ``sport`` set);
        rows that cannot be read are counted in ``problems``. A header without
        the columns :data:`REQUIRED` names them in ``problems`` and no row is read.
    """
    problems = Problems()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        problems.add("no header line")
        return RecordFile((), problems=problems)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        other_units = [h for h in header if h.startswith("Distance (") and h != "Distance (mi)"]
        hint = (
            f" (found {', '.join(other_units)}: a unit runaudit has no source for)"
            if other_units
            else ""
        )
        problems.add(f"columns missing: {', '.join(missing)}{hint}; no row read")
        return RecordFile((), problems=problems)
    col = {h: i for i, h in enumerate(header)}
    records: list[ServiceRecord] = []
    for line, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) < len(header):
            problems.add("rows with fewer fields than the header", f"line {line}")
            continue

        def get(column: str, fields: list[str] = fields) -> str:
            i = col.get(column)
            return fields[i].strip() if i is not None else ""

        start = _local(get("Date"))
        if not math.isfinite(start):
            problems.add(
                "rows whose Date is not YYYY-MM-DD HH:MM:SS", f"line {line}: {get('Date')[:30]!r}"
            )
        kind = get("Type")
        sport, sub = normalize_sport(kind)
        miles, climb_ft = _float(get("Distance (mi)")), _float(get("Climb (ft)"))
        records.append(
            ServiceRecord(
                service="runkeeper",
                source_file=name,
                line=line,
                record_id=get("Activity Id")[:60],
                start_utc=start,
                utc_offset_s=0 if math.isfinite(start) else None,
                activity_type=kind[:60],
                sport=sport,
                sub_sport=sub,
                name=get("Route Name")[:200],
                filename=get("GPX File")[:500],
                distance_km=miles * MILE_KM if miles >= 0 else math.nan,
                elapsed_time_s=duration_s(get("Duration")),
                ascent_m=climb_ft * FOOT_M if climb_ft >= 0 else math.nan,
                heart_rate_bpm=_float(get("Average Heart Rate (bpm)")),
            )
        )
    notes = (
        "Runkeeper's times are local wall-clock times; rows without a GPX are placed"
        " by their local date",
    )
    return RecordFile(tuple(records), problems=problems, notes=notes if records else ())


def read_cardio(data: bytes, name: str) -> RecordFile:
    """The :class:`~.base.RecordReader` of ``cardioActivities.csv`` (UTF-8, BOM allowed)."""
    return read_cardio_activities(data.decode("utf-8-sig", "replace"), name=name)


#: The readers' table entry of Runkeeper's file (see :data:`runaudit.reading.records.READERS`).
READERS = (
    ServiceReader(
        "runkeeper",
        "Runkeeper",
        accepts=is_cardio_csv,
        read=read_cardio,
        links_files=True,
    ),
)
