"""Reduce one parsed activity to the numbers the tables need.

:func:`summarize` is pure: samples in, a flat dict of metrics out, plus the
activity's cadence histogram (seconds per whole steps/min while running),
which lets the weekly table compute a time-weighted median cadence without
holding every sample in memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .metrics.cadence import cadence_histogram, sample_durations, time_weighted_cadence
from .metrics.elevation import elevation_stats
from .metrics.moving import moving_time, path_distance
from .models import ParsedActivity


def summarize(activity: ParsedActivity) -> dict[str, Any]:
    """Compute the per-activity metrics of one parsed activity.

    Returns
    -------
    dict
        ``sport``, ``sub_sport``, ``start_utc`` [s since epoch], ``end_utc`` [s],
        ``utc_offset_s``, ``device``, ``distance_km``, ``moving_time_s``,
        ``elapsed_time_s``, ``ascent_m``, ``descent_m``, ``downhill_km``,
        ``cadence_spm`` (time-weighted mean over samples with a non-zero
        cadence, the device's own convention), ``run_cadence_spm`` (the same over
        running-gait samples only), ``heart_rate_bpm`` (time-weighted mean),
        ``date_known`` (False when the device clock was not set),
        ``has_gps``, ``n_samples``, ``channels`` (how many of position,
        altitude, cadence, heart rate are present), ``cadence_bins`` and
        ``cadence_seconds`` (the running cadence histogram).
    """
    s = activity.samples
    n = int(s["time_s"].size) if "time_s" in s else 0
    nan = float("nan")
    time_s = s.get("time_s", np.empty(0))
    lat, lon = s.get("lat_deg", np.full(n, nan)), s.get("lon_deg", np.full(n, nan))
    has_gps = bool(n and (np.isfinite(lat) & np.isfinite(lon)).sum() >= 2)
    dist = s.get("distance_m", np.full(n, nan))
    if n and not np.isfinite(dist).any() and has_gps:
        dist = path_distance(lat, lon)
    distance_m = activity.distance_m
    if distance_m is None or not distance_m > 0:
        finite = dist[np.isfinite(dist)] if n else np.empty(0)
        distance_m = float(finite.max() - finite.min()) if finite.size else nan
    elapsed = activity.elapsed_time_s
    if elapsed is None:
        elapsed = float(time_s[-1] - time_s[0]) if n else nan
    moving = moving_time(time_s, dist, s.get("speed_mps")) if n else nan
    if not np.isfinite(moving):
        moving = activity.timer_time_s if activity.timer_time_s is not None else elapsed
    alt = s.get("altitude_m", np.full(n, nan))
    finite_alt = alt[np.isfinite(alt)]
    if finite_alt.size and not finite_alt.any():
        alt = np.full(n, nan)  # every altitude exactly 0: the file has none, not a flat sea
    elev = elevation_stats(time_s, alt, dist if np.isfinite(dist).any() else None)
    ascent, descent = elev.ascent_m, elev.descent_m
    if not np.isfinite(descent) and activity.descent_m is not None:
        ascent = activity.ascent_m if activity.ascent_m is not None else nan
        descent = activity.descent_m
    cadence = s.get("cadence_spm", np.full(n, nan))
    bins, seconds = cadence_histogram(time_s, cadence)
    hr = s.get("heart_rate_bpm", np.full(n, nan))
    weights = sample_durations(time_s)
    hr_ok = np.isfinite(hr) & (hr > 0) & (weights > 0)
    channels = sum(
        (
            has_gps,
            bool(np.isfinite(alt).any()),
            bool(np.isfinite(cadence).any()),
            bool(hr_ok.any()),
        )
    )
    start = activity.start_utc
    end = float(time_s[-1]) if n else start + (elapsed if np.isfinite(elapsed) else 0.0)
    return {
        "sport": activity.sport,
        "sub_sport": activity.sub_sport,
        "start_utc": float(start),
        "end_utc": max(float(end), float(start)),
        "utc_offset_s": activity.utc_offset_s,
        "device": activity.device,
        "distance_km": distance_m / 1000.0,
        "moving_time_s": float(moving),
        "elapsed_time_s": float(elapsed),
        "ascent_m": float(ascent),
        "descent_m": float(descent),
        "downhill_km": float(elev.downhill_km),
        "cadence_spm": time_weighted_cadence(time_s, cadence),
        "run_cadence_spm": time_weighted_cadence(time_s, cadence, running_only=True),
        "heart_rate_bpm": float(np.average(hr[hr_ok], weights=weights[hr_ok]))
        if hr_ok.any()
        else nan,
        "has_gps": has_gps,
        "n_samples": n,
        "channels": int(channels),
        "date_known": bool(activity.date_known),
        "cadence_bins": [int(b) for b in bins],
        "cadence_seconds": [float(x) for x in seconds],
    }
