"""Distance along a GPS path and moving time."""

from __future__ import annotations

import numpy as np

from runaudit.reading.metrics.cadence import MAX_SAMPLE_GAP_S

EARTH_RADIUS_M = 6_371_008.8
#: Slowest speed still counted as moving [m/s] (a very slow walk is ~0.8 m/s).
MIN_MOVING_SPEED_MPS = 0.5


def path_distance(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Cumulative 2-D great-circle distance along a path [m].

    Samples without a position add nothing; the result has the input's length
    and starts at 0.

    >>> round(float(path_distance(np.array([0.0, 0.0]), np.array([0.0, 0.001]))[-1]), 1)
    111.2
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    out = np.zeros(lat.shape)
    ok = np.isfinite(lat) & np.isfinite(lon)
    idx = np.flatnonzero(ok)
    if idx.size < 2:
        return out
    la, lo = lat[idx], lon[idx]
    dlat, dlon = np.diff(la), np.diff(lo)
    a = np.sin(dlat / 2) ** 2 + np.cos(la[:-1]) * np.cos(la[1:]) * np.sin(dlon / 2) ** 2
    step = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    inc = np.zeros(lat.shape)
    inc[idx[1:]] = step
    return np.cumsum(inc)


def moving_time(
    time_s: np.ndarray,
    distance_m: np.ndarray | None = None,
    speed_mps: np.ndarray | None = None,
    *,
    min_speed_mps: float = MIN_MOVING_SPEED_MPS,
    max_gap_s: float = MAX_SAMPLE_GAP_S,
) -> float:
    """Time spent moving [s], excluding pauses (gaps) and stops.

    An interval between two samples counts when it is no longer than
    ``max_gap_s`` and the speed over it (from the distance covered, else the
    recorded speed) is at least ``min_speed_mps``. Returns NaN when neither
    distance nor speed is known.
    """
    t = np.asarray(time_s, dtype=float)
    if t.size < 2:
        return 0.0 if t.size else float("nan")
    dt = np.diff(t)
    speed = np.full(dt.shape, np.nan)
    if distance_m is not None:
        d = np.asarray(distance_m, dtype=float)
        d = _fill_forward(d)
        with np.errstate(invalid="ignore", divide="ignore"):
            speed = np.diff(d) / dt
    if speed_mps is not None:
        s = np.asarray(speed_mps, dtype=float)[1:]
        speed = np.where(np.isfinite(speed), speed, s)
    if not np.isfinite(speed).any():
        return float("nan")
    moving = (dt > 0) & (dt <= max_gap_s) & np.isfinite(speed) & (speed >= min_speed_mps)
    return float(dt[moving].sum())


def _fill_forward(values: np.ndarray) -> np.ndarray:
    ok = np.isfinite(values)
    if ok.all() or not ok.any():
        return values
    idx = np.where(ok, np.arange(values.size), 0)
    np.maximum.accumulate(idx, out=idx)
    out = values[idx]
    out[: np.argmax(ok)] = np.nan
    return out
