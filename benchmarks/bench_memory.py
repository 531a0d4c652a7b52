"""Peak memory of a cold ``runaudit weekly`` over many GPX files (issue 13: ≤ 400 MB at 2,000).

Usage::

    python benchmarks/bench_memory.py --files 2000 [--jobs 2] [--data-dir DIR]

The files are copies of the benchmark's generated GPX set
(``benchmarks/.data/floor_gpx/``, written by ``bench_floor.py`` when missing):
copy ``c`` of base file ``i`` has every date moved ``210 × c`` days later, so
each copy has its own content hash and its own days (no two runs overlap, as
in a runner's ten-year history). They are written once into
``DIR/many_gpx/`` and reused.

Then ``python -m runaudit weekly FOLDER --format csv`` runs once with an
empty cache in a child process. Printed: the wall time, the largest resident
set of any one process (the CLI or a worker: ``ru_maxrss`` of the reaped
children) and, sampled every 0.2 s with psutil when installed, the peak of
the whole process tree's memory added up: proportional set sizes (shared
pages split between the processes sharing them) and resident sets.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T")
SHIFT_DAYS = 210  # longer than the base set spans (2 days a file), so copies never overlap


def shifted(text: str, days: int) -> str:
    """``text`` with every ``YYYY-MM-DDT`` date moved ``days`` later.

    >>> shifted("<time>2016-12-31T06:30:00Z</time>", 1)
    '<time>2017-01-01T06:30:00Z</time>'
    """
    if not days:
        return text
    for found in sorted(set(_DATE.findall(text))):
        old = date(*map(int, found))
        text = text.replace(f"{old.isoformat()}T", f"{(old + timedelta(days=days)).isoformat()}T")
    return text


def make_many(base: list[Path], folder: Path, n: int) -> list[Path]:
    """Write (or reuse) ``n`` distinct GPX files in ``folder`` made from ``base``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(n):
        copy, source = divmod(k, len(base))
        path = folder / f"run_{copy:03d}_{source:05d}.gpx"
        if not path.exists():
            text = base[source].read_text(encoding="utf-8")
            path.write_text(shifted(text, SHIFT_DAYS * copy), encoding="utf-8")
        paths.append(path)
    return paths


def _tree_memory_mb(psutil: Any, pid: int) -> tuple[float, float]:
    """Resident and proportional set sizes of a process and its descendants, added up [MB].

    The proportional size (PSS) counts a page shared by n processes (the
    libraries forked workers share with their parent) 1/n times each, so
    its sum is the memory the tree really holds; the RSS sum counts such
    pages once per process. (0, 0) once the process is gone.
    """
    rss = pss = 0
    try:
        parent = psutil.Process(pid)
        for proc in [parent, *parent.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                info = proc.memory_full_info()
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
    except psutil.Error:
        return 0.0, 0.0
    return rss / 2**20, pss / 2**20


def run_weekly(folder: Path, jobs: int | None) -> dict[str, float]:
    """One cold ``runaudit weekly`` in a child process; its time and memory."""
    cache = Path(tempfile.mkdtemp(prefix="runaudit-bench-memory-"))
    cmd = [sys.executable, "-m", "runaudit", "weekly", str(folder), "--format", "csv"]
    cmd += ["--cache-dir", str(cache)] + (["--jobs", str(jobs)] if jobs else [])
    try:
        import psutil
    except ImportError:
        psutil = None
    tree_rss = tree_pss = 0.0
    start = time.perf_counter()
    try:
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while child.poll() is None:
            if psutil is not None:
                rss, pss = _tree_memory_mb(psutil, child.pid)
                tree_rss, tree_pss = max(tree_rss, rss), max(tree_pss, pss)
            time.sleep(0.2)
        wall = time.perf_counter() - start
        errors = child.stderr.read().decode() if child.stderr else ""
        if child.returncode:
            raise SystemExit(f"runaudit weekly failed ({child.returncode}): {errors[-500:]}")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return {
        "wall_s": wall,
        "largest_process_mb": largest,
        "tree_rss_mb": tree_rss,
        "tree_pss_mb": tree_pss,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--data-dir", type=Path, default=HERE / ".data")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from bench_floor import make_files

    base = make_files(args.data_dir / "floor_gpx", min(args.files, 100), "gpx")
    t = time.perf_counter()
    paths = make_many(base, args.data_dir / "many_gpx", args.files)
    size_gb = sum(p.stat().st_size for p in paths) / 2**30
    print(f"{len(paths)} GPX files ({size_gb:.2f} GiB) ready in {time.perf_counter() - t:.0f} s")
    out = run_weekly(args.data_dir / "many_gpx", args.jobs)
    print(
        f"cold runaudit weekly: {out['wall_s']:.1f} s; largest process "
        f"{out['largest_process_mb']:.0f} MB; whole process tree at its peak: "
        f"{out['tree_pss_mb']:.0f} MB proportional (PSS), {out['tree_rss_mb']:.0f} MB resident"
        " (shared pages counted once per process)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
