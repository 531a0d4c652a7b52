"""Write a coach's folder of three athletes for ``runaudit report --roster``.

Usage::

    python scripts/make_roster_demo.py [--out roster_demo]

It needs only the plain install (``pip install -e .``): the runs are written as
GPX with gpxpy, no FIT encoder involved.

``ada/`` is a copy of the demo athlete of ``sample_data/``: her alerts are
months old by now, so they are not urgent. ``ben/`` builds steadily with a
deload every fourth week and a good cadence, up to last week; his
``athlete.toml`` puts his weeks in New York time. ``cleo/`` ramped up hard last
week after a quiet spell, with a low cadence: she needs attention now.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from runaudit_demo.synth import make_run, write_gpx

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "sample_data"
#: Weekdays of the runs by runs a week (Monday = 0); the last is the long run.
RUN_DAYS = {3: (1, 3, 6), 4: (1, 2, 4, 6)}


def write_block(
    folder: Path,
    first_monday: date,
    weekly_km: list[float],
    *,
    cadence_spm: float,
    climb_per_km_m: float = 8.0,
    utc_offset_s: int = 0,
    seed: int = 0,
) -> list[Path]:
    """Weeks of runs as GPX files: four a week, the Sunday long run about a third."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for week, km in enumerate(weekly_km):
        if km <= 0:
            continue
        long_run = round(km / 3.0, 1)
        days = RUN_DAYS[4]
        easy = round((km - long_run) / (len(days) - 1), 1)
        for k, day in enumerate(days):
            local = datetime.combine(first_monday, datetime.min.time()) + timedelta(
                weeks=week, days=day, hours=7
            )
            distance = long_run if day == days[-1] else easy
            run = make_run(
                (local - timedelta(seconds=utc_offset_s)).replace(tzinfo=UTC),
                distance,
                cadence_spm=cadence_spm,
                climb_m=climb_per_km_m * distance / 2.0,
                alt_noise_m=2.0,
                interval_s=5.0,
                utc_offset_s=utc_offset_s,
                seed=seed * 1000 + week * 10 + k,
            )
            out.append(write_gpx(run, folder / f"{local:%Y-%m-%d-%H-%M}.gpx"))
    return out


def make_roster(out: Path, *, weeks: int = 16, today: date | None = None) -> list[Path]:
    """Write the three athletes under ``out`` and return their folders.

    ``today`` (default: today) sets the weeks of ben and cleo: they end with the
    week before ``today``'s.
    """
    today = today or date.today()
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=weeks)
    shutil.copytree(SAMPLE, out / "ada", dirs_exist_ok=True)
    ben = ([30, 33, 36, 27] * (weeks // 4 + 1))[:weeks]
    write_block(out / "ben", first, ben, cadence_spm=174, utc_offset_s=-5 * 3600, seed=2)
    (out / "ben" / "athlete.toml").write_text(
        'time_zone = "America/New_York"\n\n[thresholds]\nlow_cadence_spm = 165\n',
        encoding="utf-8",
    )
    quiet = [20, 22, 21, 12, 10, 8]
    cleo = [*(quiet + [0] * weeks)[: weeks - 2], 25, 45]
    write_block(out / "cleo", first, cleo, cadence_spm=154, climb_per_km_m=20, seed=3)
    return [out / "ada", out / "ben", out / "cleo"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("roster_demo"))
    args = parser.parse_args(argv)
    for folder in make_roster(args.out):
        print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
