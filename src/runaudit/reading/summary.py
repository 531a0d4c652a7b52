"""Reduce one parsed activity to the numbers the tables need.

:func:`summarize` is pure: samples in, a frozen :class:`ActivitySummary` out,
carrying the activity's cadence histogram (seconds per whole steps/min while running),
which lets the weekly table compute a time-weighted median cadence without
holding every sample in memory.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from runaudit.reading.metrics.cadence import (
    cadence_histogram,
    sample_durations,
    time_weighted_cadence,
)
from runaudit.reading.metrics.elevation import elevation_stats
from runaudit.reading.metrics.moving import moving_time, path_distance
from runaudit.reading.models import ParsedActivity


@dataclass(frozen=True)
class ActivitySummary:
    """The per-activity metrics of one parsed activity (no samples).

    Attributes
    ----------
    sport, sub_sport : str or None
        As the file states them (normalised names), None when it does not.
    start_utc, end_utc : float
        First and last sample [s since the Unix epoch, UTC].
    utc_offset_s : int or None
        The file's own local-time offset [s], None when it states none.
    device : str or None
    distance_km : float
        NaN when the file holds no distance and no positions.
    moving_time_s, elapsed_time_s : float
        [s].
    ascent_m, descent_m : float
        Smoothed elevation gain and loss [m]; NaN without altitude.
    downhill_km : float
        Distance run on downhill grades [km].
    cadence_spm : float
        Time-weighted mean over samples with a non-zero cadence (the device's
        own convention) [steps/min]; NaN without cadence.
    run_cadence_spm : float
        The same over running-gait samples only [steps/min].
    heart_rate_bpm : float
        Time-weighted mean [beats/min]; NaN without heart rate.
    has_gps : bool
    n_samples : int
    channels : int
        How many of position, altitude, cadence and heart rate are present (0-4).
    date_known : bool
        False when the device clock was never set.
    cadence_bins : tuple of int
        Whole steps/min of the running cadence histogram.
    cadence_seconds : tuple of float
        Seconds spent at each of ``cadence_bins`` [s].
    """

    sport: str | None
    sub_sport: str | None
    start_utc: float
    end_utc: float
    utc_offset_s: int | None
    device: str | None
    distance_km: float
    moving_time_s: float
    elapsed_time_s: float
    ascent_m: float
    descent_m: float
    downhill_km: float
    cadence_spm: float
    run_cadence_spm: float
    heart_rate_bpm: float
    has_gps: bool
    n_samples: int
    channels: int
    date_known: bool
    cadence_bins: tuple[int, ...]
    cadence_seconds: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict (the cache's stored form)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["cadence_bins"] = list(self.cadence_bins)
        out["cadence_seconds"] = list(self.cadence_seconds)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ActivitySummary:
        """Rebuild a summary from :meth:`to_dict`'s form (unknown keys are ignored).

        Raises ``KeyError`` or ``TypeError`` when a field is missing or malformed.
        """
        values = {name: data[name] for name in _FIELD_NAMES}  # unknown keys ignored
        values["cadence_bins"] = tuple(int(b) for b in values["cadence_bins"])
        values["cadence_seconds"] = tuple(float(x) for x in values["cadence_seconds"])
        nan = float("nan")
        for name in _FLOAT_FIELDS:
            value = values[name]
            values[name] = nan if value is None else float(value)  # JSON has no NaN: null
        return cls(**values)


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(ActivitySummary))
_FLOAT_FIELDS = tuple(
    f.name for f in dataclasses.fields(ActivitySummary) if f.type in ("float", float)
)


def summarize_other_sport(activity: ParsedActivity) -> ActivitySummary:
    """The few numbers an activity of another sport needs: start, duration, distance.

    For a file that states a sport other than running
    (:func:`~runaudit.reading.sports.is_other_sport`): it only ever lands in the
    ``other_sport`` bucket, so no elevation, cadence or heart-rate statistics
    are computed (NaN, no cadence histogram), and its samples may be absent
    (a FIT file read from its session message alone).

    Returns
    -------
    ActivitySummary
        ``start_utc``/``end_utc`` [s], ``elapsed_time_s`` and ``moving_time_s``
        (the timer time, else the elapsed time) [s], ``distance_km`` [km].
    """
    s = activity.samples
    time_s = s.get("time_s", np.empty(0))
    n = int(time_s.size)
    nan = float("nan")
    distance_m = activity.distance_m
    if distance_m is None or not distance_m > 0:
        dist = s.get("distance_m", np.empty(0))
        finite = dist[np.isfinite(dist)]
        distance_m = float(finite.max() - finite.min()) if finite.size else nan
    elapsed = activity.elapsed_time_s
    if elapsed is None:
        elapsed = float(time_s[-1] - time_s[0]) if n else nan
    moving = activity.timer_time_s if activity.timer_time_s is not None else elapsed
    lat, lon = s.get("lat_deg"), s.get("lon_deg")
    has_gps = bool(
        n
        and lat is not None
        and lon is not None
        and (np.isfinite(lat) & np.isfinite(lon)).sum() > 1
    )
    start = activity.start_utc
    end = float(time_s[-1]) if n else start + (elapsed if np.isfinite(elapsed) else 0.0)
    return ActivitySummary(
        sport=activity.sport,
        sub_sport=activity.sub_sport,
        start_utc=float(start),
        end_utc=max(float(end), float(start)),
        utc_offset_s=activity.utc_offset_s,
        device=activity.device,
        distance_km=float(distance_m) / 1000.0,
        moving_time_s=float(moving),
        elapsed_time_s=float(elapsed),
        ascent_m=float(activity.ascent_m) if activity.ascent_m is not None else nan,
        descent_m=float(activity.descent_m) if activity.descent_m is not None else nan,
        downhill_km=nan,
        cadence_spm=nan,
        run_cadence_spm=nan,
        heart_rate_bpm=nan,
        has_gps=has_gps,
        n_samples=n,
        channels=int(has_gps),
        date_known=bool(activity.date_known),
        cadence_bins=(),
        cadence_seconds=(),
    )


def summarize(activity: ParsedActivity) -> ActivitySummary:
    """Compute the per-activity metrics of one parsed activity.

    Returns
    -------
    ActivitySummary
        Units and meanings as its attributes state.
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
    return ActivitySummary(
        sport=activity.sport,
        sub_sport=activity.sub_sport,
        start_utc=float(start),
        end_utc=max(float(end), float(start)),
        utc_offset_s=activity.utc_offset_s,
        device=activity.device,
        distance_km=float(distance_m) / 1000.0,
        moving_time_s=float(moving),
        elapsed_time_s=float(elapsed),
        ascent_m=float(ascent),
        descent_m=float(descent),
        downhill_km=float(elev.downhill_km),
        cadence_spm=float(time_weighted_cadence(time_s, cadence)),
        run_cadence_spm=float(time_weighted_cadence(time_s, cadence, running_only=True)),
        heart_rate_bpm=float(np.average(hr[hr_ok], weights=weights[hr_ok])) if hr_ok.any() else nan,
        has_gps=has_gps,
        n_samples=n,
        channels=int(channels),
        date_known=bool(activity.date_known),
        cadence_bins=tuple(int(b) for b in bins),
        cadence_seconds=tuple(float(x) for x in seconds),
    )
