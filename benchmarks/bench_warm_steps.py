"""Where a warm run's time goes: the steps of ``runaudit weekly``, timed one by one.

Usage (after one run has filled the cache)::

    RUNAUDIT_CACHE_DIR=DIR python benchmarks/bench_warm_steps.py EXPORT

Run it in a fresh process: the first step is the import of the library.
Prints wall and CPU seconds of each step.
"""

from __future__ import annotations

import importlib
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

STEPS: dict[str, tuple[float, float]] = {}


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def step(name: str, what: Callable[[], Any]) -> Any:
    wall, used = time.perf_counter(), cpu()
    out = what()
    STEPS[name] = (time.perf_counter() - wall, cpu() - used)
    return out


def main(root: str) -> int:
    wall0, cpu0 = time.perf_counter(), cpu()
    step("import runaudit.audit", lambda: importlib.import_module("runaudit.audit"))
    from runaudit.audit import audit_ingest
    from runaudit.intake.pipeline import build_ingest, read_all
    from runaudit.reading.cache import Cache
    from runaudit.reading.records import read_metadata
    from runaudit.reading.sources import Limits, discover

    limits, cache = Limits(), Cache()
    found = step("discover", lambda: discover([root], limits))
    outcomes = step(
        "read_all (stat, index, lookups)",
        lambda: read_all(found.sources, limits=limits, cache=cache, jobs=1),
    )
    meta = step("read_metadata", lambda: read_metadata([root], limits=limits))
    result = step(
        "build_ingest (classify, merge)",
        lambda: build_ingest(found, outcomes, meta, tz=None, cache=cache, limits=limits),
    )
    audit = step("audit_ingest (weekly, rules, plan)", lambda: audit_ingest(result, None))
    step("weekly table to CSV", lambda: audit.weekly.to_csv())
    print(f"{'step':40s} wall s   CPU s")
    for name, (wall, used) in STEPS.items():
        print(f"{name:40s} {wall:6.3f} {used:7.3f}")
    print(f"{'total':40s} {time.perf_counter() - wall0:6.3f} {cpu() - cpu0:7.3f}")
    print(f"{len(audit.activities)} runs; {result.cached} files cached, {result.parsed} parsed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
