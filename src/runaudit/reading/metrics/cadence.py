"""Running cadence in steps per minute.

FIT stores running cadence per foot (strides per minute) in ``cadence`` plus
``fractional_cadence``; Garmin's GPX/TCX extensions carry the same per-foot
value. Steps per minute (both feet) is twice that. Some apps already write
steps per minute, so the unit is detected from the data: per-foot running
cadence is never above ~120, steps per minute of running are always above it.
"""

from __future__ import annotations

import numpy as np

#: Median above which cadence values are taken to be steps/min already [spm].
SPM_DETECT_MEDIAN = 120.0
#: Slowest cadence still counted as running gait [spm]; below it is walking.
WALK_MAX_SPM = 130.0
#: Highest cadence a runner can produce [spm]; anything above is damaged data.
MAX_PLAUSIBLE_SPM = 400.0
#: Longest gap between two samples still counted as recording [s]; longer is a pause.
MAX_SAMPLE_GAP_S = 30.0


def to_steps_per_minute(raw: np.ndarray) -> np.ndarray:
    """Convert a cadence series to steps per minute (both feet).

    Parameters
    ----------
    raw : numpy.ndarray
        Cadence as the file stores it: per foot [strides/min] (FIT ``cadence +
        fractional_cadence``, ``gpxtpx:cad``, TCX ``RunCadence``) or already
        [steps/min].

    Returns
    -------
    numpy.ndarray
        Cadence [steps/min]; NaN where unknown.

    Examples
    --------
    >>> to_steps_per_minute(np.array([85.5, 86.0])).tolist()
    [171.0, 172.0]
    >>> to_steps_per_minute(np.array([168.0, 172.0])).tolist()
    [168.0, 172.0]
    """
    raw = np.asarray(raw, dtype=float)
    positive = raw[np.isfinite(raw) & (raw > 0)]
    if positive.size and float(np.median(positive)) > SPM_DETECT_MEDIAN:
        return raw.copy()
    return raw * 2.0


def sample_durations(time_s: np.ndarray, max_gap_s: float = MAX_SAMPLE_GAP_S) -> np.ndarray:
    """Return how long each sample stands for [s]: the time to the next sample.

    Irregular "smart recording" intervals are weighted by their real duration;
    a gap longer than ``max_gap_s`` is a pause and weighs nothing; the last
    sample weighs nothing.
    """
    time_s = np.asarray(time_s, dtype=float)
    if time_s.size == 0:
        return np.empty(0)
    dt = np.diff(time_s, append=time_s[-1])
    dt[(dt < 0) | (dt > max_gap_s) | ~np.isfinite(dt)] = 0.0
    return dt


def time_weighted_cadence(
    time_s: np.ndarray, cadence_spm: np.ndarray, *, running_only: bool = False
) -> float:
    """Time-weighted mean cadence [steps/min] over samples with a cadence.

    Zero cadence (standing) and missing values are excluded; with
    ``running_only`` so are walking samples (below :data:`WALK_MAX_SPM`).
    Returns NaN when no sample qualifies.

    >>> time_weighted_cadence(np.array([0.0, 1.0, 4.0, 5.0]), np.array([170.0, 160.0, 0.0, 0.0]))
    162.5
    """
    cadence_spm = np.asarray(cadence_spm, dtype=float)
    weights = sample_durations(time_s)
    floor = WALK_MAX_SPM if running_only else 0.0
    ok = (
        np.isfinite(cadence_spm)
        & (cadence_spm > floor)
        & (cadence_spm < MAX_PLAUSIBLE_SPM)
        & (weights > 0)
    )
    if not ok.any():
        return float("nan")
    return float(np.average(cadence_spm[ok], weights=weights[ok]))


def cadence_histogram(time_s: np.ndarray, cadence_spm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seconds spent at each whole cadence while running.

    Returns
    -------
    bins : numpy.ndarray of int
        Cadence values [steps/min], ascending, running gait only.
    seconds : numpy.ndarray of float
        Time spent at each [s]. Summed over runs, these give a week's
        time-weighted median without keeping every sample.
    """
    cadence_spm = np.asarray(cadence_spm, dtype=float)
    weights = sample_durations(time_s)
    ok = (
        np.isfinite(cadence_spm)
        & (cadence_spm > WALK_MAX_SPM)
        & (cadence_spm < MAX_PLAUSIBLE_SPM)
        & (weights > 0)
    )
    if not ok.any():
        return np.empty(0, dtype=np.int64), np.empty(0)
    rounded = np.rint(cadence_spm[ok]).astype(np.int64)
    bins, inverse = np.unique(rounded, return_inverse=True)
    seconds = np.bincount(inverse, weights=weights[ok])
    return bins, seconds


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Return the weighted median of ``values``; NaN when the weights sum to 0.

    >>> weighted_median(np.array([150, 170, 180]), np.array([1.0, 5.0, 1.0]))
    170.0
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return float("nan")
    order = np.argsort(values[ok], kind="stable")
    v, w = values[ok][order], weights[ok][order]
    cum = np.cumsum(w)
    return float(v[np.searchsorted(cum, cum[-1] / 2.0)])
