"""The JSON Garmin Connect's web API returns, as export scripts save it (pure, no I/O).

A list of activities (or one), each as the ``activitylist-service`` search
returns it: ``activityId``, ``activityName``, ``activityType.typeKey``
(``running``, ``treadmill_running``, ``trail_running``…), ``startTimeLocal``
and ``startTimeGMT`` as ``YYYY-MM-DD HH:MM:SS`` (their difference is the local
offset), ``distance`` in **metres**, ``duration``/``elapsedDuration``/
``movingDuration`` in **seconds**, ``elevationGain``/``elevationLoss`` in
metres, ``averageHR`` and ``averageRunningCadenceInStepsPerMinute``. Units
differ from the data export's ``*_summarizedActivities.json`` (cm, ms): see
:mod:`.garmin`. Field names as public Garmin Connect clients and their test
fixtures hold them.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from runaudit.errors import ParseError
from runaudit.reading.records.base import Problems, RecordFile, ServiceReader, ServiceRecord
from runaudit.reading.records.jsonload import load_json, number
from runaudit.reading.sports import normalize_sport

#: Vendor field → (canonical field, scale to canonical units).
FIELDS: dict[str, tuple[str, float]] = {
    "distance": ("distance_km", 1e-3),
    "elapsedDuration": ("elapsed_time_s", 1.0),
    "movingDuration": ("moving_time_s", 1.0),
    "elevationGain": ("ascent_m", 1.0),
    "elevationLoss": ("descent_m", 1.0),
    "averageHR": ("heart_rate_bpm", 1.0),
    "averageRunningCadenceInStepsPerMinute": ("cadence_spm", 1.0),
}


def parse_time(text: object) -> float:
    """``2026-07-12 07:01:00`` (or with ``T``, fractions allowed) as if UTC [s]; NaN if not.

    >>> parse_time("2026-07-12 07:01:00"), parse_time("2026-07-12T07:01:00.0")
    (1783839660.0, 1783839660.0)
    """
    if not isinstance(text, str):
        return math.nan
    t = text.strip().replace("T", " ")[:26]
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"):
        try:
            return datetime.strptime(t, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    return math.nan


def looks_like_api_json(head: bytes) -> bool:
    """True when the first bytes of a JSON file are Garmin Connect web-API activities.

    >>> looks_like_api_json(b'[{"activityId": 1, "startTimeGMT": "2020-01-01 10:00:00",'
    ...                     b' "activityType": {"typeKey": "running"}}]')
    True
    """
    return b'"startTimeGMT"' in head and b'"activityType"' in head and b'"typeKey"' in head


def read_api_json(data: bytes, *, name: str = "activities.json") -> RecordFile:
    """Read the activities of one web-API JSON file as records.

    Raises
    ------
    ParseError
        Not JSON, too deep, or no activity with ``startTimeGMT`` and
        ``activityType.typeKey`` (the fields runaudit needs are named).
    """
    doc = load_json(data, name)
    if isinstance(doc, dict):
        doc = doc.get("activityList", [doc]) if isinstance(doc.get("activityList"), list) else [doc]
    if not isinstance(doc, list):
        raise ParseError(f"{name}: not a list of Garmin Connect activities")
    problems = Problems()
    records: list[ServiceRecord] = []
    for i, item in enumerate(doc, start=1):
        if not isinstance(item, dict):
            problems.add("entries that are not activities", f"entry {i}")
            continue
        record = _record(item, name, i, problems)
        if record is not None:
            records.append(record)
    if not records:
        raise ParseError(
            f"{name}: no activity with 'startTimeGMT' and 'activityType.typeKey'"
            " (not Garmin Connect web-API JSON)"
        )
    return RecordFile(tuple(records), problems=problems)


def _record(item: dict[str, Any], name: str, line: int, problems: Problems) -> ServiceRecord | None:
    kind = item.get("activityType")
    key = kind.get("typeKey") if isinstance(kind, dict) else None
    gmt, local = parse_time(item.get("startTimeGMT")), parse_time(item.get("startTimeLocal"))
    if not isinstance(key, str) or not math.isfinite(gmt):
        problems.add("activities without startTimeGMT or activityType.typeKey", f"entry {line}")
        return None
    offset = round(local - gmt) if math.isfinite(local) else None
    if offset is not None and abs(offset) > 15 * 3600:
        offset = None
    values = {
        canonical: number(item.get(vendor), scale) for vendor, (canonical, scale) in FIELDS.items()
    }
    if not math.isfinite(values["elapsed_time_s"]):
        values["elapsed_time_s"] = number(item.get("duration"))
    sport, sub = normalize_sport(key)
    return ServiceRecord(
        service="garmin_api",
        source_file=name,
        line=line,
        record_id=str(item.get("activityId", ""))[:40],
        start_utc=gmt,
        utc_offset_s=offset,
        activity_type=key[:60],
        sport=sport,
        sub_sport=sub,
        name=str(item.get("activityName") or "")[:200],
        distance_km=values["distance_km"],
        elapsed_time_s=values["elapsed_time_s"],
        moving_time_s=values["moving_time_s"],
        ascent_m=values["ascent_m"],
        descent_m=values["descent_m"],
        cadence_spm=values["cadence_spm"],
        heart_rate_bpm=values["heart_rate_bpm"],
    )


def read_api_file(data: bytes, name: str) -> RecordFile:
    """The :class:`~.base.RecordReader`: a file it cannot read is one problem."""
    try:
        return read_api_json(data, name=name)
    except ParseError as err:
        problems = Problems()
        problems.add(str(err).removeprefix(f"{name}: "))
        return RecordFile((), problems=problems)


#: The readers' table entry of web-API JSON (see :data:`runaudit.reading.records.READERS`).
READERS = (
    ServiceReader(
        "garmin_api",
        "Garmin Connect (web API)",
        accepts=lambda base: base.endswith(".json"),
        read=read_api_file,
        sniff=looks_like_api_json,
    ),
)
