"""Realistic synthetic activity files (FIT, GPX, TCX) for tests and demos.

:func:`make_run` simulates one recorded activity second by second and returns a
:class:`SyntheticRun` holding the samples a watch would store, together with
the noise-free truth (distance, elevation profile, pauses, walking breaks).
The writers turn a run into files the way real devices and services do:

* :func:`write_fit` -- a Garmin activity file, encoded with Garmin's official
  FIT SDK (``garmin_fit_sdk.Encoder``, the ``demo`` extra:
  ``pip install 'runaudit[demo]'``; imported only when a FIT file is written,
  so the GPX/TCX writers and :func:`make_run` work without it);
* :func:`write_fit_non_activity` -- the monitoring / settings / sleep files
  that fill a Garmin Connect export;
* :func:`write_gpx` -- a Strava style GPX 1.1 file written with gpxpy, with
  Garmin's TrackPointExtension (``gpxtpx:hr``, ``gpxtpx:cad``);
* :func:`write_tcx` -- a Garmin TCX file built with :mod:`xml.etree.ElementTree`.

Everything is deterministic: the same arguments (including ``seed``) give
byte-identical files.

Examples
--------
>>> from datetime import datetime, timezone
>>> run = make_run(datetime(2026, 5, 5, 4, 30, tzinfo=timezone.utc), 5.0, seed=1)
>>> round(run.distance_m, 3)
5000.0
>>> list(run.samples.columns)[:3]
['elapsed_s', 'lat_deg', 'lon_deg']
"""

from __future__ import annotations

import gzip as gzip_module
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "SYNTH_COLUMNS",
    "ElevationProfile",
    "SyntheticRun",
    "fit_bytes",
    "hill_profile",
    "make_run",
    "write_fit",
    "write_fit_non_activity",
    "write_gpx",
    "write_tcx",
]

#: Height above the base altitude [m] as a function of cumulative distance [m].
ElevationProfile = Callable[[np.ndarray], np.ndarray]

SYNTH_COLUMNS = (
    "elapsed_s",
    "lat_deg",
    "lon_deg",
    "altitude_m",
    "distance_m",
    "speed_mps",
    "cadence_spm",
    "heart_rate_bpm",
)

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius [m]
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
SEMICIRCLES_PER_DEGREE = 2**31 / 180.0
FOOT_SPORTS = frozenset({"running", "walking", "hiking"})
GPX_TPX_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
TCX_AX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# Garmin product ids (FIT profile ``garmin_product``) for the device names used here.
_GARMIN_PRODUCTS = {
    "Forerunner 265": 4257,
    "Forerunner 255": 3992,
    "Forerunner 245": 3076,
    "Forerunner 965": 4315,
    "Edge 530": 3121,
}
_SERIAL_NUMBER = 3_456_789_012
# Smart recording: gaps between stored samples [s] and how often each occurs.
_SMART_GAPS = np.arange(1, 9)
_SMART_P = np.array([0.06, 0.14, 0.20, 0.20, 0.16, 0.12, 0.07, 0.05])


@dataclass(frozen=True, eq=False)
class SyntheticRun:
    """One simulated activity: what the device stored plus the noise-free truth.

    Attributes
    ----------
    start_utc : datetime
        Start of the recording (timezone-aware, UTC, whole seconds).
    samples : pandas.DataFrame
        One row per stored sample with columns ``elapsed_s`` [s since start,
        pauses included], ``lat_deg``, ``lon_deg`` [deg, NaN without GPS],
        ``altitude_m`` [m, NaN without altimeter; includes the simulated
        noise], ``distance_m`` [m, true cumulative distance], ``speed_mps``
        [m/s], ``cadence_spm`` [steps/min, both feet; crank rpm for cycling],
        ``heart_rate_bpm`` [1/min].
    sport, sub_sport : str
        FIT sport names, e.g. ``"running"`` / ``"treadmill"``.
    utc_offset_s : int
        Local wall clock minus UTC at the start [s].
    device : str
        Recording device name.
    pauses : tuple of (float, float)
        ``(at_elapsed_s, duration_s)`` of each timer pause [s].
    walk_segments : tuple of (float, float, float, float)
        ``(at_elapsed_s, duration_s, cadence_spm, speed_mps)`` walking breaks.
    profile : callable or None
        Noise-free height above ``base_altitude_m`` [m] as a function of
        distance [m]; None when the run has no altitude.
    base_altitude_m : float or None
        Altitude of the profile's zero [m].
    """

    start_utc: datetime
    samples: pd.DataFrame
    sport: str = "running"
    sub_sport: str = "generic"
    utc_offset_s: int = 0
    device: str = "Forerunner 265"
    pauses: tuple[tuple[float, float], ...] = ()
    walk_segments: tuple[tuple[float, float, float, float], ...] = ()
    profile: ElevationProfile | None = None
    base_altitude_m: float | None = None

    @property
    def distance_m(self) -> float:
        """True distance covered by the stored samples [m]."""
        return float(self.samples["distance_m"].iloc[-1])

    @property
    def duration_s(self) -> float:
        """Elapsed time from the first to the last sample, pauses included [s]."""
        return float(self.samples["elapsed_s"].iloc[-1])

    @property
    def timer_time_s(self) -> float:
        """Timer (moving) time: elapsed time minus pauses within the samples [s]."""
        end = self.duration_s
        return end - sum(d for at, d in self.pauses if at < end)

    @property
    def end_utc(self) -> datetime:
        """Time of the last sample (UTC)."""
        return self.start_utc + timedelta(seconds=self.duration_s)

    @property
    def ascent_m(self) -> float:
        """True ascent of the noise-free profile over the stored distance [m]."""
        return self._climb()[0]

    @property
    def descent_m(self) -> float:
        """True descent of the noise-free profile over the stored distance [m]."""
        return self._climb()[1]

    @property
    def cadence_spm(self) -> float:
        """Time-weighted mean cadence of the non-walking samples [steps/min].

        Each sample is weighted by the timer time until the next sample; the
        last sample, pauses and walking breaks get no weight.
        """
        w = self.sample_weights_s(running_only=True)
        cad = self.samples["cadence_spm"].to_numpy(dtype=float)
        return float(np.sum(w * cad) / np.sum(w)) if np.sum(w) > 0 else math.nan

    def sample_weights_s(self, *, running_only: bool = True) -> np.ndarray:
        """Timer time each sample stands for [s] (time until the next sample).

        Parameters
        ----------
        running_only : bool
            Give walking-break samples zero weight.

        Returns
        -------
        numpy.ndarray
            One weight per sample [s]; zero across pauses and for the last sample.
        """
        t = self.samples["elapsed_s"].to_numpy(dtype=float)
        moving = _moving_time(t, self.pauses)
        w = np.append(np.diff(moving), 0.0)
        if running_only:
            w = np.where(self.walking_mask(), 0.0, w)
        return w

    def walking_mask(self) -> np.ndarray:
        """Boolean array: sample lies inside a walking break."""
        t = self.samples["elapsed_s"].to_numpy(dtype=float)
        mask = np.zeros(t.size, dtype=bool)
        for at, dur, _cad, _speed in self.walk_segments:
            mask |= (t >= at) & (t < at + dur)
        return mask

    def head(self, n: int) -> SyntheticRun:
        """The same run keeping only its first ``n`` samples (a cut-off recording)."""
        return replace(self, samples=self.samples.iloc[:n].reset_index(drop=True))

    def _climb(self) -> tuple[float, float]:
        if self.profile is None:
            return 0.0, 0.0
        grid = np.append(np.arange(0.0, self.distance_m, 1.0), self.distance_m)
        dh = np.diff(np.asarray(self.profile(grid), dtype=float))
        return float(dh[dh > 0].sum()), float(-dh[dh < 0].sum())


def hill_profile(distance_m: float, climb_m: float) -> ElevationProfile:
    """One smooth hill: up ``climb_m`` to half distance, then back down.

    Parameters
    ----------
    distance_m : float
        Length of the run [m].
    climb_m : float
        Height of the hill [m]; ascent and descent both equal it.

    Returns
    -------
    callable
        Height above the start [m] as a function of distance [m].
    """

    def profile(d: np.ndarray) -> np.ndarray:
        return climb_m * 0.5 * (1.0 - np.cos(2.0 * np.pi * np.asarray(d) / distance_m))

    return profile


def make_run(
    start_utc: datetime,
    distance_km: float,
    *,
    pace_s_per_km: float = 330.0,
    cadence_spm: float = 170.0,
    cadence_sd: float = 2.0,
    climb_m: float | ElevationProfile = 0.0,
    base_altitude_m: float | None = 400.0,
    alt_noise_m: float = 0.0,
    gps: bool = True,
    interval_s: float | str = 1.0,
    pauses: Sequence[tuple[float, float]] = (),
    walk_segments: Sequence[tuple[float, float, float, float]] = (),
    origin: tuple[float, float] = (47.9959, 7.8522),
    route: str = "loop",
    sport: str = "running",
    sub_sport: str = "generic",
    utc_offset_s: int = 0,
    device: str = "Forerunner 265",
    seed: int = 0,
) -> SyntheticRun:
    """Simulate one recorded activity.

    The body moves second by second along a smooth route whose 2-D length is
    exactly ``distance_km``; speed varies slowly around the flat pace, slows
    uphill and speeds up a little downhill. The recording is then sampled
    like a watch does (every ``interval_s`` seconds or "smart" recording).

    Parameters
    ----------
    start_utc : datetime
        Start time, timezone-aware (converted to UTC; sub-seconds dropped).
    distance_km : float
        True distance [km]; the last sample's ``distance_m`` equals it.
    pace_s_per_km : float
        Pace on flat ground while running [s/km].
    cadence_spm : float
        Mean running cadence [steps/min, both feet]; for cycling the crank
        cadence [rpm]. Samples are whole numbers, as watches store them.
    cadence_sd : float
        Standard deviation of the slowly varying cadence noise [steps/min].
    climb_m : float or callable
        Height of one hill climbed and descended over the run [m]
        (see :func:`hill_profile`), or a profile callable mapping distance
        [m] to height above ``base_altitude_m`` [m].
    base_altitude_m : float or None
        Altitude of the start [m]; None records no altitude (NaN).
    alt_noise_m : float
        Standard deviation of independent Gaussian altitude noise added to
        every stored sample [m] (GPS altitude jitter; 2 m gives roughly the
        usual +-2-3 m). Zero for a clean barometric trace.
    gps : bool
        Record positions; False leaves ``lat_deg``/``lon_deg`` NaN (treadmill).
    interval_s : float or "smart"
        Recording interval: a whole number of seconds, or ``"smart"`` for
        Garmin smart recording (irregular gaps of 1-8 s).
    pauses : sequence of (float, float)
        ``(at_elapsed_s, duration_s)`` [s]: the timer was stopped; no samples
        are stored inside a pause, one is stored as it stops and one as it
        resumes.
    walk_segments : sequence of (float, float, float, float)
        ``(at_elapsed_s, duration_s, cadence_spm, speed_mps)``: walking breaks.
    origin : (float, float)
        Start position (latitude, longitude) [deg].
    route : {"loop", "out_and_back"}
        Shape of the route.
    sport, sub_sport : str
        FIT sport names (``"running"``, ``"cycling"``; ``"generic"``,
        ``"treadmill"``, ``"road"``, ``"trail"``...).
    utc_offset_s : int
        Local wall clock minus UTC [s].
    device : str
        Device name written into the files.
    seed : int
        Seed of the numpy random generator.

    Returns
    -------
    SyntheticRun
    """
    if distance_km <= 0 or pace_s_per_km <= 0:
        raise ValueError("distance_km and pace_s_per_km must be positive")
    if start_utc.tzinfo is None:
        raise ValueError("start_utc must be timezone-aware")
    rng = np.random.default_rng(seed)
    dist_total = float(distance_km) * 1000.0
    profile = climb_m if callable(climb_m) else hill_profile(dist_total, float(climb_m))
    pause_list = sorted((float(a), float(d)) for a, d in pauses)
    walks = sorted(tuple(float(x) for x in w) for w in walk_segments)
    walk_list = [(w[0], w[1], w[2], w[3]) for w in walks]
    for at, dur, *_ in walk_list:
        if any(at - pd < pa < at + dur for pa, pd in pause_list):
            raise ValueError("a pause may not overlap a walking break")

    # --- simulate every timer second -------------------------------------
    v0 = 1000.0 / pace_s_per_km
    v_min = min([0.5 * v0] + [w[3] for w in walk_list])
    n_cap = int(dist_total / v_min) + int(sum(w[1] for w in walk_list)) + 16
    speed_noise = _smooth_noise(rng, n_cap, 60)
    cad_noise = _smooth_noise(rng, n_cap, 20)
    hr_noise = _smooth_noise(rng, n_cap, 30)
    walking = np.zeros(n_cap, dtype=bool)
    walk_speed = np.zeros(n_cap)
    walk_cad = np.zeros(n_cap)
    for at, dur, cad, spd in walk_list:
        start = round(_moving_time(np.array([at]), pause_list)[0])
        walking[start : start + int(dur)] = True
        walk_speed[start : start + int(dur)] = spd
        walk_cad[start : start + int(dur)] = cad
    grid = np.arange(0.0, dist_total + 2.0, 1.0)
    grade = np.gradient(np.asarray(profile(grid), dtype=float))
    foot = sport in FOOT_SPORTS
    k_grade, lo, hi = (3.0, 0.45, 1.2) if foot else (6.0, 0.45, 1.6)
    grade_l = grade.tolist()
    noise_l = speed_noise.tolist()
    walking_l = walking.tolist()
    dist = np.zeros(n_cap)
    speed = np.zeros(n_cap)
    g_at = np.zeros(n_cap)
    d = 0.0
    k_end = -1
    for k in range(n_cap - 1):
        g = grade_l[min(int(d), len(grade_l) - 1)]
        if walking_l[k]:
            v = float(walk_speed[k])
        else:
            v = v0 * min(max(1.0 - k_grade * g, lo), hi) * (1.0 + 0.03 * noise_l[k])
        speed[k], dist[k], g_at[k] = v, d, g
        if d + v >= dist_total:
            k_end = k + 1
            dist[k_end], speed[k_end], g_at[k_end] = dist_total, v, g
            break
        d += v
    if k_end < 0:  # pragma: no cover - n_cap is generous
        raise RuntimeError("simulation did not reach the distance")
    n = k_end + 1
    dist, speed, walking, g_at = dist[:n], speed[:n], walking[:n], g_at[:n]
    cadence = np.round(
        np.where(walking, walk_cad[:n], cadence_spm) + cadence_sd * cad_noise[:n]
    ).astype(float)
    tau = np.arange(n, dtype=float)
    effort = np.clip(np.where(walking, 0.75, 1.0) + 4.0 * g_at, 0.7, 1.3)
    hr_base = 96.0 if foot else 88.0
    hr_steady = (146.0 if foot else 132.0) * effort**0.6
    hr_raw = hr_base + (hr_steady - hr_base) * (1.0 - np.exp(-tau / 150.0))
    hr = np.round(np.clip(hr_raw + tau / 600.0 + 2.0 * hr_noise[:n], 60.0, 200.0))

    # --- which timer seconds are stored, and when (elapsed) --------------
    pause_tau = [a - sum(d2 for a2, d2 in pause_list if a2 < a) for a, _ in pause_list]
    if any(pt <= 0 or pt >= n - 1 for pt in pause_tau):
        raise ValueError("every pause must fall inside the run")
    if interval_s == "smart":
        gaps = rng.choice(_SMART_GAPS, size=n, p=_SMART_P)
        stored = np.cumsum(np.concatenate([[0], gaps]))
        stored = stored[stored < n - 1]
    elif isinstance(interval_s, int | float) and interval_s >= 1 and interval_s % 1 == 0:
        stored = np.arange(0, n - 1, int(interval_s))
    else:
        raise ValueError('interval_s must be a whole number of seconds >= 1 or "smart"')
    stops = np.array([round(pt) for pt in pause_tau], dtype=int)
    stored = np.unique(np.concatenate([stored, stops, [n - 1]])).astype(int)
    # elapsed = timer time + pauses before it; a pause point is stored twice
    pause_before = np.zeros(stored.size)
    for pt, (_a, dur) in zip(pause_tau, pause_list, strict=True):
        pause_before += np.where(stored > pt, dur, 0.0)
    idx = list(stored)
    elapsed = list(stored + pause_before)
    for pt, (a, dur) in zip(pause_tau, pause_list, strict=True):
        pos = idx.index(round(pt))
        idx.insert(pos + 1, round(pt))
        elapsed.insert(pos + 1, a + dur)
    sel = np.array(idx, dtype=int)
    elapsed_arr = np.round(np.array(elapsed, dtype=float))

    # --- position and altitude -------------------------------------------
    d_sel = dist[sel]
    if gps:
        lat, lon = _route_positions(d_sel, dist_total, origin, route, rng)
    else:
        lat = lon = np.full(sel.size, np.nan)
    if base_altitude_m is None:
        alt = np.full(sel.size, np.nan)
    else:
        alt = base_altitude_m + np.asarray(profile(d_sel), dtype=float)
        if alt_noise_m > 0:
            alt = alt + rng.normal(0.0, alt_noise_m, sel.size)
    samples = pd.DataFrame(
        {
            "elapsed_s": elapsed_arr,
            "lat_deg": lat,
            "lon_deg": lon,
            "altitude_m": alt,
            "distance_m": d_sel,
            "speed_mps": speed[sel],
            "cadence_spm": cadence[sel],
            "heart_rate_bpm": hr[sel],
        }
    )
    return SyntheticRun(
        start_utc=start_utc.astimezone(UTC).replace(microsecond=0),
        samples=samples,
        sport=sport,
        sub_sport=sub_sport,
        utc_offset_s=int(utc_offset_s),
        device=device,
        pauses=tuple(pause_list),
        walk_segments=tuple(walk_list),
        profile=None if base_altitude_m is None else profile,
        base_altitude_m=base_altitude_m,
    )


def _smooth_noise(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """Slowly varying noise with unit standard deviation (Gaussian-filtered)."""
    white = rng.normal(size=n + 6 * width)
    x = np.arange(-3 * width, 3 * width + 1)
    kernel = np.exp(-0.5 * (x / (width / 2.0)) ** 2)
    smooth = np.convolve(white, kernel / kernel.sum(), mode="same")[3 * width : 3 * width + n]
    sd = smooth.std()
    return smooth / sd if sd > 0 else smooth


def _moving_time(elapsed: np.ndarray, pauses: Sequence[tuple[float, float]]) -> np.ndarray:
    """Timer time [s] at each elapsed time [s] (pauses removed)."""
    out = np.asarray(elapsed, dtype=float).copy()
    for at, dur in pauses:
        out -= np.clip(np.asarray(elapsed, dtype=float) - at, 0.0, dur)
    return out


def _route_positions(
    d: np.ndarray,
    total_m: float,
    origin: tuple[float, float],
    route: str,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Latitude/longitude [deg] at distances ``d`` [m] along a route of ``total_m``."""
    heading = rng.uniform(0.0, 2.0 * np.pi)
    if route == "loop":
        a2, a3 = rng.uniform(0.08, 0.18), rng.uniform(0.02, 0.06)
        p2, p3 = rng.uniform(0.0, 2.0 * np.pi, 2)
        th = np.linspace(0.0, 2.0 * np.pi, 8193)
        r = 1.0 + a2 * np.sin(2 * th + p2) + a3 * np.sin(3 * th + p3)
        x, y = r * np.cos(th), r * np.sin(th)
        x, y = x - x[0], y - y[0]
    elif route == "out_and_back":
        turn_r = 10.0 / total_m  # 10 m turnaround, in units of the total length
        half = (1.0 - np.pi * turn_r) / 2.0
        out_leg = np.linspace(0.0, half, 2000)
        arc = np.linspace(-np.pi / 2, np.pi / 2, 200)
        x = np.concatenate([out_leg, half + turn_r * np.cos(arc), out_leg[::-1]])
        y = np.concatenate(
            [np.zeros(2000), turn_r + turn_r * np.sin(arc), 2 * turn_r * np.ones(2000)]
        )
    else:
        raise ValueError(f"unknown route {route!r}")
    seg = np.hypot(np.diff(x), np.diff(y))
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    scale = total_m / cum[-1]
    xs = np.interp(d, cum * scale, x * scale)
    ys = np.interp(d, cum * scale, y * scale)
    east = xs * np.cos(heading) - ys * np.sin(heading)
    north = xs * np.sin(heading) + ys * np.cos(heading)
    lat0, lon0 = origin
    lat = lat0 + np.degrees(north / EARTH_RADIUS_M)
    lon = lon0 + np.degrees(east / (EARTH_RADIUS_M * np.cos(np.radians(lat0))))
    return lat, lon


# ----------------------------------------------------------------------------- FIT


def _fit_time(dt: datetime) -> int:
    """Seconds since the FIT epoch (1989-12-31 00:00 UTC) [s]."""
    return int((dt - FIT_EPOCH).total_seconds())


def _split_cadence(spm: float, foot: bool) -> tuple[int, float]:
    """FIT cadence fields: (whole strides or rpm, fractional part)."""
    if not foot:
        return round(spm), 0.0
    strides = spm / 2.0
    whole = math.floor(strides)
    return whole, strides - whole


def _write_device_header(
    encoder: Any,
    num: dict[str, int],
    t0: int,
    *,
    file_id: dict[str, Any],
    device: dict[str, Any],
    creator: bool,
) -> None:
    """file_id (+ file_creator) and the creator's device_info, as a Garmin watch writes them.

    ``file_id`` and ``device`` add to (and order after) the common fields;
    field order is kept so encoded files stay byte-identical.
    """
    ident = {"type": file_id["type"], "manufacturer": "garmin", "product": file_id["product"]}
    ident |= {"serial_number": _SERIAL_NUMBER, "time_created": t0}
    ident |= {k: v for k, v in file_id.items() if k not in ident}
    encoder.on_mesg(num["FILE_ID"], ident)
    if creator:
        encoder.on_mesg(num["FILE_CREATOR"], {"software_version": 1918})
    info = {"timestamp": t0, "device_index": "creator", "manufacturer": "garmin", **device}
    info |= {"serial_number": _SERIAL_NUMBER, "software_version": 19.18}
    encoder.on_mesg(num["DEVICE_INFO"], info)


#: What to install when the FIT writers are used without Garmin's FIT SDK.
FIT_SDK_MISSING = "writing FIT files needs garmin-fit-sdk: pip install 'runaudit[demo]'"


def _fit_sdk() -> tuple[Any, Any]:
    """Garmin's FIT SDK ``(Encoder, Profile)``, imported when a FIT file is written.

    Raises
    ------
    ImportError
        Naming the ``demo`` extra, when ``garmin-fit-sdk`` is not installed.
    """
    try:
        from garmin_fit_sdk import Encoder, Profile
    except ImportError as err:
        raise ImportError(FIT_SDK_MISSING, name="garmin_fit_sdk") from err
    return Encoder, Profile


def fit_bytes(run: SyntheticRun) -> bytes:
    """Encode ``run`` as a FIT activity file with Garmin's FIT SDK.

    Parameters
    ----------
    run : SyntheticRun

    Returns
    -------
    bytes
        A complete FIT file (14-byte header, messages, CRC).

    Raises
    ------
    ImportError
        When ``garmin-fit-sdk`` (the ``demo`` extra) is not installed.
    """
    Encoder, Profile = _fit_sdk()

    num = Profile["mesg_num"]
    foot = run.sport in FOOT_SPORTS
    s = run.samples
    t0 = _fit_time(run.start_utc)
    t_end = t0 + round(run.duration_s)
    product = _GARMIN_PRODUCTS.get(run.device, 0)
    encoder = Encoder()
    _write_device_header(
        encoder,
        num,
        t0,
        file_id={"type": "activity", "product": product},
        device={"product": product, "product_name": run.device},
        creator=True,
    )
    sport_name = {"running": "Run", "cycling": "Bike"}.get(run.sport, run.sport.title())
    if run.sub_sport == "treadmill":
        sport_name = "Treadmill"
    encoder.on_mesg(
        num["SPORT"], {"sport": run.sport, "sub_sport": run.sub_sport, "name": sport_name}
    )
    encoder.on_mesg(num["EVENT"], {"timestamp": t0, "event": "timer", "event_type": "start"})

    # timer events around pauses: "stop_all" right after the record stored as the
    # timer stops, "start" right before the record stored as it resumes
    events: list[tuple[int, str]] = []
    for at, dur in run.pauses:
        if at < run.duration_s:
            events += [(t0 + round(at), "stop_all"), (t0 + round(at + dur), "start")]
    columns = {c: s[c].to_numpy(dtype=float).tolist() for c in SYNTH_COLUMNS}

    def emit_events(until: int, kind: str) -> None:
        while events and events[0][0] <= until and (events[0][0] < until or events[0][1] == kind):
            when, event_type = events.pop(0)
            encoder.on_mesg(
                num["EVENT"], {"timestamp": when, "event": "timer", "event_type": event_type}
            )

    for i in range(len(s)):
        ts = t0 + round(columns["elapsed_s"][i])
        emit_events(ts, "start")
        record: dict[str, Any] = {"timestamp": ts, "distance": columns["distance_m"][i]}
        lat, lon = columns["lat_deg"][i], columns["lon_deg"][i]
        if math.isfinite(lat) and math.isfinite(lon):
            record["position_lat"] = round(lat * SEMICIRCLES_PER_DEGREE)
            record["position_long"] = round(lon * SEMICIRCLES_PER_DEGREE)
        if math.isfinite(columns["altitude_m"][i]):
            record["enhanced_altitude"] = columns["altitude_m"][i]
        record["enhanced_speed"] = columns["speed_mps"][i]
        if math.isfinite(columns["heart_rate_bpm"][i]):
            record["heart_rate"] = int(columns["heart_rate_bpm"][i])
        if math.isfinite(columns["cadence_spm"][i]):
            whole, frac = _split_cadence(columns["cadence_spm"][i], foot)
            record["cadence"] = whole
            if foot:
                record["fractional_cadence"] = frac
        encoder.on_mesg(num["RECORD"], record)
        emit_events(ts, "stop_all")
    emit_events(t_end + 1, "")
    encoder.on_mesg(num["EVENT"], {"timestamp": t_end, "event": "timer", "event_type": "stop_all"})

    summary = _fit_summary(run, foot)
    first = s.iloc[0]
    start_pos: dict[str, Any] = {}
    if math.isfinite(float(first["lat_deg"])):
        start_pos = {
            "start_position_lat": round(float(first["lat_deg"]) * SEMICIRCLES_PER_DEGREE),
            "start_position_long": round(float(first["lon_deg"]) * SEMICIRCLES_PER_DEGREE),
        }
    encoder.on_mesg(
        num["LAP"],
        {
            "message_index": 0,
            "timestamp": t_end,
            "event": "lap",
            "event_type": "stop",
            "start_time": t0,
            "lap_trigger": "session_end",
            "sport": run.sport,
            "sub_sport": run.sub_sport,
            **start_pos,
            **summary,
        },
    )
    encoder.on_mesg(
        num["SESSION"],
        {
            "message_index": 0,
            "timestamp": t_end,
            "event": "lap",
            "event_type": "stop",
            "start_time": t0,
            "sport": run.sport,
            "sub_sport": run.sub_sport,
            "trigger": "activity_end",
            "first_lap_index": 0,
            "num_laps": 1,
            **start_pos,
            **summary,
        },
    )
    encoder.on_mesg(
        num["ACTIVITY"],
        {
            "timestamp": t_end,
            "total_timer_time": run.timer_time_s,
            "num_sessions": 1,
            "type": "manual",
            "event": "activity",
            "event_type": "stop",
            # local_date_time: seconds since the FIT epoch on the local wall clock.
            "local_timestamp": t_end + int(run.utc_offset_s),
        },
    )
    return bytes(encoder.close())


def _fit_summary(run: SyntheticRun, foot: bool) -> dict[str, Any]:
    """Lap/session totals shared by both messages (FIT field names)."""
    s = run.samples
    w = run.sample_weights_s(running_only=foot)
    cad = run.cadence_spm if foot else float(np.sum(w * s["cadence_spm"]) / max(np.sum(w), 1.0))
    avg_whole, avg_frac = _split_cadence(cad, foot)
    max_whole, max_frac = _split_cadence(float(s["cadence_spm"].max()), foot)
    hr = s["heart_rate_bpm"].to_numpy(dtype=float)
    out: dict[str, Any] = {
        "total_elapsed_time": run.duration_s,
        "total_timer_time": run.timer_time_s,
        "total_distance": run.distance_m,
        "enhanced_avg_speed": run.distance_m / max(run.timer_time_s, 1.0),
        "enhanced_max_speed": float(s["speed_mps"].max()),
        "avg_heart_rate": round(float(np.mean(hr))),
        "max_heart_rate": int(np.max(hr)),
        "avg_cadence": avg_whole,
        "max_cadence": max_whole,
        "total_calories": round(run.distance_m / 1000.0 * (68.0 if foot else 24.0)),
    }
    if foot:
        out["avg_fractional_cadence"] = avg_frac
        out["max_fractional_cadence"] = max_frac
    if run.profile is not None:
        out["total_ascent"] = round(run.ascent_m)
        out["total_descent"] = round(run.descent_m)
    return out


def _write(path: str | Path, data: bytes, compress: bool) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        data = gzip_module.compress(data, compresslevel=9, mtime=0)
    out.write_bytes(data)
    return out


def write_fit(
    run: SyntheticRun,
    path: str | Path,
    *,
    truncate_at_byte: int | None = None,
    gzip: bool = False,
) -> Path:
    """Write ``run`` as a Garmin FIT activity file.

    Messages: file_id (activity, garmin), file_creator, device_info, sport,
    timer start/stop events (also around every pause), one ``record`` per
    sample (timestamp, position in semicircles when GPS, distance,
    enhanced_altitude, enhanced_speed, heart_rate, cadence as whole strides
    per minute plus fractional_cadence -- crank rpm for cycling), one lap, one
    session (totals; ascent/descent from the noise-free profile) and an
    activity message whose ``local_timestamp`` is the end time on the local
    wall clock (UTC + ``run.utc_offset_s``).

    Parameters
    ----------
    run : SyntheticRun
    path : str or Path
        Output file; the name is used as given (add ``.gz`` yourself).
    truncate_at_byte : int or None
        Keep only the first N bytes, like a watch that crashed mid-write.
    gzip : bool
        Gzip-compress the bytes (deterministic: no name, mtime 0).

    Returns
    -------
    Path
    """
    data = fit_bytes(run)
    if truncate_at_byte is not None:
        data = data[:truncate_at_byte]
    return _write(path, data, gzip)


def write_fit_non_activity(
    path: str | Path,
    kind: str,
    *,
    time_created: datetime = datetime(2026, 9, 19, 4, 0, tzinfo=UTC),
    utc_offset_s: int = 7200,
    device: str = "Forerunner 265",
    gzip: bool = False,
) -> Path:
    """Write a small valid non-activity FIT file, as found in Garmin exports.

    Parameters
    ----------
    path : str or Path
        Output file.
    kind : {"monitoring", "settings", "sleep"}
        ``monitoring``: file type monitoring_b with monitoring_info and a few
        15-minute monitoring messages (steps, distance, heart rate);
        ``settings``: file type settings with user_profile and
        device_settings; ``sleep``: the profile has no sleep file type, so
        monitoring_daily with sleep_level and sleep_assessment messages.
    time_created : datetime
        Creation time (timezone-aware).
    utc_offset_s : int
        Local wall clock minus UTC [s].
    device : str
        Device name (Garmin product id looked up where known).
    gzip : bool
        Gzip-compress the file.

    Returns
    -------
    Path

    Raises
    ------
    ImportError
        When ``garmin-fit-sdk`` (the ``demo`` extra) is not installed.
    ValueError
        For an unknown ``kind``.
    """
    Encoder, Profile = _fit_sdk()

    num = Profile["mesg_num"]
    file_types = set(Profile["types"]["file"].values())
    file_type = {
        "monitoring": "monitoring_b",
        "settings": "settings",
        "sleep": "sleep" if "sleep" in file_types else "monitoring_daily",
    }.get(kind)
    if file_type is None:
        raise ValueError(f"unknown kind {kind!r}")
    t0 = _fit_time(time_created)
    product = _GARMIN_PRODUCTS.get(device, 0)
    encoder = Encoder()
    _write_device_header(
        encoder,
        num,
        t0,
        file_id={"type": file_type, "product": product, "number": 1},
        device={"product": product},
        creator=False,
    )
    if kind == "monitoring":
        encoder.on_mesg(
            num["MONITORING_INFO"],
            {
                "timestamp": t0,
                "local_timestamp": t0 + utc_offset_s,
                "activity_type": ["walking", "running"],
                "cycles_to_distance": [0.78, 1.12],
                "cycles_to_calories": [0.041, 0.066],
                "resting_metabolic_rate": 1540,
            },
        )
        steps = [0, 312, 1048, 96, 0, 2210, 804, 45]
        total = 0
        for i, n_steps in enumerate(steps):
            total += n_steps
            encoder.on_mesg(
                num["MONITORING"],
                {
                    "timestamp": t0 + 900 * (i + 1),
                    "activity_type": "walking" if n_steps else "sedentary",
                    "cycles": total / 2.0,
                    "distance": total * 0.78,
                    "active_time": 60.0 * n_steps / 100.0,
                    "active_calories": n_steps // 25,
                    "heart_rate": 58 + n_steps // 60,
                },
            )
    elif kind == "settings":
        encoder.on_mesg(
            num["USER_PROFILE"],
            {
                "message_index": 0,
                "gender": "female",
                "age": 38,
                "height": 1.68,
                "weight": 61.5,
                "resting_heart_rate": 52,
                "default_max_heart_rate": 186,
                "dist_setting": "metric",
                "elev_setting": "metric",
                "weight_setting": "metric",
            },
        )
        encoder.on_mesg(
            num["DEVICE_SETTINGS"],
            {
                "active_time_zone": 0,
                "time_offset": [utc_offset_s],
                "time_mode": ["hour24"],
                "time_zone_offset": [utc_offset_s / 3600.0],
                # booleans must be given as 0/1: the Encoder rejects Python bools
                "activity_tracker_enabled": 1,
                "clock_time": t0,
            },
        )
    else:
        levels = ["awake", "light", "deep", "light", "rem", "light", "deep", "rem", "awake"]
        for i, level in enumerate(levels):
            encoder.on_mesg(num["SLEEP_LEVEL"], {"timestamp": t0 + 1800 * i, "sleep_level": level})
        encoder.on_mesg(
            num["SLEEP_ASSESSMENT"],
            {
                "overall_sleep_score": 81,
                "sleep_quality_score": 78,
                "sleep_duration_score": 85,
                "deep_sleep_score": 72,
                "awakenings_count": 2,
            },
        )
    return _write(path, bytes(encoder.close()), gzip)


# ----------------------------------------------------------------------------- GPX / TCX


def _sample_times(run: SyntheticRun) -> list[datetime]:
    return [run.start_utc + timedelta(seconds=float(e)) for e in run.samples["elapsed_s"]]


def _strava_name(run: SyntheticRun) -> str:
    hour = (run.start_utc + timedelta(seconds=run.utc_offset_s)).hour
    part = "Morning" if 4 <= hour < 12 else "Afternoon" if hour < 17 else "Evening"
    if hour < 4:
        part = "Night"
    return f"{part} {'Ride' if run.sport == 'cycling' else 'Run'}"


def _per_foot(spm: float, foot: bool) -> int:
    """Cadence as Garmin's GPX/TCX extensions carry it: strides/min (rpm for bikes)."""
    return math.floor(spm / 2.0) if foot else round(spm)


def write_gpx(
    run: SyntheticRun,
    path: str | Path,
    *,
    activity_type: str | None = "running",
    creator: str = "StravaGPX",
    cadence: bool = True,
    heart_rate: bool = True,
    gzip: bool = False,
) -> Path:
    """Write ``run`` as a Strava-style GPX 1.1 track with gpxpy.

    Heart rate and cadence go into Garmin's TrackPointExtension
    (``gpxtpx:hr`` [1/min], ``gpxtpx:cad`` [strides/min, one foot; rpm for
    cycling]); elevation is rounded to 0.1 m, positions to 1e-7 deg.

    Parameters
    ----------
    run : SyntheticRun
        Must have positions.
    path : str or Path
        Output file (used as given).
    activity_type : str or None
        Text of ``<trk><type>``: ``"running"``, ``"9"`` (Strava's numeric Run
        code), ``"cycling"``...; None writes no ``<type>``.
    creator : str
        The ``creator`` attribute.
    cadence, heart_rate : bool
        Write the extension values.
    gzip : bool
        Gzip-compress the file.

    Returns
    -------
    Path
    """
    import gpxpy.gpx

    s = run.samples
    if not np.isfinite(s["lat_deg"].to_numpy(dtype=float)).all():
        raise ValueError("a GPX track needs positions (gps=True)")
    foot = run.sport in FOOT_SPORTS
    gpx = gpxpy.gpx.GPX()
    gpx.creator = creator
    gpx.nsmap["gpxtpx"] = GPX_TPX_NS
    gpx.time = run.start_utc
    track = gpxpy.gpx.GPXTrack(name=_strava_name(run))
    if activity_type is not None:
        track.type = activity_type  # type: ignore[assignment]  # gpxpy annotates it as None
    segment = gpxpy.gpx.GPXTrackSegment()
    cols = {c: s[c].to_numpy(dtype=float).tolist() for c in SYNTH_COLUMNS}
    for i, when in enumerate(_sample_times(run)):
        alt = cols["altitude_m"][i]
        point = gpxpy.gpx.GPXTrackPoint(
            latitude=round(cols["lat_deg"][i], 7),
            longitude=round(cols["lon_deg"][i], 7),
            elevation=round(alt, 1) if math.isfinite(alt) else None,
            time=when,
        )
        ext = ET.Element(f"{{{GPX_TPX_NS}}}TrackPointExtension")
        if heart_rate and math.isfinite(cols["heart_rate_bpm"][i]):
            ET.SubElement(ext, f"{{{GPX_TPX_NS}}}hr").text = str(int(cols["heart_rate_bpm"][i]))
        if cadence and math.isfinite(cols["cadence_spm"][i]):
            ET.SubElement(ext, f"{{{GPX_TPX_NS}}}cad").text = str(
                _per_foot(cols["cadence_spm"][i], foot)
            )
        if len(ext):
            point.extensions.append(ext)
        segment.points.append(point)
    track.segments.append(segment)
    gpx.tracks.append(track)
    return _write(path, gpx.to_xml(version="1.1").encode("utf-8"), gzip)


def write_tcx(
    run: SyntheticRun,
    path: str | Path,
    *,
    sport: str = "Running",
    leading_whitespace: bool = True,
    gzip: bool = False,
) -> Path:
    """Write ``run`` as a Garmin TrainingCenterDatabase (TCX) file.

    One Activity with one Lap (StartTime, TotalTimeSeconds = timer time [s],
    DistanceMeters [m], Calories, heart rate, Intensity, TriggerMethod) and a
    Track of Trackpoints (Time, Position, AltitudeMeters, DistanceMeters,
    HeartRateBpm/Value, and running cadence as Extensions/TPX/RunCadence in
    strides/min -- bikes use the Cadence element in rpm).

    Parameters
    ----------
    run : SyntheticRun
    path : str or Path
        Output file (used as given).
    sport : {"Running", "Biking", "Other"}
        The Activity's Sport attribute.
    leading_whitespace : bool
        Start the file with ``"\\n  "`` before ``<?xml``, as Strava's TCX
        exports do (a strict XML parser rejects that until stripped).
    gzip : bool
        Gzip-compress the file.

    Returns
    -------
    Path
    """

    # TCX elements live in the default namespace, declared on the root; the
    # ActivityExtension elements are namespace-qualified and ElementTree
    # declares a prefix for them.
    def sub(parent: ET.Element, name: str, text: str | None = None, ns: str = "") -> ET.Element:
        el = ET.SubElement(parent, f"{{{ns}}}{name}" if ns else name)
        if text is not None:
            el.text = text
        return el

    s = run.samples
    foot = run.sport in FOOT_SPORTS
    cols = {c: s[c].to_numpy(dtype=float).tolist() for c in SYNTH_COLUMNS}
    times = [t.strftime("%Y-%m-%dT%H:%M:%S.000Z") for t in _sample_times(run)]
    root = ET.Element(
        "TrainingCenterDatabase",
        {
            "xmlns": TCX_NS,
            f"{{{XSI_NS}}}schemaLocation": (
                f"{TCX_NS} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"
            ),
        },
    )
    activity = sub(sub(root, "Activities"), "Activity")
    activity.set("Sport", sport)
    sub(activity, "Id", times[0])
    lap = sub(activity, "Lap")
    lap.set("StartTime", times[0])
    hr = s["heart_rate_bpm"].to_numpy(dtype=float)
    sub(lap, "TotalTimeSeconds", f"{run.timer_time_s:.1f}")
    sub(lap, "DistanceMeters", f"{run.distance_m:.2f}")
    sub(lap, "MaximumSpeed", f"{float(s['speed_mps'].max()):.3f}")
    sub(lap, "Calories", str(round(run.distance_m / 1000.0 * (68.0 if foot else 24.0))))
    sub(sub(lap, "AverageHeartRateBpm"), "Value", str(round(float(np.nanmean(hr)))))
    sub(sub(lap, "MaximumHeartRateBpm"), "Value", str(int(np.nanmax(hr))))
    sub(lap, "Intensity", "Active")
    sub(lap, "TriggerMethod", "Manual")
    track = sub(lap, "Track")
    for i, when in enumerate(times):
        point = sub(track, "Trackpoint")
        sub(point, "Time", when)
        lat, lon, alt = cols["lat_deg"][i], cols["lon_deg"][i], cols["altitude_m"][i]
        if math.isfinite(lat) and math.isfinite(lon):
            pos = sub(point, "Position")
            sub(pos, "LatitudeDegrees", f"{lat:.7f}")
            sub(pos, "LongitudeDegrees", f"{lon:.7f}")
        if math.isfinite(alt):
            sub(point, "AltitudeMeters", f"{alt:.1f}")
        sub(point, "DistanceMeters", f"{cols['distance_m'][i]:.2f}")
        if math.isfinite(cols["heart_rate_bpm"][i]):
            sub(sub(point, "HeartRateBpm"), "Value", str(int(cols["heart_rate_bpm"][i])))
        cad = cols["cadence_spm"][i]
        if math.isfinite(cad):
            if foot:
                tpx = sub(sub(point, "Extensions"), "TPX", ns=TCX_AX_NS)
                sub(tpx, "Speed", f"{cols['speed_mps'][i]:.3f}", ns=TCX_AX_NS)
                sub(tpx, "RunCadence", str(_per_foot(cad, True)), ns=TCX_AX_NS)
            else:
                sub(point, "Cadence", str(_per_foot(cad, False)))
    creator = sub(activity, "Creator")
    creator.set(f"{{{XSI_NS}}}type", "Device_t")
    sub(creator, "Name", run.device)
    sub(creator, "UnitId", str(_SERIAL_NUMBER))
    sub(creator, "ProductID", str(_GARMIN_PRODUCTS.get(run.device, 0)))
    version = sub(creator, "Version")
    sub(version, "VersionMajor", "19")
    sub(version, "VersionMinor", "18")
    ET.indent(root, space="  ")
    data = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    if leading_whitespace:
        data = b"\n  " + data
    return _write(path, data, gzip)


def write_training_block(
    folder: str | Path,
    first_monday: datetime,
    weekly_km: Sequence[float],
    *,
    runs_per_week: int = 4,
    cadence_spm: float | Sequence[float] = 170.0,
    climb_per_km_m: float = 8.0,
    utc_offset_s: int = 3600,
    interval_s: float | str = "smart",
    seed: int = 0,
) -> list[Path]:
    """Write a block of training weeks as FIT files: one athlete's watch folder.

    Each week's distance is split over ``runs_per_week`` runs (the Sunday long
    run takes about a third); a week of 0 km writes nothing.

    Parameters
    ----------
    folder : str or Path
        Where the ``.fit`` files go (created).
    first_monday : datetime
        Local midnight of the first Monday (its tzinfo is ignored).
    weekly_km : sequence of float
        Planned distance of each week [km].
    runs_per_week : int
        Runs in a week with running (2–6).
    cadence_spm : float or sequence of float
        Cadence [steps/min], one value or one per week.
    climb_per_km_m : float
        Climb (and descent) per km of each run [m/km].
    utc_offset_s : int
        Local time minus UTC [s].
    interval_s : float or "smart"
        Recording interval, as for :func:`make_run`.
    seed : int
        Seed of the random variation.

    Returns
    -------
    list of Path
        The files written, in time order.
    """
    runs_per_week = max(2, min(6, runs_per_week))
    days = {2: (2, 6), 3: (1, 3, 6), 4: (1, 2, 4, 6), 5: (0, 1, 3, 4, 6), 6: (0, 1, 2, 3, 4, 6)}
    cadences = (
        [float(cadence_spm)] * len(weekly_km)
        if isinstance(cadence_spm, int | float)
        else [float(c) for c in cadence_spm]
    )
    base = datetime(first_monday.year, first_monday.month, first_monday.day, tzinfo=UTC)
    out: list[Path] = []
    for week, km in enumerate(weekly_km):
        if km <= 0:
            continue
        long_run = round(km / 3.0, 1)
        rest = (km - long_run) / (runs_per_week - 1)
        for k, day in enumerate(days[runs_per_week]):
            distance = long_run if day == 6 else round(rest, 1)
            local = base + timedelta(weeks=week, days=day, hours=7 if day == 6 else 18)
            run = make_run(
                local - timedelta(seconds=utc_offset_s),
                distance,
                cadence_spm=cadences[week],
                climb_m=climb_per_km_m * distance / 2.0,
                alt_noise_m=2.0,
                interval_s=interval_s,
                utc_offset_s=utc_offset_s,
                seed=seed * 1000 + week * 10 + k,
            )
            out.append(write_fit(run, Path(folder) / f"{local:%Y-%m-%d-%H-%M}.fit"))
    return out
