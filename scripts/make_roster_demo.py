"""Write a coach's folder of three athletes for ``runaudit report --roster``.

Usage::

    python scripts/make_roster_demo.py [--out roster_demo]

``ada/`` is the demo athlete of ``sample_data/`` (regenerated with
``scripts/make_sample_data.py``); ``ben/`` builds steadily with a deload every
fourth week and a good cadence; ``cleo/`` has just ramped up hard after a
quiet spell, with a low cadence.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from datetime import datetime
from pathlib import Path

from runaudit_demo.synth import write_training_block

HERE = Path(__file__).resolve().parent


def make_roster(out: Path, *, weeks: int = 16, interval_s: float | str = "smart") -> list[Path]:
    """Write the three athletes under ``out`` and return their folders."""
    spec = importlib.util.spec_from_file_location("make_sample_data", HERE / "make_sample_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample_data"] = module
    spec.loader.exec_module(module)
    module.main(["--out", str(out / "ada")])
    monday = datetime(2026, 6, 1)
    ben = [30, 33, 36, 27] * (weeks // 4 + 1)
    write_training_block(
        out / "ben", monday, ben[:weeks], cadence_spm=174, seed=2, interval_s=interval_s
    )
    cleo = [20, 22, 21, 12, 10, 8][: max(0, weeks - 2)] + [0] * max(0, weeks - 8) + [25, 45]
    write_training_block(
        out / "cleo",
        monday,
        cleo[:weeks],
        cadence_spm=154,
        climb_per_km_m=20,
        seed=3,
        interval_s=interval_s,
    )
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
