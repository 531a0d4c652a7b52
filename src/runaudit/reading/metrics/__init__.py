"""Per-activity metrics: pure functions over sample arrays."""

from runaudit.reading.metrics.cadence import (
    cadence_histogram,
    time_weighted_cadence,
    to_steps_per_minute,
)
from runaudit.reading.metrics.elevation import elevation_stats, smooth_altitude
from runaudit.reading.metrics.moving import moving_time, path_distance

__all__ = [
    "cadence_histogram",
    "elevation_stats",
    "moving_time",
    "path_distance",
    "smooth_altitude",
    "time_weighted_cadence",
    "to_steps_per_minute",
]
