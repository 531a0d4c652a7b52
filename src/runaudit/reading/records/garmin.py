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
from dataclasses import dataclass
from typing import Any

from runaudit.errors import ParseError

#: Deepest nesting accepted in a summaries file (Garmin's own is 4 deep).
MAX_JSON_DEPTH = 32


@dataclass(frozen=True)
class GarminSummary:
    """One activity as Garmin Connect summarised it.

    Attributes
    ----------
    activity_id, name, activity_type : str
    start_utc : float
        [s since epoch].
    utc_offset_s : int or None
        [s], from ``startTimeLocal - startTimeGmt``.
    distance_km, elapsed_time_s, moving_time_s, ascent_m, descent_m, cadence_spm : float
        NaN where absent.
    """

    activity_id: str
    name: str
    activity_type: str
    start_utc: float
    utc_offset_s: int | None
    distance_km: float
    elapsed_time_s: float
    moving_time_s: float
    ascent_m: float
    descent_m: float
    cadence_spm: float


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
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    out = float(value) * scale
    return out if math.isfinite(out) else math.nan


def read_summaries(
    data: bytes, *, name: str = "summarizedActivities.json"
) -> tuple[list[GarminSummary], list[str]]:
    """Read the activities of one summaries file.

    Parameters
    ----------
    data : bytes
        The file (the caller has applied the size limit).
    name : str
        Shown in the problems.

    Returns
    -------
    summaries : list of GarminSummary
    problems : list of str
        Entries refused, with the reason (counted, not listed one by one).

    Raises
    ------
    ParseError
        When the file is not JSON, nests deeper than :data:`MAX_JSON_DEPTH`
        or does not have Garmin's shape.
    """
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
    out: list[GarminSummary] = []
    bad = 0
    for item in items:
        if not isinstance(item, dict):
            bad += 1
            continue
        gmt, local = _num(item, "startTimeGmt"), _num(item, "startTimeLocal")
        kind = item.get("activityType")
        if isinstance(kind, dict):  # older exports: {"typeKey": "running"}
            kind = kind.get("typeKey")
        if not math.isfinite(gmt) or not isinstance(kind, str):
            bad += 1
            continue
        offset = round((local - gmt) / 1000.0) if math.isfinite(local) else None
        if offset is not None and abs(offset) > 15 * 3600:
            offset = None
        moving = _num(item, "movingDuration", 1e-3)
        out.append(
            GarminSummary(
                activity_id=str(item.get("activityId", ""))[:40],
                name=str(item.get("name", ""))[:200],
                activity_type=kind[:60],
                start_utc=gmt / 1000.0,
                utc_offset_s=offset,
                distance_km=_num(item, "distance", 1e-5),
                elapsed_time_s=_num(item, "elapsedDuration", 1e-3)
                if "elapsedDuration" in item
                else _num(item, "duration", 1e-3),
                moving_time_s=moving if math.isfinite(moving) else _num(item, "duration", 1e-3),
                ascent_m=_num(item, "elevationGain", 0.01),
                descent_m=_num(item, "elevationLoss", 0.01),
                cadence_spm=_num(item, "avgDoubleCadence"),
            )
        )
    problems = [f"{name}: {bad} entries refused (no start time or activity type)"] if bad else []
    return out, problems
