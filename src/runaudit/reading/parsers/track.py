"""What the GPX and TCX readers (general and one-pass) share: value bounds, distance, results."""

from __future__ import annotations

import numpy as np

from runaudit.reading.metrics.cadence import to_steps_per_minute
from runaudit.reading.metrics.moving import path_distance
from runaudit.reading.models import ParsedActivity, ParsedFile

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


def gpx_track_file(
    columns: tuple[np.ndarray, ...],
    sport: tuple[str | None, str | None],
    device: str | None,
) -> ParsedFile:
    """One GPX track's point columns to the :class:`ParsedFile` both GPX readers return.

    Parameters
    ----------
    columns : tuple of numpy.ndarray
        ``(time_s, lat_deg, lon_deg, altitude_m, cadence, heart_rate_bpm,
        segment)``, one value per timestamped point in file order: time [s
        since 1970 UTC], position [deg], altitude [m], cadence as the file
        writes it [1/min, per foot or steps], heart rate [1/min], and the
        point's segment number (increasing in file order).
    sport : (str or None, str or None)
        Sport and sub-sport of the first track that names one.
    device : str or None
        The file's ``creator``.

    Returns
    -------
    ParsedFile
        One activity: the points sorted by time (stable), distance [m]
        measured along each segment, cadence in steps per minute.
    """
    order = np.argsort(columns[0], kind="stable")
    time_s, lat, lon, alt, cad, hr, seg = (np.asarray(c, dtype=float)[order] for c in columns)
    distance = segment_distance(lat, lon, seg)
    samples = {
        "time_s": time_s,
        "lat_deg": lat,
        "lon_deg": lon,
        "altitude_m": alt,
        "distance_m": distance,
        "speed_mps": np.full(time_s.shape, np.nan),
        "cadence_spm": to_steps_per_minute(cad),
        "heart_rate_bpm": hr,
    }
    activity = ParsedActivity(
        sport=sport[0],
        sub_sport=sport[1],
        start_utc=float(time_s[0]),
        distance_m=float(distance[-1]),
        elapsed_time_s=float(time_s[-1] - time_s[0]),
        device=device,
        samples=samples,
    )
    return ParsedFile("gpx", "activity", "gpx", [activity], [])


def tcx_activity(
    columns: tuple[np.ndarray, ...],
    sport: tuple[str | None, str | None],
    lap_distance_m: float | None,
    lap_time_s: float,
    device: str | None = None,
) -> ParsedActivity:
    """One TCX activity's trackpoint columns to the :class:`ParsedActivity` both readers return.

    Parameters
    ----------
    columns : tuple of numpy.ndarray
        ``(time_s, lat_deg, lon_deg, altitude_m, distance_m, speed_mps,
        cadence, heart_rate_bpm)``, one value per timestamped trackpoint in
        file order (NaN where missing): time [s since 1970 UTC], position
        [deg], altitude [m], the point's own cumulative distance [m], speed
        [m/s], cadence as written [1/min] and heart rate [1/min].
    sport : (str or None, str or None)
        From the activity's ``Sport`` attribute.
    lap_distance_m : float or None
        The laps' ``DistanceMeters`` summed [m], None when no lap has one.
    lap_time_s : float
        The laps' ``TotalTimeSeconds`` summed [s] (0 when none).
    device : str or None
        The activity's ``<Creator><Name>`` (``PELOTON``, ``Forerunner 920XT``).

    Returns
    -------
    ParsedActivity
        The points sorted by time (stable); distance from the points' own
        values, else the GPS path; the total from the laps, else the largest
        point distance.
    """
    order = np.argsort(columns[0], kind="stable")
    time_s, lat, lon, alt, dist, speed, cad, hr = (
        np.asarray(c, dtype=float)[order] for c in columns
    )
    if not np.isfinite(dist).any():
        dist = path_distance(lat, lon)
    finite = dist[np.isfinite(dist)]
    total = (
        lap_distance_m
        if lap_distance_m is not None
        else (float(finite.max()) if finite.size else None)
    )
    return ParsedActivity(
        sport=sport[0],
        sub_sport=sport[1],
        start_utc=float(time_s[0]),
        distance_m=total,
        timer_time_s=lap_time_s or None,
        elapsed_time_s=float(time_s[-1] - time_s[0]),
        device=device,
        samples={
            "time_s": time_s,
            "lat_deg": lat,
            "lon_deg": lon,
            "altitude_m": alt,
            "distance_m": dist,
            "speed_mps": speed,
            "cadence_spm": to_steps_per_minute(cad),
            "heart_rate_bpm": hr,
        },
    )
