"""Local time of each activity: the wall clock the athlete lived by.

Weeks start on Monday in local time, so a 06:00 Monday run in Sydney belongs
to that Monday even though it is still Sunday in UTC. The offset comes from,
in order: ``--tz`` (overrides everything), the file itself (FIT
``activity.local_timestamp``), the nearest-in-time FIT file of the same export
(for GPX/TCX, which carry no offset), else UTC.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runaudit.errors import InputError

#: How far apart in time a FIT file may be to lend its offset to a GPX/TCX file [s].
MAX_BORROW_S = 60 * 86400


def zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name`` or raise :class:`InputError`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as err:  # OSError: a name too long
        shown = name if len(name) <= 60 else name[:60] + "…"
        raise InputError(
            f"unknown time zone {shown!r} (use an IANA name like Europe/Berlin)."
        ) from err


def offset_in_zone(start_utc: float, tz: ZoneInfo) -> int:
    """UTC offset [s] of zone ``tz`` at the instant ``start_utc`` [s since epoch]."""
    offset = datetime.fromtimestamp(start_utc, UTC).astimezone(tz).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def resolve_offsets(
    starts: Sequence[float], own: Sequence[int | None], tz: str | None = None
) -> tuple[list[int], list[str]]:
    """Choose the UTC offset of each activity and say where it came from.

    Parameters
    ----------
    starts : sequence of float
        Start times [s since epoch, UTC].
    own : sequence of int or None
        Each activity's own offset [s] (FIT files), None where unknown.
    tz : str, optional
        IANA zone that overrides all.

    Returns
    -------
    offsets : list of int
        [s], local = UTC + offset.
    sources : list of str
        ``"--tz"``, ``"file"``, ``"nearest FIT file"`` or ``"UTC (unknown)"``.
    """
    if tz:
        zone_info = zone(tz)
        return [offset_in_zone(s, zone_info) for s in starts], ["--tz"] * len(starts)
    known = sorted((s, o) for s, o in zip(starts, own, strict=True) if o is not None)
    known_t = [k[0] for k in known]
    offsets: list[int] = []
    sources: list[str] = []
    for start, offset in zip(starts, own, strict=True):
        if offset is not None:
            offsets.append(int(offset))
            sources.append("file")
            continue
        i = bisect_left(known_t, start)
        candidates = [known[j] for j in (i - 1, i) if 0 <= j < len(known)]
        best = min(candidates, key=lambda k: abs(k[0] - start), default=None)
        if best is not None and abs(best[0] - start) <= MAX_BORROW_S:
            offsets.append(int(best[1]))
            sources.append("nearest FIT file")
        else:
            offsets.append(0)
            sources.append("UTC (unknown)")
    return offsets, sources
