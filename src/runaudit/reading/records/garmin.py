"""Garmin Connect's ``*_summarizedActivities.json`` (pure, no I/O).

Shape ``[{"summarizedActivitiesExport": [...]}]``. Units differ from Garmin's
web API: distance and elevation in **centimetres**, durations in
**milliseconds**, ``startTimeGmt``/``startTimeLocal`` in epoch milliseconds
(their difference is the local offset), ``activityType`` a string
(``running``, ``trail_running``, ``treadmill_running``...), and
``avgDoubleCadence`` in steps per minute.
"""

from __future__ import annotations

import json
import math
from typing import Any

from runaudit.errors import ParseError
from runaudit.reading.records.base import Problems, RecordFile, ServiceReader, ServiceRecord
from runaudit.reading.sports import normalize_sport

#: Deepest nesting accepted in a summaries file (Garmin's own is 4 deep).
MAX_JSON_DEPTH = 32


def _depth_ok(data: bytes, limit: int) -> bool:
    """False when brackets nest deeper than ``limit`` (strings skipped)."""
    depth, in_str, escaped = 0, False, False
    for byte in data:
        if in_str:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_str = False
        elif byte == 0x22:
            in_str = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def _num(item: dict[str, Any], key: str, scale: float = 1.0) -> float:
    value: Any = item.get(key)
    cls = value.__class__
    if cls is not float and cls is not int:  # bool, str, None, lists: not a number
        return math.nan
    out: float = value * scale
    return out if out - out == 0 else math.nan  # inf and NaN are not numbers


#: The field table: summary key → (:class:`ServiceRecord` field, scale to its unit).
#: Distances and elevations are in centimetres, durations in milliseconds.
FIELDS: dict[str, tuple[str, float]] = {
    "distance": ("distance_km", 1e-5),
    "elapsedDuration": ("elapsed_time_s", 1e-3),
    "movingDuration": ("moving_time_s", 1e-3),
    "elevationGain": ("ascent_m", 0.01),
    "elevationLoss": ("descent_m", 0.01),
    "avgDoubleCadence": ("cadence_spm", 1.0),
    "avgHr": ("heart_rate_bpm", 1.0),
}


#: :data:`FIELDS` in the order :class:`ServiceRecord` takes them positionally.
_FIELD_ITEMS = tuple(FIELDS.items())
assert [field for field, _scale in FIELDS.values()] == [
    "distance_km", "elapsed_time_s", "moving_time_s", "ascent_m", "descent_m", "cadence_spm",
    "heart_rate_bpm",
]  # fmt: skip


def read_summaries(data: bytes, name: str = "summarizedActivities.json") -> RecordFile:
    """Read the activities of one summaries file (the :class:`RecordReader`).

    Parameters
    ----------
    data : bytes
        The file (the caller has applied the size limit).
    name : str
        Shown in the problems.

    Returns
    -------
    RecordFile
        Records of service ``"garmin"``; a file that is not JSON, nests deeper
        than :data:`MAX_JSON_DEPTH` or lacks Garmin's shape is one problem.
    """
    problems = Problems()
    try:
        items = _items(data, name)
    except ParseError as err:
        problems.add(str(err).removeprefix(f"{name}: "))
        return RecordFile((), problems=problems)
    out: list[ServiceRecord] = []
    sports: dict[str, tuple[str | None, str | None]] = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.add("entries refused (not an object)", f"entry {number}")
            continue
        gmt, local = _num(item, "startTimeGmt"), _num(item, "startTimeLocal")
        kind = item.get("activityType")
        if isinstance(kind, dict):  # older exports: {"typeKey": "running"}
            kind = kind.get("typeKey")
        if not math.isfinite(gmt) or not isinstance(kind, str):
            problems.add("entries refused (no start time or activity type)", f"entry {number}")
            continue
        offset = round((local - gmt) / 1000.0) if math.isfinite(local) else None
        if offset is not None and abs(offset) > 15 * 3600:
            offset = None
        distance, elapsed, moving, ascent, descent, cadence, heart = (
            _num(item, key, scale) for key, (_field, scale) in _FIELD_ITEMS
        )
        if "elapsedDuration" not in item or moving != moving:
            duration = _num(item, "duration", 1e-3)
            if "elapsedDuration" not in item:
                elapsed = duration
            if moving != moving:
                moving = duration
        if kind not in sports:
            sports[kind] = normalize_sport(kind)
        sport, sub = sports[kind]
        aid, title = item.get("activityId", ""), item.get("name", "")
        out.append(
            ServiceRecord(
                "garmin",
                name,
                number,
                (aid if aid.__class__ is str else str(aid))[:40],
                gmt / 1000.0,
                offset,
                kind[:60],
                sport,
                sub,
                (title if title.__class__ is str else str(title))[:200],
                "",
                "",
                distance,
                elapsed,
                moving,
                ascent,
                descent,
                cadence,
                heart,
            )
        )
    return RecordFile(tuple(out), problems=problems)


def _items(data: bytes, name: str) -> list[Any]:
    """The entries of every ``summarizedActivitiesExport`` list in the file."""
    # The scan costs a second per ~10 MB in Python; past 4 MB the JSON decoder's own
    # recursion guard (RecursionError below) refuses hostile nesting instead.
    if len(data) <= 4_000_000 and not _depth_ok(data, MAX_JSON_DEPTH):
        raise ParseError(f"{name}: JSON nested more than {MAX_JSON_DEPTH} levels deep; refused")
    try:
        doc = json.loads(data)
    except RecursionError as err:
        raise ParseError(f"{name}: JSON nested too deeply; refused") from err
    except (ValueError, UnicodeDecodeError) as err:
        raise ParseError(f"{name}: not valid JSON ({err})") from err
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        raise ParseError(f"{name}: not a Garmin summaries file (top level is not a list)")
    items: list[Any] = []
    for part in doc:
        if isinstance(part, dict) and isinstance(part.get("summarizedActivitiesExport"), list):
            items.extend(part["summarizedActivitiesExport"])
    if not items and doc:
        raise ParseError(f"{name}: no 'summarizedActivitiesExport' list found")
    return items


#: The readers' table entries of Garmin's files (see :data:`runaudit.reading.records.READERS`);
#: ``*_gear.json`` is read by :mod:`.garmin_gear`.
READERS = (
    ServiceReader(
        "garmin",
        "Garmin Connect",
        accepts=lambda base: base.endswith("summarizedactivities.json"),
        read=read_summaries,
    ),
)
