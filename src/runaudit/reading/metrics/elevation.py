"""Ascent, descent and downhill distance from smoothed elevation.

GPS altitude jitters by metres every second; summing raw sample-to-sample
differences turns a flat run into a mountain. Here altitude is first put on a
regular 1-second grid, smoothed with a centred moving average, and then
climbs and drops are counted with a dead band (hysteresis): a change counts
only once the smoothed altitude has moved ``band_m`` from the last turning
point. Real hills keep their full height; the jitter cancels out.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from runaudit.reading.metrics.cadence import MAX_SAMPLE_GAP_S

#: Width of the centred moving average [s].
SMOOTHING_WINDOW_S = 30.0
#: Most points of the resampled altitude grid (longer recordings use a coarser step).
MAX_GRID_POINTS = 400_000
#: Fewest recorded samples the moving average spans (for sparse recordings).
SAMPLES_PER_WINDOW = 10
#: Dead band of the climb/drop counter [m].
HYSTERESIS_M = 2.0
#: Grade at or below which a stretch counts as downhill [fraction, negative = down].
DOWNHILL_GRADE = -0.02
#: Half-width of the window the grade is measured over [s].
GRADE_HALF_WINDOW_S = 30


class ElevationStats(NamedTuple):
    """Elevation summary of one activity.

    Attributes
    ----------
    ascent_m, descent_m : float
        Total climb and drop [m] of the smoothed profile; NaN without altitude.
    downhill_km : float
        Distance covered on a grade of :data:`DOWNHILL_GRADE` or steeper downhill
        [km]; NaN without altitude or distance.
    """

    ascent_m: float
    descent_m: float
    downhill_km: float


def smooth_altitude(
    time_s: np.ndarray, altitude_m: np.ndarray, window_s: float = SMOOTHING_WINDOW_S
) -> tuple[np.ndarray, np.ndarray]:
    """Resample altitude to 1 s and smooth it with a centred moving average.

    Returns
    -------
    grid_s : numpy.ndarray
        Regular times [s since epoch]; pauses longer than the sample gap
        limit are cut out, not interpolated across.
    smoothed_m : numpy.ndarray
        Smoothed altitude [m] on that grid.
    """
    t = np.asarray(time_s, dtype=float)
    alt = np.asarray(altitude_m, dtype=float)
    ok = np.isfinite(t) & np.isfinite(alt)
    t, alt = t[ok], alt[ok]
    if t.size < 2:
        return t, alt
    order = np.argsort(t, kind="stable")
    t, alt = t[order], alt[order]
    # Sparse (smart-recording) files average over as many samples as 1 Hz ones.
    spacing = float(np.median(np.diff(t)))
    window_s = max(window_s, SAMPLES_PER_WINDOW * min(spacing, MAX_SAMPLE_GAP_S))
    # One 1 s grid per stretch of recording: pauses are cut out, not bridged,
    # and the grid never grows beyond the recorded time.
    breaks = np.flatnonzero(np.diff(t) > MAX_SAMPLE_GAP_S) + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [t.size]]) - 1
    span = float(np.sum(t[ends] - t[starts]))
    step = max(1.0, span / MAX_GRID_POINTS)
    grid = np.concatenate(
        [np.arange(t[a], t[b] + step / 2, step) for a, b in zip(starts, ends, strict=True)]
    )
    window_s = window_s / step
    level = np.interp(grid, t, alt)
    return grid, _moving_average(level, round(window_s))


def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    if window <= 1 or values.size < 3:
        return values.copy()
    half = window // 2
    padded = np.concatenate([np.full(half, values[0]), values, np.full(half, values[-1])])
    csum = np.cumsum(np.concatenate([[0.0], padded]))
    return (csum[2 * half + 1 :] - csum[: -2 * half - 1]) / (2 * half + 1)


def climb_and_drop(levels: np.ndarray, band_m: float = HYSTERESIS_M) -> tuple[float, float]:
    """Count total climb and drop [m] of a smoothed profile with a dead band.

    >>> climb_and_drop(np.array([0.0, 1.0, 0.0, 10.0, 3.0, 3.5]))
    (10.0, 7.0)
    """
    ascent = descent = 0.0
    if levels.size == 0:
        return ascent, descent
    ref = float(levels[0])
    for x in levels.tolist():
        if x - ref >= band_m:
            ascent += x - ref
            ref = x
        elif ref - x >= band_m:
            descent += ref - x
            ref = x
    return ascent, descent


def elevation_stats(
    time_s: np.ndarray,
    altitude_m: np.ndarray,
    distance_m: np.ndarray | None = None,
) -> ElevationStats:
    """Ascent, descent [m] and downhill distance [km] of one activity.

    Parameters
    ----------
    time_s : numpy.ndarray
        Sample times [s].
    altitude_m : numpy.ndarray
        Altitude [m], NaN where missing.
    distance_m : numpy.ndarray, optional
        Cumulative distance [m]; needed for ``downhill_km``.

    Examples
    --------
    A flat run with ±2.5 m of GPS jitter has almost no descent:

    >>> rng = np.random.default_rng(1)
    >>> t = np.arange(3600.0)
    >>> flat = 100 + rng.uniform(-2.5, 2.5, t.size)
    >>> elevation_stats(t, flat, t * 3.0).descent_m < 5 * 10.8
    True
    """
    nan = float("nan")
    grid, smooth = smooth_altitude(time_s, altitude_m)
    if grid.size < 2:
        return ElevationStats(nan, nan, nan)
    # The smoothed profile changes slowly: every 5th point keeps the shape.
    ascent, descent = climb_and_drop(smooth[::5] if smooth.size > 10 else smooth)
    downhill = nan
    if distance_m is not None:
        t = np.asarray(time_s, dtype=float)
        d = np.asarray(distance_m, dtype=float)
        ok = np.isfinite(t) & np.isfinite(d)
        if ok.sum() >= 2:
            dist = np.interp(grid, t[ok], d[ok])
            h = GRADE_HALF_WINDOW_S
            if grid.size > 2 * h:
                rise = smooth[2 * h :] - smooth[: -2 * h]
                run = dist[2 * h :] - dist[: -2 * h]
                grade = np.full(grid.size, 0.0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    grade[h:-h] = np.where(run > 5.0, rise / run, 0.0)
                step = np.diff(dist, prepend=dist[0])
                downhill = float(step[grade <= DOWNHILL_GRADE].clip(min=0).sum() / 1000.0)
            else:
                downhill = 0.0
    return ElevationStats(ascent, descent, downhill)
