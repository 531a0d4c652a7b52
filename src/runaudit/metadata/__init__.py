"""Readers of the metadata files that come with an export.

Bulk exports carry more than activity files: Strava's ``activities.csv``
names each file's activity type (:mod:`.strava`). These modules parse such
files into plain data; :mod:`runaudit.sources` finds them and reads them under
its safety limits.
"""

from __future__ import annotations

from .strava import parse_strava_csv

__all__ = ["parse_strava_csv"]
