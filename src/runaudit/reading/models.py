"""Plain data passed between the pipeline stages.

``ParsedActivity`` is what a parser returns for one recorded activity (one FIT
session, one GPX track, one TCX activity): its metadata and its samples as
NumPy arrays in canonical units. ``ParsedFile`` wraps the activities of one
input file together with what went wrong while reading it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

#: Canonical per-sample columns and their units. Every parser maps its own
#: field names onto these (see ``parsers/*.py``).
SAMPLE_UNITS: dict[str, str] = {
    "time_s": "seconds since 1970-01-01 UTC",
    "lat_deg": "degrees",
    "lon_deg": "degrees",
    "altitude_m": "metres",
    "distance_m": "metres, cumulative",
    "speed_mps": "metres per second",
    "cadence_spm": "steps per minute, both feet",
    "heart_rate_bpm": "beats per minute",
}

FileKind = Literal["activity", "not_activity"]
Bucket = Literal["run", "duplicate", "other_sport", "not_activity", "skipped"]
BUCKETS: tuple[Bucket, ...] = ("run", "duplicate", "other_sport", "not_activity", "skipped")


@dataclass
class ParsedActivity:
    """One recorded activity as read from a file.

    Attributes
    ----------
    sport, sub_sport : str or None
        Lower-case sport as the file states it (``"running"``, ``"cycling"``,
        ``"treadmill"``...), or None when the file does not say.
    start_utc : float
        Start time [s since the Unix epoch, UTC].
    utc_offset_s : int or None
        Local wall clock minus UTC [s] when the file records it (FIT
        ``activity.local_timestamp``), else None.
    distance_m : float or None
        The file's own total distance [m] (FIT session ``total_distance``,
        TCX lap ``DistanceMeters``), or None.
    timer_time_s, elapsed_time_s : float or None
        The file's own timer (pauses excluded) and elapsed durations [s].
    samples : dict of str to numpy.ndarray
        Per-sample arrays keyed by :data:`SAMPLE_UNITS`, all the same length,
        sorted by time; missing values are NaN.
    date_known : bool
        False when the device's clock was not set (FIT times below 0x10000000
        count seconds since power-on, not a date): the times are only relative.
    """

    sport: str | None
    sub_sport: str | None
    start_utc: float
    utc_offset_s: int | None = None
    distance_m: float | None = None
    timer_time_s: float | None = None
    elapsed_time_s: float | None = None
    ascent_m: float | None = None
    descent_m: float | None = None
    device: str | None = None
    samples: dict[str, np.ndarray] = field(default_factory=dict)
    date_known: bool = True

    def samples_frame(self) -> pd.DataFrame:
        """Return the samples as a DataFrame with a UTC ``time`` column first."""
        return with_time_column(
            pd.DataFrame({k: self.samples[k] for k in SAMPLE_UNITS if k in self.samples})
        )


def with_time_column(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a UTC ``time`` column first, made from ``time_s`` [s since epoch]."""
    if "time_s" in frame and "time" not in frame:
        frame = frame.copy()
        frame.insert(0, "time", pd.to_datetime(frame["time_s"], unit="s", utc=True))
    return frame


@dataclass
class ParsedFile:
    """Everything one input file yielded.

    Attributes
    ----------
    format : str
        ``"fit"``, ``"gpx"`` or ``"tcx"``.
    kind : {"activity", "not_activity"}
        ``"not_activity"`` for FIT files that hold monitoring, settings,
        sleep, workouts... (a Garmin export has thousands of them).
    file_type : str or None
        The file's declared type (FIT ``file_id.type``), for the summary.
    activities : list of ParsedActivity
    problems : list of str
        What was wrong but recovered from ("truncated at byte 7471 of 78252;
        473 records kept", "bad CRC; records kept").
    """

    format: str
    kind: FileKind = "activity"
    file_type: str | None = None
    activities: list[ParsedActivity] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
