"""Count each run once.

The same run often sits in an export twice: as FIT and as GPX, in both a
Garmin and a Strava export, or as a partial save beside the full file.
Recordings that overlap in time for most of the shorter one are one run; the
richer, more complete recording is kept. Except where the service's own list
says otherwise: two recordings that each start with a different activity of
Garmin Connect's summaries (one device recorded two activities at once, and
Garmin lists both) are two runs, each kept with its samples.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

#: Share of the shorter recording that must overlap the other [fraction].
MIN_OVERLAP = 0.5
#: Recordings without duration are the same run when they start this close [s].
SAME_START_S = 60.0
_FORMAT_RANK = {"fit": 3, "tcx": 2, "gpx": 1}


@dataclass(frozen=True)
class Recording:
    """What dedupe needs to know of one run."""

    activity_id: str
    start_utc: float
    end_utc: float
    distance_km: float
    channels: int
    n_samples: int
    format: str
    damaged: bool = False


def overlap_share(a: Recording, b: Recording) -> float:
    """Fraction of the shorter recording covered by the other [0–1].

    >>> r = lambda s, e: Recording("x", s, e, 1.0, 0, 0, "fit")
    >>> overlap_share(r(0, 100), r(50, 300))
    0.5
    """
    shorter = min(a.end_utc - a.start_utc, b.end_utc - b.start_utc)
    if shorter <= 0:
        return 1.0 if abs(a.start_utc - b.start_utc) <= SAME_START_S else 0.0
    inter = min(a.end_utc, b.end_utc) - max(a.start_utc, b.start_utc)
    return max(0.0, inter) / shorter


def _richness(r: Recording, longest: float) -> tuple[float, ...]:
    complete = (r.end_utc - r.start_utc) >= 0.9 * longest
    return (
        complete,
        not r.damaged,
        r.channels,
        _FORMAT_RANK.get(r.format, 0),
        r.n_samples,
        r.distance_km,
    )


def find_duplicates(
    recordings: Sequence[Recording], listed_starts: Sequence[float] = ()
) -> dict[str, str]:
    """Group overlapping recordings and pick one per group.

    Parameters
    ----------
    recordings : sequence of Recording
    listed_starts : sequence of float
        Starts [s since epoch] of the activities a service lists one by one
        (Garmin Connect's summaries). Two recordings starting within
        :data:`SAME_START_S` of two different listed activities are never
        one run, however much they overlap.

    Returns
    -------
    dict of str to str
        Dropped activity_id → the activity_id kept in its place.
    """
    listed = sorted(listed_starts)

    def entry(rec: Recording) -> int | None:
        """Index of the listed activity starting nearest ``rec`` (within SAME_START_S)."""
        i = bisect.bisect_left(listed, rec.start_utc)
        near = [j for j in (i - 1, i) if 0 <= j < len(listed)]
        best = min(near, key=lambda j: abs(listed[j] - rec.start_utc), default=None)
        if best is None or abs(listed[best] - rec.start_utc) > SAME_START_S:
            return None
        return best

    def apart(a: Recording, b: Recording) -> bool:
        ea, eb = entry(a), entry(b)
        return ea is not None and eb is not None and ea != eb

    order = sorted(recordings, key=lambda r: (r.start_utc, r.activity_id))
    groups: list[list[Recording]] = []
    for rec in order:
        for group in groups[-3:]:
            if any(
                overlap_share(rec, other) >= MIN_OVERLAP and not apart(rec, other)
                for other in group
            ):
                group.append(rec)
                break
        else:
            groups.append([rec])
    dropped: dict[str, str] = {}
    for group in groups:
        if len(group) < 2:
            continue
        longest = max(r.end_utc - r.start_utc for r in group)
        keep = max(group, key=lambda r: _richness(r, longest))
        for rec in group:
            if rec is not keep:
                dropped[rec.activity_id] = keep.activity_id
    return dropped
