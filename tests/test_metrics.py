"""Per-activity metrics: cadence units and weighting, elevation smoothing, moving time."""

from __future__ import annotations

import numpy as np
import pytest

from runaudit.reading.metrics.cadence import (
    cadence_histogram,
    time_weighted_cadence,
    to_steps_per_minute,
    weighted_median,
)
from runaudit.reading.metrics.elevation import climb_and_drop, elevation_stats
from runaudit.reading.metrics.moving import moving_time, path_distance


def test_per_foot_cadence_is_doubled_and_spm_kept():
    assert to_steps_per_minute(np.array([85.5, 85.5, 0.0])).tolist() == [171.0, 171.0, 0.0]
    assert to_steps_per_minute(np.array([172.0, 170.0, np.nan]))[:2].tolist() == [172.0, 170.0]


def test_cadence_is_weighted_by_sample_duration():
    # smart recording: 170 spm held for 9 s, 150 spm for 1 s -> 168, not 160
    t = np.array([0.0, 9.0, 10.0])
    assert time_weighted_cadence(t, np.array([170.0, 150.0, 150.0])) == pytest.approx(168.0)


def test_zero_cadence_and_pauses_are_excluded():
    t = np.array([0.0, 1.0, 2.0, 3.0, 500.0, 501.0])
    spm = np.array([170.0, 0.0, 170.0, 180.0, 176.0, 176.0])
    # 0 excluded; the 497 s gap before t=500 is a pause and weighs nothing
    assert time_weighted_cadence(t, spm) == pytest.approx((170 + 170 + 176) / 3)


def test_walking_is_excluded_from_running_cadence_only():
    t = np.arange(0.0, 101.0)
    spm = np.where(t < 80, 170.0, 110.0)
    assert time_weighted_cadence(t, spm, running_only=True) == pytest.approx(170.0)
    assert time_weighted_cadence(t, spm) == pytest.approx((80 * 170 + 20 * 110) / 100)
    bins, secs = cadence_histogram(t, spm)
    assert bins.tolist() == [170]
    assert secs.tolist() == [80.0]


def test_weighted_median():
    assert weighted_median(np.array([150.0, 170.0]), np.array([1.0, 3.0])) == 170.0
    assert np.isnan(weighted_median(np.array([]), np.array([])))


@pytest.mark.parametrize("interval", [1, 3, 5])
def test_flat_run_with_gps_jitter_has_almost_no_descent(interval):
    rng = np.random.default_rng(7)
    t = np.arange(0.0, 3600.0, interval)
    dist = t * 3.0  # 10.8 km
    alt = 250.0 + rng.uniform(-2.5, 2.5, t.size)
    raw = np.clip(-np.diff(alt), 0, None).sum() / 10.8
    stats = elevation_stats(t, alt, dist)
    assert raw > 100 / interval  # raw differences: many metres per km
    assert stats.descent_m / 10.8 < 5.0
    assert stats.downhill_km < 0.5


def test_real_700_m_descent_within_5_percent():
    rng = np.random.default_rng(3)
    t = np.arange(0.0, 4000.0)
    dist = t * 3.0
    profile = np.where(dist < 6000, 300 + dist * 700 / 6000, 1000 - (dist - 6000) * 700 / 6000)
    profile = np.where(dist > 12000, 300.0, profile)
    stats = elevation_stats(t, profile + rng.uniform(-2.5, 2.5, t.size), dist)
    assert stats.descent_m == pytest.approx(700, rel=0.05)
    assert stats.ascent_m == pytest.approx(700, rel=0.05)
    assert stats.downhill_km == pytest.approx(6.0, abs=0.3)


def test_climb_and_drop_dead_band():
    assert climb_and_drop(np.array([0.0, 1.5, 0.0, 1.5])) == (0.0, 0.0)
    assert climb_and_drop(np.array([0.0, 5.0, 1.0])) == (5.0, 4.0)


def test_no_altitude_gives_nan():
    stats = elevation_stats(np.arange(10.0), np.full(10, np.nan))
    assert np.isnan(stats.descent_m)


def test_moving_time_excludes_stops_and_pauses():
    t = np.concatenate([np.arange(0.0, 600.0), np.arange(600.0, 900.0), np.arange(2000.0, 2600.0)])
    d = np.concatenate([np.arange(600.0) * 3, np.full(300, 1797.0), 1797 + np.arange(600.0) * 3])
    # 599 s moving, 300 s standing, a 1100 s pause, then 599 s moving
    assert moving_time(t, d) == pytest.approx(1198.0)


def test_path_distance_one_degree_of_longitude_at_equator():
    d = path_distance(np.array([0.0, 0.0, np.nan, 0.0]), np.array([0.0, 0.5, 0.7, 1.0]))
    assert d[-1] == pytest.approx(111_195, rel=1e-3)
