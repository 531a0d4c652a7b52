"""What the GPX readers (gpxpy-based and one-pass) share: value bounds and track distance."""

from __future__ import annotations

import numpy as np

from ..metrics.moving import path_distance

ALTITUDE_M = (-1.0e4, 1.0e5)  # plausible altitude [m]
RATE = (0.0, 1000.0)  # cadence [1/min] and heart rate [1/min]

#: Recorded times outside these bounds are damage, not data [s since 1970]:
#: GPS time starts in 1980, and a year-1 or year-9999 point would stretch the
#: weekly table over millennia.
EARLIEST_S, LATEST_S = 315_532_800.0, 4_102_444_800.0  # 1980-01-01, 2100-01-01 UTC


def segment_distance(lat: np.ndarray, lon: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Cumulative 2-D distance [m], not bridging the gap between segments."""
    out = np.zeros(lat.shape)
    offset = 0.0
    for value in np.unique(seg):
        idx = np.flatnonzero(seg == value)
        part = path_distance(lat[idx], lon[idx])
        out[idx] = offset + part
        offset += float(part[-1]) if part.size else 0.0
    return out
